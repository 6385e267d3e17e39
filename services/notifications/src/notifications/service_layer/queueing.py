"""Queueing: each event the catalogue names becomes its messages, queued for the sender.

Who hears: the volunteer on the channel they prefer among those they confirmed and did not opt
out of (`notifications.domain.addresses`: with none confirmed, the message is held, never sent
to anyone else), the organisation's coordinator by email, and an establishment's security inbox
by email. How to reach them comes from application.contacts_recorded alone; the request to
confirm a channel (application.contact_confirmation_requested) is the one message that goes to
an address the volunteer has not confirmed, the address the event names.

Exactly one notification per (event, recipient, channel): the consumer's inbox runs a handler
once per event, and the unique key is the last word should anything slip past it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from notifications.domain.addresses import Address, volunteer_address
from notifications.domain.lifecycle import NotificationState
from notifications.domain.messages import (
    COORDINATOR,
    INVITATION,
    MESSAGES,
    SECURITY_INBOX,
    VOLUNTEER,
    Message,
)
from notifications.models import Notification, Recipient
from shared.audit import log as audit
from shared.handlers import Event, RetryLater
from shared.uow import UnitOfWork

Render = Callable[[str, str, str, Mapping[str, Any]], Any]  # -> .subject, .body
Personalise = Callable[..., dict[str, Any]]
SendTime = Callable[[str, datetime], datetime]


@dataclass(frozen=True)
class Queueing:
    """What queueing needs, built once per process by the composition root."""

    render: Render
    personalise: Personalise
    send_time: SendTime
    establishment_names: Mapping[str, str]
    console_url: str
    security_inbox: Callable[[str], str]
    wake_sender: Callable[[], None]


def _addresses(
    message: Message, recipient: Recipient | None, data: Mapping[str, Any], queueing: Queueing
) -> list[Address]:
    found: list[Address] = []
    for kind in message.recipients:
        if kind == VOLUNTEER and recipient is not None:
            address = volunteer_address(recipient)
            if address is not None:
                found.append(address)
        elif kind == COORDINATOR and data.get("sensitive"):
            # It touches what the checks found: the volunteer alone is asked.
            continue
        elif kind == COORDINATOR and recipient is not None and recipient.coordinator_email:
            found.append(Address(COORDINATOR, "EMAIL", recipient.coordinator_email))
        elif kind == SECURITY_INBOX:
            found.append(
                Address(
                    SECURITY_INBOX, "EMAIL", queueing.security_inbox(data["establishment_code"])
                )
            )
    return found


def queue_messages(uow: UnitOfWork, event: Event, queueing: Queueing) -> None:
    """An event of the catalogue → its messages, each to whoever it is for; the sender is woken
    once they are committed."""
    event_type = event.envelope.type
    messages = MESSAGES[event_type]
    needs_recipient = any(kind != SECURITY_INBOX for m in messages for kind in m.recipients)
    application_id = event.data.get("application_id")
    recipient = (
        uow.session.get(Recipient, str(application_id)) if application_id is not None else None
    )
    if recipient is None and needs_recipient:
        # application.contacts_recorded (how to reach them) may still be on its way.
        raise RetryLater(f"no contact details yet for application {application_id}")
    fields = queueing.personalise(
        event_type,
        event.data,
        forenames=recipient.forenames if recipient else "",
        surname=recipient.surname if recipient else "",
        reference=str(application_id or "")[:8].upper(),
        establishment_names=queueing.establishment_names,
        console_url=queueing.console_url,
    )
    queued = 0
    for message in messages:
        for address in _addresses(message, recipient, event.data, queueing):
            queued += _queue(uow, event, message, address, fields, queueing)
    if (
        recipient is not None
        and volunteer_address(recipient) is None
        and any(VOLUNTEER in m.recipients for m in messages)
    ):
        opted_out = recipient.email_opt_out and recipient.sms_opt_out
        audit.record(
            uow.session,
            service="notifications",
            actor="system",
            actor_kind=audit.SYSTEM,
            action="notification.not_sent_opted_out"
            if opted_out
            else "notification.not_sent_no_channel",
            subject_type="application",
            subject_id=str(application_id),
            detail={"event_type": event_type},
            at=uow.now(),
        )
    if queued:
        uow.after_commit(queueing.wake_sender)


def _queue(
    uow: UnitOfWork,
    event: Event,
    message: Message,
    address: Address,
    fields: Mapping[str, Any],
    queueing: Queueing,
) -> int:
    exists = uow.session.execute(
        select(Notification.id).where(
            Notification.event_id == event.id,
            Notification.recipient == address.to,
            Notification.channel == address.channel,
        )
    ).first()
    if exists is not None:
        return 0
    rendered = queueing.render(message.template, address.kind, address.channel.lower(), fields)
    moment = uow.now()
    uow.session.add(
        Notification(
            id=str(uuid.uuid4()),
            event_id=event.id,
            application_id=str(event.data["application_id"])
            if event.data.get("application_id")
            else None,
            recipient=address.to,
            recipient_kind=address.kind,
            channel=address.channel,
            template=message.template,
            subject=rendered.subject or "",
            body=rendered.body,
            status=NotificationState.HELD if address.held else NotificationState.QUEUED,
            attempts=0,
            created_at=moment,
            next_attempt_at=queueing.send_time(address.channel, moment),
        )
    )
    return 0 if address.held else 1


def ask_to_confirm(uow: UnitOfWork, event: Event, queueing: Queueing) -> None:
    """application.contact_confirmation_requested → the link (email) or the code (SMS), and
    application.volunteer_link_sent → the volunteer's link: to the address the event names and
    to nobody else."""
    event_type = event.envelope.type
    [message] = MESSAGES[event_type]
    channel = event.data["channel"]
    to = event.data["email"] if channel == "EMAIL" else event.data["mobile"]
    if not to:
        audit.record(
            uow.session,
            service="notifications",
            actor="system",
            actor_kind=audit.SYSTEM,
            action="notification.not_sent_no_address",
            subject_type="application",
            subject_id=str(event.data["application_id"]),
            detail={"event_type": event_type, "channel": channel},
            at=uow.now(),
        )
        return
    known = uow.session.get(Recipient, str(event.data["application_id"]))
    fields = queueing.personalise(
        event_type,
        event.data,
        forenames=event.data["forenames"],
        surname=known.surname if known is not None else "",
        reference=str(event.data["application_id"])[:8].upper(),
        establishment_names=queueing.establishment_names,
        console_url=queueing.console_url,
    )
    if _queue(uow, event, message, Address(VOLUNTEER, channel, to), fields, queueing):
        uow.after_commit(queueing.wake_sender)


def invite(uow: UnitOfWork, event: Event, queueing: Queueing) -> None:
    """organisation.member_invited → the invitation, by email to the address the event names
    (nobody's contact on record: the invitee is not a coordinator of any application yet)."""
    [message] = MESSAGES[INVITATION]
    fields = queueing.personalise(
        INVITATION,
        event.data,
        forenames="",
        surname="",
        reference="",
        establishment_names=queueing.establishment_names,
        console_url=queueing.console_url,
    )
    address = Address(COORDINATOR, "EMAIL", str(event.data["email"]))
    if _queue(uow, event, message, address, fields, queueing):
        uow.after_commit(queueing.wake_sender)
