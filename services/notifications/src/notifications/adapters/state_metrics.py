"""Notifications' state for /metrics, read when scraped: messages by state (failures and a
growing backlog of queued ones are what an operator is alerted to)."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import Metric
from sqlalchemy import func, select

from notifications.models import Notification
from shared.platform import Platform
from shared.web.metrics import gauge_by


def notifications_by_status(platform: Platform) -> Iterator[Metric]:
    with platform.engine.connect() as conn:
        rows = conn.execute(
            select(Notification.status, func.count()).group_by(Notification.status)
        ).all()
    yield gauge_by(
        "notifications", "Notifications by state", "status", {status: n for status, n in rows}
    )
