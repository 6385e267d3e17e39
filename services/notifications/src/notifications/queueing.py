"""Event handlers: each event the catalogue names becomes its messages, queued for the sender.

Who hears: the volunteer on the channel they prefer (unless they opted out of it: then the
other one, if we can reach them there), the organisation's coordinator by email, and an
establishment's security inbox by email. Exactly one notification per (event, recipient,
channel): the consumer's inbox runs a handler once per event, and the unique key is the last
word should anything slip past it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from notifications.messages import COORDINATOR, MESSAGES, SECURITY_INBOX, VOLUNTEER, Message
from notifications.models import Notification, Recipient
from shared import audit
from shared.consumer import Event, RetryLater
from shared.uow import UnitOfWork

Render = Callable[[str, str, str, Mapping[str, Any]], Any]  # -> .subject, .body
Personalise = Callable[..., dict[str, Any]]
SendTime = Callable[[str, datetime], datetime]


@dataclass(frozen=True)
class Queueing:
    """What the handlers need, built once per process by the composition root."""

    render: Render
    personalise: Personalise
    send_time: SendTime
    establishment_names: Mapping[str, str]
    console_url: str
    security_inbox: Callable[[str], str]
    wake_sender: Callable[[], None]


@dataclass(frozen=True)
class Address:
    kind: str
    channel: str
    to: str


def remember_recipient(uow: UnitOfWork, event: Event) -> None:
    """application.submitted → how to reach the applicant and the coordinator."""
    applicant = event.data["applicant"]
    application_id = str(event.data["application_id"])
    recipient = uow.session.get(Recipient, application_id) or Recipient(
        application_id=application_id, email_opt_out=False, sms_opt_out=False)
    recipient.forenames = applicant["forenames"]
    recipient.surname = applicant["surname"]
    recipient.email = applicant["email"]
    recipient.mobile = applicant.get("mobile")
    recipient.preferred_channel = applicant["preferred_channel"]
    recipient.coordinator_email = event.data.get("coordinator_email")
    recipient.updated_at = uow.now()
    uow.session.add(recipient)
    uow.session.flush()


def volunteer_address(recipient: Recipient) -> Address | None:
    """The preferred channel unless opted out of it; else the other one if we can use it."""
    reachable = {"EMAIL": bool(recipient.email) and not recipient.email_opt_out,
                 "SMS": bool(recipient.mobile) and not recipient.sms_opt_out}
    preferred = recipient.preferred_channel
    for channel in (preferred, "SMS" if preferred == "EMAIL" else "EMAIL"):
        if reachable.get(channel):
            return Address(VOLUNTEER, channel,
                           recipient.email if channel == "EMAIL" else recipient.mobile or "")
    return None


def _addresses(message: Message, recipient: Recipient | None, data: Mapping[str, Any],
               queueing: Queueing) -> list[Address]:
    found: list[Address] = []
    for kind in message.recipients:
        if kind == VOLUNTEER and recipient is not None:
            address = volunteer_address(recipient)
            if address is not None:
                found.append(address)
        elif kind == COORDINATOR and recipient is not None and recipient.coordinator_email:
            found.append(Address(COORDINATOR, "EMAIL", recipient.coordinator_email))
        elif kind == SECURITY_INBOX:
            found.append(Address(SECURITY_INBOX, "EMAIL",
                                 queueing.security_inbox(data["establishment_code"])))
    return found


def make_handler(event_type: str, queueing: Queueing) -> Callable[[UnitOfWork, Event], None]:
    messages = MESSAGES[event_type]
    needs_recipient = any(kind != SECURITY_INBOX for m in messages for kind in m.recipients)

    def notify(uow: UnitOfWork, event: Event) -> None:
        application_id = event.data.get("application_id")
        recipient = (uow.session.get(Recipient, str(application_id))
                     if application_id is not None else None)
        if recipient is None and needs_recipient:
            # application.submitted (how to reach them) may still be on its way.
            raise RetryLater(f"no contact details yet for application {application_id}")
        fields = queueing.personalise(
            event_type, event.data,
            forenames=recipient.forenames if recipient else "",
            surname=recipient.surname if recipient else "",
            reference=str(application_id or "")[:8].upper(),
            establishment_names=queueing.establishment_names,
            console_url=queueing.console_url)
        queued = 0
        for message in messages:
            for address in _addresses(message, recipient, event.data, queueing):
                queued += _queue(uow, event, message, address, fields, queueing)
        if recipient is not None and not queued and volunteer_address(recipient) is None:
            audit.record(uow.session, service="notifications", actor="system",
                         actor_kind=audit.SYSTEM, action="notification.not_sent_opted_out",
                         subject_type="application", subject_id=str(application_id),
                         detail={"event_type": event_type}, at=uow.now())
        if queued:
            uow.after_commit(queueing.wake_sender)

    notify.handler_name = f"notifications.notify:{event_type}"  # type: ignore[attr-defined]
    return notify


def _queue(uow: UnitOfWork, event: Event, message: Message, address: Address,
           fields: Mapping[str, Any], queueing: Queueing) -> int:
    exists = uow.session.execute(select(Notification.id).where(
        Notification.event_id == event.id, Notification.recipient == address.to,
        Notification.channel == address.channel)).first()
    if exists is not None:
        return 0
    rendered = queueing.render(message.template, address.kind, address.channel.lower(), fields)
    moment = uow.now()
    uow.session.add(Notification(
        id=str(uuid.uuid4()), event_id=event.id,
        application_id=str(event.data["application_id"])
        if event.data.get("application_id") else None,
        recipient=address.to, recipient_kind=address.kind, channel=address.channel,
        template=message.template, subject=rendered.subject or "", body=rendered.body,
        status="QUEUED", attempts=0, created_at=moment,
        next_attempt_at=queueing.send_time(address.channel, moment)))
    return 1


def handlers(queueing: Queueing) -> dict[str, list[Callable[[UnitOfWork, Event], None]]]:
    """Every event the catalogue names; application.submitted also remembers the contacts."""
    found: dict[str, list[Callable[[UnitOfWork, Event], None]]] = {
        event_type: [make_handler(event_type, queueing)] for event_type in MESSAGES}
    found["application.submitted"].insert(0, remember_recipient)
    return found
