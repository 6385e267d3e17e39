"""How far back the addresses go and where they leave gaps: for ADDRESS_HISTORY and CTC.

The same day arithmetic as the applications service's readiness check (which vetting does not
import: each service owns its code): whole days, both ends count, a current address (no
"to" date) runs to today, and a gap is the days no period covers. A gap is counted only over the
years asked for, and one of `max_gap_days` or fewer is a move, not a gap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from vetting.adapters.providers.base import as_date, items, years_before

ONE_DAY = timedelta(days=1)
# The UK postcode format (a copy of the applications schema's: a format check, not a lookup).
UK_POSTCODE = re.compile(
    r"^(GIR ?0AA|[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPS-UW]"
    r"|[A-HK-Y][0-9][ABEHMNPRV-Y]) ?[0-9][ABD-HJLNP-UW-Z]{2})$"
)


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date  # the last day, inclusive


@dataclass(frozen=True)
class Coverage:
    needed_from: date  # the first day the history must cover
    starts_on: date | None  # the first covered day; None: nothing covered up to today
    gaps: tuple[Period, ...]  # uncovered runs longer than max_gap_days, inside the window

    @property
    def complete(self) -> bool:
        return self.starts_on is not None and self.starts_on <= self.needed_from and not self.gaps

    def problems(self) -> list[str]:
        """Each shortfall in plain words, earliest first."""
        found = []
        if self.starts_on is None:
            found.append("no address covers any day up to today")
        elif self.starts_on > self.needed_from:
            found.append(
                f"the history starts on {self.starts_on.isoformat()}, but must go back "
                f"to {self.needed_from.isoformat()}"
            )
        found += [
            f"a gap of {(g.end - g.start).days + 1} days from {g.start.isoformat()} to "
            f"{g.end.isoformat()}"
            for g in self.gaps
        ]
        return found

    def as_detail(self) -> dict[str, Any]:
        return {
            "needed_from": self.needed_from.isoformat(),
            "starts_on": self.starts_on.isoformat() if self.starts_on else None,
            "gaps": [
                {
                    "from_date": g.start.isoformat(),
                    "to_date": g.end.isoformat(),
                    "days": (g.end - g.start).days + 1,
                }
                for g in self.gaps
            ],
        }


def address_periods(addresses: Any, today: date, *, uk_only: bool = False) -> list[Period]:
    """The periods of the addresses (with a from date), optionally only those in the UK."""
    periods = []
    for address in items(addresses):
        start = as_date(address.get("from_date"))
        if start is None or (uk_only and not is_uk(address)):
            continue
        end = as_date(address.get("to_date")) or today
        periods.append(Period(start, max(start, end)))
    return periods


def explained_periods(explanations: Any) -> list[Period]:
    """address_gap_explanations: {from_date, to_date, explanation}; each covers its days."""
    periods = []
    for gap in items(explanations):
        start = as_date(gap.get("from_date"))
        if start is not None:
            end = as_date(gap.get("to_date")) or start
            periods.append(Period(start, max(start, end)))
    return periods


def is_uk(address: Mapping[str, Any]) -> bool:
    postcode = address.get("postcode")
    return isinstance(postcode, str) and UK_POSTCODE.match(postcode.strip().upper()) is not None


def coverage(periods: Iterable[Period], today: date, years: int, max_gap_days: int) -> Coverage:
    """Whether `periods` cover the `years` up to today with no gap over `max_gap_days`."""
    needed_from = years_before(today, years)
    known = sorted(p for p in periods if p.start <= today)
    if not known:
        return Coverage(needed_from, None, ())
    gaps = []
    for start, end in _uncovered(known, today):
        start = max(start, needed_from)  # days before the window do not matter
        if (end - start).days + 1 > max_gap_days:
            gaps.append(Period(start, end))
    return Coverage(needed_from, known[0].start, tuple(gaps))


def _uncovered(known: list[Period], today: date) -> Iterable[tuple[date, date]]:
    """(first day, last day) of each run, after the first period up to today, that no period
    covers. `known` is sorted by start."""
    reached = known[0].end  # the latest end of the periods seen so far
    for period in known[1:]:
        if period.start > reached + ONE_DAY:
            yield reached + ONE_DAY, period.start - ONE_DAY
        reached = max(reached, period.end)
    if reached < today:
        yield reached + ONE_DAY, today
