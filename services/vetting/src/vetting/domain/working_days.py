"""Working days in England and Wales: Monday to Friday, bank holidays excepted.

Pure: the bank holidays are given (vetting.adapters.bank_holidays reads them from the list
GOV.UK publishes). Moments are read as dates in Europe/London, where the people and the
prisons are: 23:30 UTC on a summer Friday is already Saturday there.

Working days BETWEEN two moments are the working days after the first's date up to and
including the second's: opened on Monday and looked at on Tuesday is 1; the same day is 0;
opened on Friday and looked at on Monday is 1. An end before the start counts 0 (a clock
behind the writer must not give negative ages), as the seconds figures do.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from shared.clock import london_date

SATURDAY = 5  # date.weekday(): Monday is 0


def as_london_date(moment: date | datetime) -> date:
    """A moment's date in London; a date is itself."""
    return london_date(moment) if isinstance(moment, datetime) else moment


def _weekdays_up_to(day: date) -> int:
    """Monday-to-Friday days from a fixed Monday (0001-01-01) up to and including `day`."""
    ordinal = day.toordinal() - 1  # 0001-01-01 is a Monday: ordinal 1
    weeks, rest = divmod(ordinal + 1, 7)
    return weeks * 5 + min(rest, 5)


@dataclass(frozen=True)
class WorkingCalendar:
    """Weekdays less the given bank holidays. `holidays` outside the years the source lists are
    unknown: there only weekends are left out (`covers` says which years are known)."""

    holidays: tuple[date, ...] = field(default=())

    @classmethod
    def of(cls, holidays: Iterable[date]) -> WorkingCalendar:
        return cls(tuple(sorted(set(holidays))))

    @property
    def covers(self) -> tuple[int, int] | None:
        """The first and last year with a bank holiday listed."""
        return (self.holidays[0].year, self.holidays[-1].year) if self.holidays else None

    def is_working_day(self, day: date | datetime) -> bool:
        day = as_london_date(day)
        if day.weekday() >= SATURDAY:
            return False
        found = bisect.bisect_left(self.holidays, day)
        return not (found < len(self.holidays) and self.holidays[found] == day)

    def working_days_between(self, start: date | datetime, end: date | datetime) -> int:
        """Working days after `start`'s date up to and including `end`'s (London dates)."""
        first, last = as_london_date(start), as_london_date(end)
        if last <= first:
            return 0
        weekdays = _weekdays_up_to(last) - _weekdays_up_to(first)
        # Bank holidays in (first, last] that fall on a weekday (a substitute day always does).
        low = bisect.bisect_right(self.holidays, first)
        high = bisect.bisect_right(self.holidays, last)
        holidays = sum(1 for day in self.holidays[low:high] if day.weekday() < SATURDAY)
        return weekdays - holidays

    def add_working_days(self, start: date | datetime, days: int) -> date:
        """The date `days` working days after `start`'s (London) date."""
        day = as_london_date(start)
        while days > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                days -= 1
        return day


# Weekends only: for callers (and tests) that know no bank holidays.
WEEKDAYS = WorkingCalendar()


def working_days_between(
    start: date | datetime, end: date | datetime, calendar: WorkingCalendar = WEEKDAYS
) -> int:
    """Working days after `start` up to and including `end`, in `calendar` (the England and
    Wales one: vetting.adapters.bank_holidays.england_and_wales())."""
    return calendar.working_days_between(start, end)
