"""The run's time, as the services tell it: a test that needs "now" or "today" asks here, never
the wall clock, so that a run shifted with TEST_CLOCK_AT agrees with the processes it starts."""

from __future__ import annotations

from datetime import date, datetime

from shared.clock import process_clock
from shared.clock import today as london_today


def now() -> datetime:
    return process_clock().now()


def iso_now() -> str:
    return now().isoformat()


def today() -> date:
    """Today in London."""
    return london_today(process_clock())
