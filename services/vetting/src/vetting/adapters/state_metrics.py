"""Vetting's state for /metrics, read when scraped: open cases by the party they wait on, and
how long the longest of each has waited (what a service-level alert watches)."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import Metric
from sqlalchemy import func, select

from shared.platform import Platform
from shared.web.metrics import gauge_by
from vetting.models import VettingCase


def case_waits(platform: Platform) -> Iterator[Metric]:
    now = platform.clock.now()
    with platform.engine.connect() as conn:
        rows = conn.execute(
            select(VettingCase.waiting_on, func.count(), func.min(VettingCase.waiting_since))
            .where(VettingCase.waiting_on.is_not(None))
            .group_by(VettingCase.waiting_on)
        ).all()
    yield gauge_by(
        "vetting_cases_waiting",
        "Open cases by the party they wait on",
        "waiting_on",
        {str(party): n for party, n, _since in rows},
    )
    yield gauge_by(
        "vetting_oldest_wait_seconds",
        "How long the case waiting longest on each party has waited",
        "waiting_on",
        {
            str(party): max((now - since).total_seconds(), 0.0)
            for party, _n, since in rows
            if since is not None
        },
    )
