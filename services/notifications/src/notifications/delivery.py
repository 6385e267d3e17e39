"""A notification's delivery states and every move between them, for the sender and for
Notify's delivery-status callbacks alike.

QUEUED → SENDING → SENT → DELIVERED | TEMPORARY_FAILURE | PERMANENT_FAILURE.

Beside them: HELD, a message meant for the volunteer while no channel of theirs is confirmed
(never sent; QUEUED once they confirm that channel), and CANCELLED, a message that will never
go because the volunteer opted out of its channel while it waited (queued, held or retrying).

- TEMPORARY_FAILURE with no `failed_at` is "retrying": due again at `next_attempt_at`.
  TEMPORARY_FAILURE with `failed_at` is final: Notify gave up after its own retries (the phone
  stayed off), which is no reason for us to start again.
- A SENDING row's `next_attempt_at` is its lease: a sender that died mid-send leaves the row
  SENDING, and it is due again (sent at least once) when the lease runs out.
- `notification.sent` is emitted when `sent_at` is first set and `notification.failed` when
  `failed_at` is, in the same transaction as the state change: once each, whatever repeats.

Every function here takes a row loaded (and locked) in the caller's unit of work.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_

from notifications.models import Notification
from shared.uow import UnitOfWork

QUEUED = "QUEUED"
HELD = "HELD"
CANCELLED = "CANCELLED"
SENDING = "SENDING"
SENT = "SENT"
DELIVERED = "DELIVERED"
TEMPORARY_FAILURE = "TEMPORARY_FAILURE"
PERMANENT_FAILURE = "PERMANENT_FAILURE"

# The longest wait between two attempts, whatever the attempt count: a message a day late is
# of little use, so the attempts left should not be spread any thinner than this.
RETRY_CAP = timedelta(hours=6)
_ERROR_LIMIT = 1000


def retry_delay(attempts: int, base_s: float, rng: random.Random | None = None) -> timedelta:
    """base * 2^(attempts - 1), capped, plus up to 10% so that a batch that failed together
    (the SMTP server was down) does not come back all at the same second."""
    seconds = min(base_s * 2 ** max(attempts - 1, 0), RETRY_CAP.total_seconds())
    return timedelta(seconds=seconds * (1 + (rng or random).uniform(0, 0.1)))


def is_due(moment: datetime) -> ColumnElement[bool]:
    """What the sender may pick up at `moment`: queued, retrying, or a SENDING lease run out."""
    return and_(
        Notification.next_attempt_at <= moment,
        or_(
            Notification.status.in_((QUEUED, SENDING)),
            and_(Notification.status == TEMPORARY_FAILURE, Notification.failed_at.is_(None)),
        ),
    )


def is_waiting(notification: Notification) -> bool:
    """Not sent yet and not given up on: queued, held, or retrying."""
    return notification.status in (QUEUED, HELD) or (
        notification.status == TEMPORARY_FAILURE and notification.failed_at is None
    )


def is_final(notification: Notification) -> bool:
    return notification.status in (DELIVERED, PERMANENT_FAILURE, CANCELLED) or (
        notification.status == TEMPORARY_FAILURE and notification.failed_at is not None
    )


def _event_data(notification: Notification) -> dict[str, Any]:
    return {
        "notification_id": notification.id,
        "application_id": notification.application_id,
        "template": notification.template,
        "channel": notification.channel,
        "recipient_kind": notification.recipient_kind,
    }


def _subject(notification: Notification) -> str:
    return notification.application_id or notification.id


def mark_sent(
    uow: UnitOfWork, notification: Notification, at: datetime, provider: str, reference: str | None
) -> None:
    """The provider took it. A fast Notify callback may already have moved the row on (it can
    arrive before this commits): then only the send's own facts are recorded."""
    if notification.status == SENDING:
        notification.status = SENT
        notification.last_error = None
    notification.provider = provider
    if reference is not None:
        notification.provider_reference = reference
    if notification.sent_at is None:
        notification.sent_at = at
        uow.emit(
            "notification.sent",
            subject=_subject(notification),
            data={**_event_data(notification), "sent_at": at.isoformat()},
        )


def mark_failed(
    uow: UnitOfWork,
    notification: Notification,
    at: datetime,
    error: str,
    *,
    status: str = PERMANENT_FAILURE,
) -> None:
    """Final failure (PERMANENT_FAILURE, or Notify's final TEMPORARY_FAILURE)."""
    notification.status = status
    notification.last_error = error[:_ERROR_LIMIT]
    if notification.failed_at is None:
        notification.failed_at = at
        uow.emit(
            "notification.failed",
            subject=_subject(notification),
            data={**_event_data(notification), "failed_at": at.isoformat()},
        )


def retry_or_fail(
    uow: UnitOfWork,
    notification: Notification,
    at: datetime,
    error: str,
    *,
    max_attempts: int,
    retry_base_s: float,
    rng: random.Random | None = None,
) -> None:
    """A temporary failure: try again later, unless the attempts are used up."""
    if notification.attempts >= max_attempts:
        mark_failed(
            uow, notification, at, f"gave up after {notification.attempts} attempts: {error}"
        )
        return
    notification.status = TEMPORARY_FAILURE
    notification.last_error = error[:_ERROR_LIMIT]
    notification.next_attempt_at = at + retry_delay(notification.attempts, retry_base_s, rng)


def mark_delivered(notification: Notification, at: datetime) -> None:
    notification.status = DELIVERED
    notification.delivered_at = at
    notification.last_error = None


def apply_notify_status(
    uow: UnitOfWork,
    notification: Notification,
    notify_id: str,
    notify_status: str,
    at: datetime,
    *,
    max_attempts: int,
    retry_base_s: float,
    completed_at: datetime | None = None,
) -> bool:
    """A Notify delivery receipt; True if it changed the notification. Receipts repeat and may
    come in any order, so only SENDING and SENT rows move (and a retrying one, to DELIVERED);
    a final state (DELIVERED above all) never does."""
    if notification.provider not in (None, "notify") or notification.provider_reference not in (
        None,
        notify_id,
    ):
        return False  # a receipt for an earlier send of it, or for a message Notify never had
    # When Notify concluded, if it says (not when its receipt reached us).
    concluded = min(completed_at, at) if completed_at is not None else at
    in_flight = notification.status in (SENDING, SENT)
    retrying = notification.status == TEMPORARY_FAILURE and notification.failed_at is None
    if notify_status == "delivered" and (in_flight or retrying):
        mark_delivered(notification, concluded)
    elif notify_status == "permanent-failure" and in_flight:
        mark_failed(uow, notification, concluded, "Notify: permanent-failure")
    elif notify_status == "temporary-failure" and in_flight:
        # Notify retried for up to 72 hours before saying this (phone off, inbox full): final.
        mark_failed(
            uow, notification, concluded, "Notify: temporary-failure", status=TEMPORARY_FAILURE
        )
    elif notify_status == "technical-failure" and in_flight:
        # Notify's own fault, and the message never left it: send it again.
        retry_or_fail(
            uow,
            notification,
            at,
            "Notify: technical-failure",
            max_attempts=max_attempts,
            retry_base_s=retry_base_s,
        )
    else:
        return False
    # A receipt that outran the sender's own record of the send (SENDING) says which it was.
    notification.provider = "notify"
    notification.provider_reference = notify_id
    return True
