"""Service levels of vetting cases: how old cases are, whom they wait on, and which are stuck.

Pure: no database, no web framework. The case model keeps, per case, the party it is waiting on
now and since when, plus the seconds already spent waiting on each party in earlier spells
(`add_wait` folds the current spell into those totals on every transition). The report
(`GET /reports/cases`) is computed from those facts alone, so it needs no event history.

Percentiles use the NEAREST-RANK method: the reported figure is always the age or wait of a real
case, so an officer can say "one case in ten has waited at least this long" and find that case.
Linear interpolation would invent in-between figures, misleading for the small groups (a few
cases per level or state) this report mostly shows.

Beside each figure in seconds the report gives it in working days (England and Wales), and
weekly intake and decisions and the open cases' ages in working days
(vetting.domain.service_level_trends says how).

Times are aware datetimes. A clock that runs backwards (now before opened_at or waiting_since,
e.g. a report node slightly behind the writer) counts as zero, never as a negative duration.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from vetting.domain import service_level_trends as trends
from vetting.domain.working_days import WEEKDAYS, WorkingCalendar

# MANAGER: a countersignature, or the person's history to acknowledge, is a manager's to give
# (an officer cannot move the case on): kept apart so the report shows where second
# signatures hold cases up.
PARTIES = ("APPLICANT", "PROVIDER", "OFFICER", "MANAGER")
UNKNOWN_LEVEL = "UNKNOWN"


@dataclass(frozen=True)
class CaseTimes:
    case_id: str
    level: str | None  # required level, e.g. "STANDARD"; None is reported as "UNKNOWN"
    status: str  # case state, e.g. OPEN, INFO_REQUESTED, CLEARED
    opened_at: datetime  # aware UTC
    closed_at: datetime | None  # set when the case reached CLEARED/REFUSED/WITHDRAWN
    waiting_on: str | None  # one of PARTIES, or None when nobody is (closed)
    waiting_since: datetime | None
    waited_s: Mapping[str, float]  # seconds already waited on each party in earlier spells


def _seconds(start: datetime, end: datetime) -> float:
    # Clamped: clock skew between writer and reporter must not produce negative durations.
    return max(0.0, (end - start).total_seconds())


def _end(case: CaseTimes, now: datetime) -> datetime:
    # A closed case's clock stopped at closed_at: its figures must not grow as `now` moves.
    return case.closed_at if case.closed_at is not None else now


def age_s(case: CaseTimes, now: datetime) -> float:
    """Seconds from opening to closing, or to `now` while the case is open."""
    return _seconds(case.opened_at, _end(case, now))


def add_wait(
    waited_s: Mapping[str, float],
    waiting_on: str | None,
    waiting_since: datetime | None,
    now: datetime,
) -> dict[str, float]:
    """The totals with the current spell (waiting_since .. now on waiting_on) added; every party
    present. Called by the case model on each transition, before it sets the next spell.

    An unknown party raises ValueError: silently dropping it would lose that time from every
    report, and the totals are written once and never recomputed."""
    unknown = ({waiting_on} - {None}) | set(waited_s)
    unknown -= set(PARTIES)
    if unknown:
        raise ValueError(f"unknown parties {sorted(map(str, unknown))}; expected {PARTIES}")
    totals = {party: float(waited_s.get(party, 0.0)) for party in PARTIES}
    if waiting_on is not None and waiting_since is not None:
        totals[waiting_on] += _seconds(waiting_since, now)
    return totals


def waits_s(case: CaseTimes, now: datetime) -> dict[str, float]:
    """Seconds the case has waited on each party so far, the current spell included."""
    return add_wait(case.waited_s, case.waiting_on, case.waiting_since, _end(case, now))


def percentile(values: Sequence[float], q: float) -> float | None:
    """The nearest-rank q-th percentile (q in 0..100): the smallest value with at least q% of
    the values at or below it, so always one of `values`. None when there are none."""
    if not 0 <= q <= 100:
        raise ValueError(f"q must be within 0..100, got {q}")
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))  # 1-based; q=0 gives the minimum
    return ordered[rank - 1]


def _summary(values: Sequence[float]) -> dict[str, float | None]:
    return {"median": percentile(values, 50), "p90": percentile(values, 90)}


class _Row(NamedTuple):
    age_s: float
    waits_s: dict[str, float]
    age_wd: int
    waits_wd: dict[str, float]


def _group(rows: Sequence[_Row]) -> dict[str, Any]:
    # Every case of the group counts for every party (0 when it never waited on that party), so
    # the parties' figures describe the same cases and can be compared side by side.
    return {
        "age_s": _summary([row.age_s for row in rows]),
        "age_working_days": _summary([row.age_wd for row in rows]),
        "count": len(rows),
        "waiting_s": {
            party: _summary([row.waits_s[party] for row in rows]) for party in sorted(PARTIES)
        },
        "waiting_working_days": {
            party: _summary([row.waits_wd[party] for row in rows]) for party in sorted(PARTIES)
        },
    }


def report(
    cases: Iterable[CaseTimes],
    now: datetime,
    *,
    stuck_after: timedelta = timedelta(days=14),
    stuck_limit: int = 20,
    calendar: WorkingCalendar = WEEKDAYS,
    longest_limit: int = trends.LONGEST,
    weeks: int = trends.WEEKS,
) -> dict[str, Any]:
    """JSON-ready service-level report; keys sorted so the output is stable between calls.

    A case is stuck when it is open and its CURRENT wait exceeds stuck_after: that is the
    actionable signal (someone must chase that party now); a long total alone may be history.
    `longest_waiting` lists the open cases waiting longest now, whatever stuck_after says.
    Working days are `calendar`'s (the England and Wales one in the service)."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    if stuck_limit < 0:
        raise ValueError(f"stuck_limit must be >= 0, got {stuck_limit}")
    by_level: dict[str, list[_Row]] = {}
    by_state: dict[str, list[_Row]] = {}
    stuck: list[dict[str, Any]] = []
    waiting: list[dict[str, Any]] = []
    milestones: list[trends.Milestones] = []
    open_ages_wd: list[int] = []
    total = open_count = 0
    limit_s = stuck_after.total_seconds()
    for case in cases:
        total += 1
        age, waits = age_s(case, now), waits_s(case, now)
        age_wd = calendar.working_days_between(case.opened_at, _end(case, now))
        row = _Row(age, waits, age_wd, trends.share_of_age(age_wd, age, waits))
        by_level.setdefault(case.level or UNKNOWN_LEVEL, []).append(row)
        by_state.setdefault(case.status, []).append(row)
        milestones.append(trends.Milestones(case.opened_at, case.closed_at, case.status))
        if case.closed_at is not None:
            continue
        open_count += 1
        open_ages_wd.append(age_wd)
        if case.waiting_since is None:
            continue
        waiting_for = _seconds(case.waiting_since, now)
        item: dict[str, Any] = {
            "age_s": age,
            "age_working_days": age_wd,
            "case_id": case.case_id,
            "level": case.level or UNKNOWN_LEVEL,
            "status": case.status,
            "waiting_for_s": waiting_for,
            "waiting_on": case.waiting_on,
            "waiting_working_days": calendar.working_days_between(case.waiting_since, now),
        }
        waiting.append(item)
        if waiting_for > limit_s:
            stuck.append(item)
    # Longest wait first; case_id breaks ties so equal waits always list in the same order.
    stuck.sort(key=lambda item: (-item["waiting_for_s"], item["case_id"]))
    return {
        "age_distribution": trends.age_distribution(open_ages_wd),
        "by_level": {level: _group(rows) for level, rows in sorted(by_level.items())},
        "by_state": {state: _group(rows) for state, rows in sorted(by_state.items())},
        "generated_at": now.isoformat(),
        "longest_waiting": trends.longest_waiting(waiting, longest_limit),
        "open": open_count,
        "stuck": stuck[:stuck_limit],
        "total": total,
        "weekly": trends.weekly(milestones, now, weeks),
        "working_days": trends.calendar_note(calendar),
    }
