"""Every event notifications publishes, built here, one function per event type: a message sent
(handed to its provider), a message that finally failed, and the report of an erasure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from notifications.models import Notification
from shared import erasure
from shared.events import Envelope
from shared.uow import UnitOfWork


def _about(notification: Notification) -> dict[str, Any]:
    return {
        "notification_id": notification.id,
        "application_id": notification.application_id,
        "template": notification.template,
        "channel": notification.channel,
        "recipient_kind": notification.recipient_kind,
    }


def _subject(notification: Notification) -> str:
    return notification.application_id or notification.id


def notification_sent(uow: UnitOfWork, notification: Notification, at: datetime) -> Envelope:
    return uow.emit(
        "notification.sent",
        subject=_subject(notification),
        data={**_about(notification), "sent_at": at.isoformat()},
    )


def notification_failed(uow: UnitOfWork, notification: Notification, at: datetime) -> Envelope:
    return uow.emit(
        "notification.failed",
        subject=_subject(notification),
        data={**_about(notification), "failed_at": at.isoformat()},
    )


def person_erased(
    uow: UnitOfWork,
    *,
    erasure_id: str,
    person_id: str | None,
    application_ids: Iterable[str],
    counts: Mapping[str, int],
    moment: datetime,
) -> None:
    """The erasure's report, as every service reports one (shared.erasure)."""
    erasure.report(
        uow,
        "notification.person_erased",
        erasure_id=erasure_id,
        person_id=person_id,
        application_ids=application_ids,
        counts=counts,
        moment=moment,
    )
