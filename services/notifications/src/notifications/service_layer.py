"""Use cases of the notifications service."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from notifications.models import Notification, Recipient
from notifications.rendering import packaged_templates
from shared.consumer import Event, RetryLater
from shared.uow import UnitOfWork


def now() -> datetime:
    return datetime.now(UTC)


def remember_recipient(uow: UnitOfWork, event: Event) -> None:
    """application.submitted → how to reach the applicant."""
    applicant = event.data["applicant"]
    application_id = str(event.data["application_id"])
    recipient = uow.session.get(Recipient, application_id) or Recipient(
        application_id=application_id)
    recipient.forenames = applicant["forenames"]
    recipient.surname = applicant["surname"]
    recipient.email = applicant["email"]
    recipient.mobile = applicant.get("mobile")
    recipient.preferred_channel = applicant["preferred_channel"]
    recipient.updated_at = now()
    uow.session.add(recipient)


def make_vetting_started_handler(wake_sender: Any):  # type: ignore[no-untyped-def]
    def notify_vetting_started(uow: UnitOfWork, event: Event) -> None:
        """vetting.case_opened → tell the applicant checks have started."""
        application_id = str(event.data["application_id"])
        recipient = uow.session.get(Recipient, application_id)
        if recipient is None:
            raise RetryLater(f"no contact details yet for application {application_id}")
        queue_notification(uow, event, recipient, "vetting_started")
        uow.after_commit(wake_sender)

    return notify_vetting_started


def queue_notification(uow: UnitOfWork, event: Event, recipient: Recipient,
                       template: str) -> Notification:
    rendered = packaged_templates().render(template, "volunteer", "email", {
        "forenames": recipient.forenames, "surname": recipient.surname,
        "reference": recipient.application_id[:8].upper()})
    moment = now()
    notification = Notification(
        id=str(uuid.uuid4()), event_id=event.id, application_id=recipient.application_id,
        recipient=recipient.email, recipient_kind="volunteer", channel="EMAIL",
        template=template, subject=rendered.subject or "", body=rendered.body,
        status="QUEUED", attempts=0, created_at=moment, next_attempt_at=moment,
    )
    uow.session.add(notification)
    return notification


def notification_view(n: Notification) -> dict[str, Any]:
    return {"id": n.id, "event_id": n.event_id, "application_id": n.application_id,
            "recipient_kind": n.recipient_kind, "channel": n.channel, "template": n.template,
            "status": n.status, "attempts": n.attempts, "created_at": n.created_at,
            "sent_at": n.sent_at}


def list_notifications(session: Session, application_id: str | None,
                       limit: int) -> list[dict[str, Any]]:
    query = select(Notification).order_by(Notification.created_at).limit(limit)
    if application_id:
        query = query.where(Notification.application_id == application_id)
    return [notification_view(n) for n in session.execute(query).scalars()]
