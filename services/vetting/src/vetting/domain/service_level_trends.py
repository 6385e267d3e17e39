"""The service-level report's figures in working days (England and Wales): ages, waits per
party, the cases waiting longest, weekly intake and decisions, and how old the open cases are.

Pure, like vetting.domain.service_levels, whose `report()` calls these. A case's age in working
days is exact (vetting.domain.working_days: the working days after the day it opened up to the
day it closed, or today). The case model keeps each party's earlier waits in seconds only, not
their dates, so a party's wait in working days is its share of the case's age in working days,
in proportion to the time waited on it: an estimate, exact for a case that waited on one party.
The current wait (the cases waiting longest) is exact: from `waiting_since` to now.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from vetting.domain.lifecycles.case import CaseState
from vetting.domain.working_days import WorkingCalendar, as_london_date

# Open cases by age in working days: (label, first, last); None: no upper bound.
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-5", 0, 5),
    ("6-10", 6, 10),
    ("11-20", 11, 20),
    ("21-40", 21, 40),
    ("41+", 41, None),
)
DECIDED = (CaseState.CLEARED, CaseState.REFUSED)
WEEKS = 12
LONGEST = 10


def share_of_age(age_wd: int, age_s: float, waits_s: Mapping[str, float]) -> dict[str, float]:
    """Each party's share of the age in working days, in proportion to its seconds (2 places)."""
    if age_s <= 0:
        return {party: 0.0 for party in waits_s}
    return {party: round(age_wd * seconds / age_s, 2) for party, seconds in waits_s.items()}


def age_distribution(open_ages_wd: Iterable[int]) -> list[dict[str, Any]]:
    counts = [0] * len(AGE_BUCKETS)
    for age in open_ages_wd:
        for index, (_label, first, last) in enumerate(AGE_BUCKETS):
            if age >= first and (last is None or age <= last):
                counts[index] += 1
                break
    return [
        {"bucket": label, "from_days": first, "to_days": last, "count": count}
        for (label, first, last), count in zip(AGE_BUCKETS, counts, strict=True)
    ]


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Milestones:
    """When a case opened, and when and how it closed (None while open)."""

    opened_at: datetime
    closed_at: datetime | None
    status: str


def weekly(cases: Sequence[Milestones], now: datetime, weeks: int = WEEKS) -> list[dict[str, Any]]:
    """Cases opened, decided (cleared or refused) and withdrawn per ISO week (London dates),
    the last `weeks` weeks, this one included, oldest first: a week with none counts 0."""
    this_week = _monday(as_london_date(now))
    starts = [this_week - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]
    rows: dict[date, dict[str, Any]] = {
        start: {"opened": 0, "decided": 0, "withdrawn": 0, "starts": start.isoformat()}
        for start in starts
    }
    for case in cases:
        opened = rows.get(_monday(as_london_date(case.opened_at)))
        if opened is not None:
            opened["opened"] += 1
        if case.closed_at is None:
            continue
        closed = rows.get(_monday(as_london_date(case.closed_at)))
        if closed is None:
            continue
        if case.status in DECIDED:
            closed["decided"] += 1
        elif case.status == CaseState.WITHDRAWN:
            closed["withdrawn"] += 1
    return [{"week": _iso_week(start), **rows[start]} for start in starts]


def _iso_week(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def longest_waiting(
    waiting: Iterable[dict[str, Any]], limit: int = LONGEST
) -> list[dict[str, Any]]:
    """The open cases waiting longest now (working days, then seconds; the id breaks ties)."""
    ordered = sorted(
        waiting,
        key=lambda item: (-item["waiting_working_days"], -item["waiting_for_s"], item["case_id"]),
    )
    return ordered[:limit]


def calendar_note(calendar: WorkingCalendar) -> dict[str, Any]:
    """Which years' bank holidays the figures knew (outside them: weekends only)."""
    covers = calendar.covers
    return {
        "bank_holidays": "england-and-wales",
        "bank_holiday_years": list(covers) if covers else None,
    }
