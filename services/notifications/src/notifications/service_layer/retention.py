"""What retention purges in the notifications service (the mechanics: `shared.retention`).

- messages: RETENTION_CHECK_DETAILS_MONTHS after a notification was sent (or finally failed):
  its rendered subject and body (names, and what the message was about), the address or number
  it went to (replaced by a placeholder unique to the row, which the one-per-(event, recipient,
  channel) key needs) and the provider's error text.

What stays: the application, template, channel, kind of recipient, status, attempts, provider
and its reference, and every date. Messages still queued or being retried are never touched.
`recipients` (how to reach an applicant for messages still to come) is not purged here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, or_

from notifications.domain.lifecycle import NotificationState
from notifications.models import Notification
from shared.retention import CHECK_DETAILS, Purge

ANONYMISED = "anonymised:"

# When the message was done with: its last final time.
DONE_AT = func.coalesce(Notification.failed_at, Notification.delivered_at, Notification.sent_at)


def _done(_cutoff: Any) -> tuple[Any, ...]:
    return (
        or_(
            Notification.status.in_(
                (
                    NotificationState.SENT,
                    NotificationState.DELIVERED,
                    NotificationState.PERMANENT_FAILURE,
                    NotificationState.CANCELLED,
                )
            ),
            and_(
                Notification.status == NotificationState.TEMPORARY_FAILURE,
                Notification.failed_at.is_not(None),
            ),
        ),
    )


def purge_message(_session: Any, notification: Notification) -> dict[str, Any]:
    fields = []
    for name, empty in (
        ("subject", ""),
        ("body", ""),
        ("last_error", None),
        ("recipient", ANONYMISED + notification.id),
    ):
        if getattr(notification, name) != empty:
            setattr(notification, name, empty)
            fields.append(name)
    return {"fields": fields, "template": notification.template, "channel": notification.channel}


PURGES = (
    Purge(
        name="messages",
        action="retention.message_purged",
        subject_type="notification",
        model=Notification,
        period=CHECK_DETAILS,
        decided_at=DONE_AT,
        purge=purge_message,
        where=_done,
    ),
)
