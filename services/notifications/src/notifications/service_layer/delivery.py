"""Every move of a notification's delivery state, for the sender and for Notify's
delivery-status callbacks alike (the states and their table: `notifications.domain.lifecycle`).

- `notification.sent` is emitted when `sent_at` is first set and `notification.failed` when
  `failed_at` is, in the same transaction as the state change: once each, whatever repeats.

Every function here takes a row loaded (and locked) in the caller's unit of work.
"""

from __future__ import annotations

import random
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_

from notifications.domain.lifecycle import (
    IN_FLIGHT,
    NOTIFICATION,
    SYSTEM,
    NotificationState,
    is_retrying,
    retry_delay,
)
from notifications.models import Notification
from notifications.service_layer import outgoing
from shared.uow import UnitOfWork

_ERROR_LIMIT = 1000


def move(notification: Notification, target: NotificationState) -> None:
    """A state change the table allows (StateConflict otherwise, and nothing changed)."""
    NOTIFICATION.check_move(notification.status, target)
    notification.status = target


def is_due(moment: datetime) -> ColumnElement[bool]:
    """What the sender may pick up at `moment`: queued, retrying, or a SENDING lease run out."""
    return and_(
        Notification.next_attempt_at <= moment,
        or_(
            Notification.status.in_((NotificationState.QUEUED, NotificationState.SENDING)),
            and_(
                Notification.status == NotificationState.TEMPORARY_FAILURE,
                Notification.failed_at.is_(None),
            ),
        ),
    )


def claim(notification: Notification, lease_until: datetime) -> None:
    """The sender takes a due row (a SENDING one whose lease ran out, too): one more attempt,
    and the row is its sender's until `lease_until`."""
    notification.status = NotificationState(
        NOTIFICATION.step(notification.status, "claim", {SYSTEM}).target
    )
    notification.attempts += 1
    notification.next_attempt_at = lease_until


def mark_sent(
    uow: UnitOfWork, notification: Notification, at: datetime, provider: str, reference: str | None
) -> None:
    """The provider took it. A fast Notify callback may already have moved the row on (it can
    arrive before this commits): then only the send's own facts are recorded."""
    if notification.status == NotificationState.SENDING:
        move(notification, NotificationState.SENT)
        notification.last_error = None
    notification.provider = provider
    if reference is not None:
        notification.provider_reference = reference
    if notification.sent_at is None:
        notification.sent_at = at
        outgoing.notification_sent(uow, notification, at)


def mark_failed(
    uow: UnitOfWork,
    notification: Notification,
    at: datetime,
    error: str,
    *,
    status: NotificationState = NotificationState.PERMANENT_FAILURE,
) -> None:
    """Final failure (PERMANENT_FAILURE, or Notify's final TEMPORARY_FAILURE)."""
    move(notification, status)
    notification.last_error = error[:_ERROR_LIMIT]
    if notification.failed_at is None:
        notification.failed_at = at
        outgoing.notification_failed(uow, notification, at)


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
    move(notification, NotificationState.TEMPORARY_FAILURE)
    notification.last_error = error[:_ERROR_LIMIT]
    notification.next_attempt_at = at + retry_delay(notification.attempts, retry_base_s, rng)


def mark_delivered(notification: Notification, at: datetime) -> None:
    move(notification, NotificationState.DELIVERED)
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
    in_flight = notification.status in IN_FLIGHT
    if notify_status == "delivered" and (in_flight or is_retrying(notification)):
        mark_delivered(notification, concluded)
    elif notify_status == "permanent-failure" and in_flight:
        mark_failed(uow, notification, concluded, "Notify: permanent-failure")
    elif notify_status == "temporary-failure" and in_flight:
        # Notify retried for up to 72 hours before saying this (phone off, inbox full): final.
        mark_failed(
            uow,
            notification,
            concluded,
            "Notify: temporary-failure",
            status=NotificationState.TEMPORARY_FAILURE,
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
