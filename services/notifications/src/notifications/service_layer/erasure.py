"""Erasure in notifications: vetting.person_erased → the person's contact details
and every message written about them are erased, anything not yet sent is cancelled, and
notifications reports with `notification.person_erased`.

- The recipient rows of the listed applications (names, email, mobile, the coordinator's
  email, the opt-outs) hold nothing but personal data: they are deleted.
- Each notification of those applications keeps its template, channel, recipient kind,
  status, attempts, provider and timestamps (statistics: what was sent, how, how fast) and
  loses its address, subject, body and last error.
- The log channel's file (`var/messages.jsonl`) is rewritten without their lines, before the
  transaction commits: should the commit fail, the event comes again and so does the rewrite.
- One still to be sent (QUEUED, SENDING, or retrying) becomes PERMANENT_FAILURE now, so the
  sender never picks it up. No notification.failed is emitted: it is not a delivery failure
  anyone should act on. (A send already handed to a provider when this commits may still be
  recorded as sent by its sender; the row's content is gone either way, and a log channel's
  line written by that send is removed by the sender when it records it.)

Safe to re-run: a second report about the same person finds nothing left, changes nothing and
reports zeros (it still reports). Safe to interrupt: one transaction, the consumer's.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select

from notifications.adapters.channels.log import forget_messages
from notifications.domain.lifecycle import NotificationState, is_pending
from notifications.models import Notification, Recipient
from notifications.service_layer import outgoing
from notifications.service_layer.delivery import move
from shared import erasure
from shared.audit import log as audit
from shared.uow import UnitOfWork

CANCELLED = "Cancelled: the person's data was erased."
# An address nobody has, unique per row as (event, recipient, channel) requires.
ERASED_RECIPIENT = "erased:"


# The events that erase (the handlers: notifications.service_layer.handlers). An
# organisation's erasure (vetting.applications_erased) names applications and no person: the
# same use case erases what is held for those applications.
EVENT_TYPES = ("vetting.person_erased", "vetting.applications_erased")


def erase_person(uow: UnitOfWork, data: Mapping[str, Any], log_file: Path | None = None) -> None:
    """vetting.person_erased → delete contacts, cancel and blank messages, forget, report."""
    session, moment = uow.session, uow.now()
    erasure_id = str(data["erasure_id"])
    person_id = str(data["person_id"]) if data.get("person_id") else None
    application_ids = sorted({str(i) for i in data["application_ids"]})
    # A DELETE's result is a CursorResult (it has a rowcount): Session.execute says Result.
    deleted = cast(
        CursorResult[Any],
        session.execute(delete(Recipient).where(Recipient.application_id.in_(application_ids))),
    )
    counts = {
        "recipients": deleted.rowcount or 0,
        "notifications_cancelled": 0,
        "notifications": 0,
    }
    notifications = list(
        session.execute(
            select(Notification)
            .where(Notification.application_id.in_(application_ids))
            .order_by(Notification.id)
            .with_for_update()
        ).scalars()
    )
    if log_file is not None:
        counts["log_lines"] = forget_messages(log_file, [n.id for n in notifications])
    for notification in notifications:
        if is_pending(notification):
            move(notification, NotificationState.PERMANENT_FAILURE)
            notification.failed_at = notification.failed_at or moment
            notification.last_error = CANCELLED
            counts["notifications_cancelled"] += 1
        counts["notifications"] += _anonymise(notification)
    counts["audit_keys"] = erasure.forget_audit_subjects(
        session,
        {
            "notification": [n.id for n in notifications],
            "application": application_ids,
            "notify_notification": [
                n.provider_reference for n in notifications if n.provider_reference
            ],
            "person": [i for i in (person_id, *application_ids) if i],
        },
    )
    counts.update(erasure.purge_copies(session, [i for i in (person_id, *application_ids) if i]))
    erasure.remember_erased(
        session, [i for i in (person_id, *application_ids) if i], erasure_id, moment
    )
    audit.record(
        session,
        service="notifications",
        actor="system",
        actor_kind=audit.SYSTEM,
        action="person.erased",
        subject_type="erasure",
        subject_id=erasure_id,
        detail={"counts": counts},
        at=moment,
    )
    outgoing.person_erased(
        uow,
        erasure_id=erasure_id,
        person_id=person_id,
        application_ids=application_ids,
        counts=counts,
        moment=moment,
    )


def _anonymise(notification: Notification) -> bool:
    recipient = ERASED_RECIPIENT + notification.id
    last_error = CANCELLED if notification.last_error == CANCELLED else None
    changed = (
        notification.recipient,
        notification.subject,
        notification.body,
        notification.last_error,
    ) != (recipient, "", "", last_error)
    notification.recipient, notification.subject, notification.body = recipient, "", ""
    notification.last_error = last_error
    return changed
