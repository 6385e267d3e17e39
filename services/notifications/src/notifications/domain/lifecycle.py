"""A notification's delivery states and every move between them, as one table.

QUEUED → SENDING → SENT → DELIVERED | TEMPORARY_FAILURE | PERMANENT_FAILURE.

Beside them: HELD, a message meant for the volunteer while no channel of theirs is confirmed
(never sent; QUEUED once they confirm that channel), and CANCELLED, a message that will never
go because the volunteer opted out of its channel while it waited (queued, held or retrying).

- TEMPORARY_FAILURE with no `failed_at` is "retrying": due again at `next_attempt_at`.
  TEMPORARY_FAILURE with `failed_at` is final: Notify gave up after its own retries (the phone
  stayed off), which is no reason for us to start again.
- A SENDING row's `next_attempt_at` is its lease: a sender that died mid-send leaves the row
  SENDING, and it is due again (sent at least once) when the lease runs out.

The service layer consults `NOTIFICATION` before it changes a state (`step` for the sender's
claim and an operator's resend, `check_move` for the other moves). The retry delays are here
too, a pure rule of delivery.
"""

from __future__ import annotations

import random
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from shared.lifecycle import Machine, transitions

if TYPE_CHECKING:
    from notifications.models import Notification


class NotificationState(StrEnum):
    QUEUED = "QUEUED"
    HELD = "HELD"
    SENDING = "SENDING"
    SENT = "SENT"
    DELIVERED = "DELIVERED"
    TEMPORARY_FAILURE = "TEMPORARY_FAILURE"
    PERMANENT_FAILURE = "PERMANENT_FAILURE"
    CANCELLED = "CANCELLED"


_S = NotificationState

# Who moves a notification: the service itself (sender, receipts, events), or an operator.
SYSTEM = "system"
OPERATOR = "operator"
_SYSTEM = (SYSTEM,)

# Handed to a provider, and not yet known to have arrived or failed.
IN_FLIGHT = (_S.SENDING, _S.SENT)
# A notification that will not go by itself any more: an operator may send it again.
RESENDABLE = (_S.PERMANENT_FAILURE, _S.TEMPORARY_FAILURE)

NOTIFICATION = Machine(
    "notification",
    states=tuple(NotificationState),
    # TEMPORARY_FAILURE is final only with `failed_at` set (else it is retrying).
    final=(_S.DELIVERED, _S.PERMANENT_FAILURE, _S.CANCELLED),
    transitions=[
        # The sender claims what is due: queued, retrying, or a SENDING lease run out.
        *transitions((_S.QUEUED, _S.TEMPORARY_FAILURE, _S.SENDING), "claim", _S.SENDING, _SYSTEM),
        *transitions((_S.SENDING,), "sent", _S.SENT, _SYSTEM),
        # The provider's verdict, from the sender or from a Notify receipt.
        *transitions((*IN_FLIGHT, _S.TEMPORARY_FAILURE), "delivered", _S.DELIVERED, _SYSTEM),
        *transitions(IN_FLIGHT, "failed", _S.PERMANENT_FAILURE, _SYSTEM),
        *transitions(IN_FLIGHT, "notify_gave_up", _S.TEMPORARY_FAILURE, _SYSTEM),
        *transitions(IN_FLIGHT, "retry", _S.TEMPORARY_FAILURE, _SYSTEM),
        # The volunteer confirmed the channel a held message waits on.
        *transitions((_S.HELD,), "released", _S.QUEUED, _SYSTEM),
        # The volunteer opted out of the channel (by the applications service or an operator).
        *transitions(
            (_S.QUEUED, _S.HELD, _S.TEMPORARY_FAILURE),
            "opted_out",
            _S.CANCELLED,
            (SYSTEM, OPERATOR),
        ),
        # The person's data was erased: what would still go never will.
        *transitions(
            (_S.QUEUED, _S.SENDING, _S.HELD, _S.TEMPORARY_FAILURE),
            "erased",
            _S.PERMANENT_FAILURE,
            _SYSTEM,
        ),
        *transitions(RESENDABLE, "resend", _S.QUEUED, (OPERATOR,)),
    ],
)


def is_waiting(notification: Notification) -> bool:
    """Not sent yet and not given up on: queued, held, or retrying."""
    return notification.status in (_S.QUEUED, _S.HELD) or is_retrying(notification)


def is_retrying(notification: Notification) -> bool:
    return notification.status == _S.TEMPORARY_FAILURE and notification.failed_at is None


def is_pending(notification: Notification) -> bool:
    """What the sender would still pick up, whenever due (or release, when held)."""
    return notification.status in (_S.QUEUED, _S.SENDING, _S.HELD) or is_retrying(notification)


# The longest wait between two attempts, whatever the attempt count: a message a day late is
# of little use, so the attempts left should not be spread any thinner than this.
RETRY_CAP = timedelta(hours=6)


def retry_delay(attempts: int, base_s: float, rng: random.Random | None = None) -> timedelta:
    """base * 2^(attempts - 1), capped, plus up to 10% so that a batch that failed together
    (the SMTP server was down) does not come back all at the same second."""
    seconds = min(base_s * 2 ** max(attempts - 1, 0), RETRY_CAP.total_seconds())
    return timedelta(seconds=seconds * (1 + (rng or random).uniform(0, 0.1)))
