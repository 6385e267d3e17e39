"""What operators read and do: notifications and their state, a resend, a recipient's
opt-outs. Each change is audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from notifications.domain.lifecycle import (
    NOTIFICATION,
    OPERATOR,
    RESENDABLE,
    NotificationState,
)
from notifications.models import Notification, Recipient
from notifications.service_layer import contacts
from shared.audit import log as audit
from shared.errors import Conflict, NotFound
from shared.uow import UnitOfWork


def notification_view(n: Notification) -> dict[str, Any]:
    return {
        "id": n.id,
        "event_id": n.event_id,
        "application_id": n.application_id,
        "recipient": n.recipient,
        "recipient_kind": n.recipient_kind,
        "channel": n.channel,
        "template": n.template,
        "status": n.status,
        "attempts": n.attempts,
        "last_error": n.last_error,
        "provider": n.provider,
        "created_at": n.created_at,
        "next_attempt_at": n.next_attempt_at,
        "sent_at": n.sent_at,
        "delivered_at": n.delivered_at,
        "failed_at": n.failed_at,
    }


def list_notifications(
    session: Session,
    *,
    application_id: str | None = None,
    recipient: str | None = None,
    status: str | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Oldest first, filtered by application, recipient (an email address or a mobile number)
    and state."""
    query = select(Notification).order_by(Notification.created_at, Notification.id)
    if application_id:
        query = query.where(Notification.application_id == application_id)
    if recipient:
        query = query.where(Notification.recipient == recipient)
    if status:
        query = query.where(Notification.status == status)
    return [notification_view(n) for n in session.execute(query.limit(limit)).scalars()]


def resend(
    uow: UnitOfWork, operator: str, notification_id: str, moment: datetime | None = None
) -> Notification:
    """Back to QUEUED with a fresh set of attempts: the same row, so still one notification
    per (event, recipient, channel)."""
    notification = uow.session.execute(
        select(Notification).where(Notification.id == notification_id).with_for_update()
    ).scalar_one_or_none()
    if notification is None:
        raise NotFound()
    if notification.status not in RESENDABLE:
        raise Conflict(
            f"Only a failed notification can be sent again; this one is {notification.status}."
        )
    before = notification.status
    moment = moment or uow.now()
    # A fresh send: a late receipt for the old provider id must not match it, and its sending
    # is news again (notification.sent goes out when sent_at is first set).
    resent = NOTIFICATION.step(notification.status, "resend", {OPERATOR})
    notification.status, notification.attempts = NotificationState(resent.target), 0
    notification.next_attempt_at, notification.failed_at = moment, None
    notification.sent_at = notification.delivered_at = None
    notification.provider = notification.provider_reference = None
    audit.record(
        uow.session,
        service="notifications",
        actor=operator,
        actor_kind=audit.STAFF,
        action="notification.resent",
        subject_type="notification",
        subject_id=notification.id,
        detail={"was": before, "channel": notification.channel},
        at=moment,
    )
    return notification


def recipient_view(recipient: Recipient) -> dict[str, Any]:
    return {
        "application_id": recipient.application_id,
        "preferred_channel": recipient.preferred_channel,
        "email_confirmed": recipient.email_confirmed,
        "mobile_confirmed": recipient.mobile_confirmed,
        "email_opt_out": recipient.email_opt_out,
        "sms_opt_out": recipient.sms_opt_out,
        "updated_at": recipient.updated_at,
    }


def set_opt_outs(
    uow: UnitOfWork, operator: str, application_id: str, *, email: bool | None, sms: bool | None
) -> Recipient:
    """The applicant asked not to be contacted on a channel (or to be again). An opt-out
    cancels what waits on that channel too (queued, held, retrying)."""
    recipient = uow.session.get(Recipient, application_id, with_for_update=True)
    if recipient is None:
        raise NotFound()
    if email is not None:
        recipient.email_opt_out = email
    if sms is not None:
        recipient.sms_opt_out = sms
    recipient.updated_at = uow.now()
    for channel, opted_out in (("EMAIL", email), ("SMS", sms)):
        if opted_out:
            contacts.cancel_opted_out(uow, recipient, channel, operator, audit.STAFF)
    audit.record(
        uow.session,
        service="notifications",
        actor=operator,
        actor_kind=audit.STAFF,
        action="recipient.opt_outs_changed",
        subject_type="application",
        subject_id=application_id,
        detail={"email_opt_out": recipient.email_opt_out, "sms_opt_out": recipient.sms_opt_out},
        at=recipient.updated_at,
    )
    return recipient
