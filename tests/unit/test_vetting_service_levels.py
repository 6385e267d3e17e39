"""Service levels: hand-computed examples (ages, waits, nearest-rank percentiles, stuck list),
then properties — percentiles stay within the data and median <= p90, group counts sum to the
total, and waits built by add_wait over consistent spells are never negative and never add up
to more than the case's age."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.properties import property_settings
from vetting.domain.service_levels import (
    PARTIES,
    CaseTimes,
    add_wait,
    age_s,
    percentile,
    report,
    waits_s,
)

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
DAY = 86_400.0
HOUR = 3_600.0
PROPERTY = property_settings(200, deadline=None)
ZERO = dict.fromkeys(PARTIES, 0.0)


def case(
    case_id: str,
    *,
    level: str | None = "STANDARD",
    status: str = "AWAITING_DECISION",
    opened_days_ago: float,
    closed_days_ago: float | None = None,
    waiting_on: str | None = "OFFICER",
    waiting_days: float | None = 0.0,
    waited_s: dict[str, float] | None = None,
    now: datetime = T0,
) -> CaseTimes:
    closed = now - timedelta(days=closed_days_ago) if closed_days_ago is not None else None
    since = now - timedelta(days=waiting_days) if waiting_days is not None else None
    if closed is not None:
        waiting_on, since = None, None
    return CaseTimes(
        case_id,
        level,
        status,
        now - timedelta(days=opened_days_ago),
        closed,
        waiting_on,
        since,
        waited_s or {},
    )


# --- examples -------------------------------------------------------------------------------


def test_percentile_nearest_rank_of_three():
    ages = [1 * DAY, 2 * DAY, 3 * DAY]
    assert percentile(ages, 50) == 2 * DAY  # rank ceil(1.5) = 2
    assert percentile(ages, 90) == 3 * DAY  # rank ceil(2.7) = 3
    assert percentile(ages, 0) == 1 * DAY
    assert percentile(ages, 100) == 3 * DAY


def test_percentile_even_count_and_ten_values():
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.0  # rank 2 of 4: the lower middle
    assert percentile([float(v) for v in range(1, 11)], 90) == 9.0  # rank 9 of 10
    assert percentile([float(v) for v in range(1, 12)], 90) == 10.0  # rank ceil(9.9) = 10


def test_percentile_empty_and_bad_q():
    assert percentile([], 50) is None
    with pytest.raises(ValueError):
        percentile([1.0], 101)
    with pytest.raises(ValueError):
        percentile([1.0], -1)


def test_age_of_open_case_grows_closed_case_stays_fixed():
    open_case = case("c1", opened_days_ago=3)
    closed = case("c2", status="CLEARED", opened_days_ago=10, closed_days_ago=4)
    later = T0 + timedelta(days=5)
    assert age_s(open_case, T0) == 3 * DAY
    assert age_s(open_case, later) == 8 * DAY
    assert age_s(closed, T0) == 6 * DAY
    assert age_s(closed, later) == 6 * DAY
    assert waits_s(closed, later) == ZERO


def test_age_never_negative_when_clock_behind():
    assert age_s(case("c1", opened_days_ago=0), T0 - timedelta(seconds=5)) == 0.0


def test_add_wait_accumulates_across_spells():
    # OFFICER 2h, APPLICANT 1 day, OFFICER 3h, PROVIDER 5h, MANAGER 4h (a countersignature):
    # each transition folds in a spell.
    totals: dict[str, float] = {}
    t = T0
    for party, hours in (
        ("OFFICER", 2),
        ("APPLICANT", 24),
        ("OFFICER", 3),
        ("PROVIDER", 5),
        ("MANAGER", 4),
    ):
        end = t + timedelta(hours=hours)
        totals = add_wait(totals, party, t, end)
        t = end
    assert totals == {
        "APPLICANT": 24 * HOUR,
        "PROVIDER": 5 * HOUR,
        "OFFICER": 5 * HOUR,
        "MANAGER": 4 * HOUR,
    }


def test_add_wait_without_current_spell_keeps_totals_and_fills_parties():
    assert add_wait({"OFFICER": 7.0}, None, None, T0) == ZERO | {"OFFICER": 7.0}
    assert add_wait({}, "OFFICER", None, T0) == ZERO
    # A spell ending before it started (clock skew) adds nothing rather than subtracting.
    assert add_wait({}, "OFFICER", T0, T0 - timedelta(hours=1)) == ZERO


def test_add_wait_rejects_unknown_party():
    with pytest.raises(ValueError, match="COURIER"):
        add_wait({}, "COURIER", T0, T0)
    with pytest.raises(ValueError, match="COURIER"):
        add_wait({"COURIER": 1.0}, None, None, T0)


def test_waits_include_current_spell():
    c = case(
        "c1",
        opened_days_ago=5,
        waiting_on="PROVIDER",
        waiting_days=2,
        waited_s={"OFFICER": 3 * DAY},
    )
    assert waits_s(c, T0) == {
        "APPLICANT": 0.0,
        "PROVIDER": 2 * DAY,
        "OFFICER": 3 * DAY,
        "MANAGER": 0.0,
    }


def test_report_groups_with_hand_computed_figures():
    cases = [
        case("a", opened_days_ago=1, waiting_on="OFFICER", waiting_days=1),
        case(
            "b",
            opened_days_ago=2,
            status="INFO_REQUESTED",
            waiting_on="APPLICANT",
            waiting_days=1,
            waited_s={"OFFICER": DAY},
        ),
        case(
            "c",
            opened_days_ago=3,
            status="CLEARED",
            closed_days_ago=0,
            waited_s={"OFFICER": DAY, "PROVIDER": 2 * DAY},
        ),
        case("d", level=None, opened_days_ago=20, waiting_on="PROVIDER", waiting_days=15),
    ]
    out = report(cases, T0)
    assert out["generated_at"] == "2026-11-01T09:00:00+00:00"
    assert (out["total"], out["open"]) == (4, 3)
    assert list(out["by_level"]) == ["STANDARD", "UNKNOWN"]
    standard = out["by_level"]["STANDARD"]
    assert standard["count"] == 3
    assert standard["age_s"] == {"median": 2 * DAY, "p90": 3 * DAY}
    assert standard["waiting_s"] == {
        "APPLICANT": {"median": 0.0, "p90": DAY},  # 0, 1d, 0
        "MANAGER": {"median": 0.0, "p90": 0.0},  # never
        "OFFICER": {"median": DAY, "p90": DAY},  # 1d, 1d, 1d
        "PROVIDER": {"median": 0.0, "p90": 2 * DAY},  # 0, 0, 2d
    }
    assert out["by_level"]["UNKNOWN"]["age_s"] == {"median": 20 * DAY, "p90": 20 * DAY}
    assert {s: g["count"] for s, g in out["by_state"].items()} == {
        "AWAITING_DECISION": 2,
        "CLEARED": 1,
        "INFO_REQUESTED": 1,
    }
    assert list(out["by_state"]) == sorted(out["by_state"])
    # Opened Monday 12 October, waiting since Saturday 17th, now Sunday 1 November: 14 and
    # 10 working days (weekdays after the first day, up to today).
    assert out["stuck"] == [
        {
            "age_s": 20 * DAY,
            "age_working_days": 14,
            "case_id": "d",
            "level": "UNKNOWN",
            "status": "AWAITING_DECISION",
            "waiting_for_s": 15 * DAY,
            "waiting_on": "PROVIDER",
            "waiting_working_days": 10,
        }
    ]
    # a and b have waited the same (no working day: a weekend): the id decides.
    assert [item["case_id"] for item in out["longest_waiting"]] == ["d", "a", "b"]
    json.dumps(out)  # JSON-ready as returned


def test_stuck_longest_first_ties_by_id_limit_and_threshold():
    cases = [
        case("short", opened_days_ago=30, waiting_days=14),  # exactly at threshold: not stuck
        case("mid", opened_days_ago=30, waiting_days=20),
        case("long", opened_days_ago=40, waiting_days=30),
        case("tie-b", opened_days_ago=30, waiting_days=20),
        case(
            "closed",
            status="REFUSED",
            opened_days_ago=90,
            closed_days_ago=1,
            waited_s={"OFFICER": 60 * DAY},
        ),
        case("no-spell", opened_days_ago=60, waiting_on=None, waiting_days=None),
    ]
    ids = [s["case_id"] for s in report(cases, T0)["stuck"]]
    assert ids == ["long", "mid", "tie-b"]
    assert [s["case_id"] for s in report(cases, T0, stuck_limit=2)["stuck"]] == ["long", "mid"]
    assert report(cases, T0, stuck_limit=0)["stuck"] == []
    assert [s["case_id"] for s in report(cases, T0, stuck_after=timedelta(days=25))["stuck"]] == [
        "long"
    ]


def test_stuck_uses_current_wait_not_total():
    # 50 days on the officer earlier, but only 1 day on the current spell: not stuck.
    c = case("c", opened_days_ago=60, waiting_days=1, waited_s={"OFFICER": 50 * DAY})
    assert report([c], T0)["stuck"] == []


def test_empty_report():
    out = report([], T0)
    assert {key: out[key] for key in ("by_level", "by_state", "open", "stuck", "total")} == {
        "by_level": {},
        "by_state": {},
        "open": 0,
        "stuck": [],
        "total": 0,
    }
    assert out["generated_at"] == T0.isoformat() and out["longest_waiting"] == []
    assert [bucket["count"] for bucket in out["age_distribution"]] == [0] * 5
    assert len(out["weekly"]) == 12 and not any(week["opened"] for week in out["weekly"])


def test_report_rejects_naive_now_and_negative_limit():
    with pytest.raises(ValueError):
        report([], datetime(2026, 11, 1))
    with pytest.raises(ValueError):
        report([], T0, stuck_limit=-1)


# --- properties -----------------------------------------------------------------------------

values = st.lists(st.floats(min_value=0, max_value=1e9, allow_nan=False), min_size=1)


@PROPERTY
@given(values)
def test_median_at_most_p90(xs):
    assert percentile(xs, 50) <= percentile(xs, 90)


@PROPERTY
@given(values, st.floats(min_value=0, max_value=100))
def test_percentile_is_one_of_the_values(xs, q):
    p = percentile(xs, q)
    assert min(xs) <= p <= max(xs)
    assert p in xs


@st.composite
def consistent_case(draw, case_id: str = "c") -> tuple[CaseTimes, datetime]:
    """A case driven through spells the way the model does it: at each transition add_wait
    folds the current spell in, then the next spell starts; closing ends with nobody waited on.
    Returns the case and a `now` at or after its last transition."""
    opened = T0 + timedelta(seconds=draw(st.integers(0, 10**6)))
    party = draw(st.sampled_from(PARTIES))
    since: datetime | None = opened
    waited: dict[str, float] = {}
    t = opened
    for gap, nxt in draw(
        st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(PARTIES)), max_size=6)
    ):
        t += timedelta(seconds=gap)
        waited = add_wait(waited, party, since, t)
        party, since = nxt, t
    closed = None
    if draw(st.booleans()):
        t += timedelta(seconds=draw(st.integers(0, 10**6)))
        waited = add_wait(waited, party, since, t)
        closed, party, since = t, None, None
    now = t + timedelta(seconds=draw(st.integers(0, 10**7)))
    level = draw(st.sampled_from(("STANDARD", "ENHANCED", None)))
    status = draw(
        st.sampled_from(
            ("CLEARED", "REFUSED", "WITHDRAWN")
            if closed
            else ("OPEN", "AWAITING_DECISION", "INFO_REQUESTED", "REVIEW")
        )
    )
    return CaseTimes(case_id, level, status, opened, closed, party, since, waited), now


@PROPERTY
@given(consistent_case(), st.integers(0, 10**7))
def test_waits_never_negative_and_within_age(pair, later):
    c, now = pair
    for moment in (now, now + timedelta(seconds=later)):
        waits = waits_s(c, moment)
        assert set(waits) == set(PARTIES)
        assert all(w >= 0 for w in waits.values())
        assert sum(waits.values()) <= age_s(c, moment) + 1e-6
    if c.closed_at is not None:  # a closed case's figures do not move with now
        assert age_s(c, now) == age_s(c, now + timedelta(seconds=later))
        assert waits_s(c, now) == waits_s(c, now + timedelta(seconds=later))


@PROPERTY
@given(st.lists(consistent_case(), max_size=12))
def test_counts_sum_to_total(pairs):
    cases = [replace(c, case_id=f"c{i}") for i, (c, _) in enumerate(pairs)]
    now = max((n for _, n in pairs), default=T0)
    out = report(cases, now)
    assert out["total"] == len(cases)
    assert sum(g["count"] for g in out["by_level"].values()) == out["total"]
    assert sum(g["count"] for g in out["by_state"].values()) == out["total"]
    assert out["open"] == sum(c.closed_at is None for c in cases)
    for group in [*out["by_level"].values(), *out["by_state"].values()]:
        for summary in [group["age_s"], *group["waiting_s"].values()]:
            assert summary["median"] <= summary["p90"]
    waits = [s["waiting_for_s"] for s in out["stuck"]]
    assert waits == sorted(waits, reverse=True)
