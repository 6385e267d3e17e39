"""The one clock: every process asks it for "now", never `datetime.now()` of its own.

Quiet hours, sweeps, retention, expiry, reminders, service levels, token and session expiry,
leases and backoff all decide by time, so they all read a `Clock`, built once per process by
the composition root (`build_platform`) and handed down. Production reads the system's time.

Development and test runs may shift the whole system's time with `TEST_CLOCK_AT` ("03:30" for
that time today in London, or "2027-03-28T00:30" for a London date and time): the clock then
runs on from there. A process that finds `TEST_CLOCK_AT` pins it as `TEST_CLOCK_OFFSET_S` in its
own environment (`pin_test_clock`), so that every process it starts, whenever, agrees on one
"now". A production deployment refuses to start with either set.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

TEST_CLOCK_AT = "TEST_CLOCK_AT"
TEST_CLOCK_OFFSET_S = "TEST_CLOCK_OFFSET_S"

_TIME_OF_DAY = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


class ClockSettingError(ValueError):
    """A TEST_CLOCK_AT that cannot be read."""


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware, in UTC."""
        ...


def today(clock: Clock) -> date:
    """The date in London (where the prisons and the people are) at the clock's now."""
    return clock.now().astimezone(LONDON).date()


def london_date(moment: datetime) -> date:
    """The date people in London read for this moment (a naive moment is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LONDON).date()


def end_of_london_day(day: date) -> datetime:
    """The last instant of `day` in London, in UTC: "valid until 3 June" means through the
    whole of 3 June as people there read it, whatever time of day the validity was issued
    at and whichever side of a clock change (the day may be 23 or 25 hours long)."""
    next_day = datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON)
    return next_day.astimezone(UTC) - timedelta(microseconds=1)


def valid_on(last_day: date, moment: datetime) -> bool:
    """Whether something valid until `last_day` (inclusive, London) still holds at `moment`."""
    return moment <= end_of_london_day(last_day)


@dataclass(frozen=True)
class SystemClock:
    """The system's time, shifted by `offset` in development and test runs only."""

    offset: timedelta = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


class ManualClock:
    """A clock a test sets and moves by hand."""

    def __init__(self, at: datetime) -> None:
        self._at = _aware(at)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = _aware(at)

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        self._at += delta if delta is not None else timedelta(**kwargs)
        return self._at


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("a clock's time must be timezone-aware")
    return at.astimezone(UTC)


def parse_clock_at(text: str, real_now: datetime) -> datetime:
    """ "HH:MM" → that time on `real_now`'s London date; "YYYY-MM-DDTHH:MM[:SS]" → that London
    date and time (an ISO offset, if given, wins). Returned in UTC."""
    match = _TIME_OF_DAY.match(text)
    if match:
        hours, minutes = int(match.group(1)), int(match.group(2))
        try:
            local = datetime.combine(
                real_now.astimezone(LONDON).date(), time(hours, minutes), tzinfo=LONDON
            )
        except ValueError as exc:
            raise ClockSettingError(f"{TEST_CLOCK_AT}={text!r}: {exc}") from None
        return local.astimezone(UTC)
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ClockSettingError(
            f"{TEST_CLOCK_AT}={text!r}: expected HH:MM (London, today) or YYYY-MM-DDTHH:MM (London)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LONDON)
    return moment.astimezone(UTC)


def pin_test_clock(environ: MutableMapping[str, str] | None = None) -> None:
    """Turn TEST_CLOCK_AT into a fixed TEST_CLOCK_OFFSET_S in `environ` (the process's own by
    default) unless it is pinned already, so that the processes started from here agree."""
    environ = os.environ if environ is None else environ
    text = environ.get(TEST_CLOCK_AT, "").strip()
    if not text or environ.get(TEST_CLOCK_OFFSET_S):
        return
    real_now = datetime.now(UTC)
    offset = parse_clock_at(text, real_now) - real_now
    environ[TEST_CLOCK_OFFSET_S] = f"{offset.total_seconds():.6f}"


def clock_offset(environ: Mapping[str, str] | None = None) -> timedelta:
    """The shift the run's environment asks for (zero when none); pins it first."""
    if environ is None:
        pin_test_clock()
        environ = os.environ
    elif environ.get(TEST_CLOCK_AT) and not environ.get(TEST_CLOCK_OFFSET_S):
        pinned = dict(environ)
        pin_test_clock(pinned)
        environ = pinned
    raw = environ.get(TEST_CLOCK_OFFSET_S, "").strip()
    if not raw:
        return timedelta(0)
    try:
        return timedelta(seconds=float(raw))
    except ValueError:
        raise ClockSettingError(f"{TEST_CLOCK_OFFSET_S}={raw!r} is not a number") from None


def system_clock(offset_s: float = 0.0) -> SystemClock:
    return SystemClock(timedelta(seconds=offset_s))


def process_clock() -> SystemClock:
    """The run's clock as this process's environment sets it: for what works beside the
    services rather than inside one (migrations, the demo, benchmarks, test clients)."""
    return SystemClock(clock_offset())
