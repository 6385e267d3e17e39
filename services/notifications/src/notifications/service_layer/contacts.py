"""How to reach a volunteer, as application.contacts_recorded says, and what a change of it does
to the messages still waiting (where a message may go: `notifications.domain.addresses`).

- A message held for want of a confirmed channel goes (QUEUED) when the volunteer confirms
  that channel at that address.
- An opt-out applies to what waits as well as to what comes: queued, held and retrying
  messages on that channel become CANCELLED, each change audited.
- The contacts of the latest recorded_at win: an older event arriving late changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select

from notifications.domain.addresses import (
    CHANNELS,
    address_of,
    confirmed,
    usable,
    volunteer_address,
)
from notifications.domain.lifecycle import NotificationState, is_waiting
from notifications.domain.messages import VOLUNTEER
from notifications.models import Notification, Recipient
from notifications.service_layer.delivery import move
from shared.audit import log as audit
from shared.uow import UnitOfWork


def _waiting(uow: UnitOfWork, application_id: str, channel: str) -> list[Notification]:
    rows = uow.session.execute(
        select(Notification)
        .where(
            Notification.application_id == application_id,
            Notification.recipient_kind == VOLUNTEER,
            Notification.channel == channel,
        )
        .order_by(Notification.id)
        .with_for_update()
    ).scalars()
    return [row for row in rows if is_waiting(row)]


def cancel_opted_out(
    uow: UnitOfWork, recipient: Recipient, channel: str, actor: str, actor_kind: str
) -> int:
    """The volunteer opted out of `channel`: what waits on it will never go."""
    moment = uow.now()
    cancelled = _waiting(uow, recipient.application_id, channel)
    for row in cancelled:
        move(row, NotificationState.CANCELLED)
        row.failed_at = moment
        row.last_error = f"Cancelled: the volunteer opted out of {channel}."
    if cancelled:
        audit.record(
            uow.session,
            service="notifications",
            actor=actor,
            actor_kind=actor_kind,
            action="notification.cancelled_opted_out",
            subject_type="application",
            subject_id=recipient.application_id,
            detail={"channel": channel, "notifications": [r.id for r in cancelled]},
            at=moment,
        )
    return len(cancelled)


def release_held(uow: UnitOfWork, recipient: Recipient) -> int:
    """Held messages whose channel is now confirmed, at the address they were held for, go."""
    address = volunteer_address(recipient)
    if address is None or address.held:
        return 0
    released = 0
    for channel in CHANNELS:
        if not (confirmed(recipient, channel) and usable(recipient, channel)):
            continue
        for row in _waiting(uow, recipient.application_id, channel):
            if row.status == NotificationState.HELD and row.recipient == address_of(
                recipient, channel
            ):
                move(row, NotificationState.QUEUED)
                row.next_attempt_at = uow.now()
                released += 1
    return released


def remember_contacts(uow: UnitOfWork, data: Mapping[str, Any]) -> None:
    """application.contacts_recorded → the recipient, then the waiting messages brought in
    line with it (opt-outs cancel, confirmations release)."""
    application_id = str(data["application_id"])
    recorded_at: datetime = data["recorded_at"]
    recipient = uow.session.get(Recipient, application_id, with_for_update=True)
    if (
        recipient is not None
        and recipient.contacts_recorded_at is not None
        and recipient.contacts_recorded_at > recorded_at
    ):
        return
    if recipient is None:
        recipient = Recipient(application_id=application_id)
        uow.session.add(recipient)
    volunteer = data["volunteer"]
    coordinator = data.get("coordinator") or {}
    opted_out = set(volunteer.get("opted_out") or ())
    recipient.forenames, recipient.surname = volunteer["forenames"], volunteer["surname"]
    recipient.email, recipient.mobile = volunteer.get("email"), volunteer.get("mobile")
    recipient.email_confirmed = bool(volunteer["email_confirmed"])
    recipient.mobile_confirmed = bool(volunteer["mobile_confirmed"])
    recipient.preferred_channel = volunteer["preferred_channel"]
    recipient.email_opt_out, recipient.sms_opt_out = "EMAIL" in opted_out, "SMS" in opted_out
    recipient.coordinator_email = coordinator.get("email")
    recipient.contacts_recorded_at = recorded_at
    recipient.updated_at = uow.now()
    uow.session.flush()
    for channel in sorted(opted_out):
        cancel_opted_out(uow, recipient, channel, "system", audit.SYSTEM)
    release_held(uow, recipient)
