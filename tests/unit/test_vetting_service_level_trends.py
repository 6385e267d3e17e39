"""The service-level report in working days: weekly intake and decisions by ISO week (London
dates), the open cases' age buckets, each party's share of the age, the cases waiting longest."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from vetting.adapters.bank_holidays import england_and_wales
from vetting.domain.service_level_trends import (
    Milestones,
    age_distribution,
    longest_waiting,
    share_of_age,
    weekly,
)
from vetting.domain.service_levels import CaseTimes, report

# Thursday 3 December 2026, 10:00 UTC: ISO week 2026-W49, which starts on Monday 30 November.
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


def test_weeks_count_openings_decisions_and_withdrawals_oldest_first():
    cases = [
        Milestones(NOW - timedelta(days=1), None, "OPEN"),
        Milestones(NOW - timedelta(days=8), NOW - timedelta(days=2), "CLEARED"),
        Milestones(NOW - timedelta(days=9), NOW - timedelta(days=7), "REFUSED"),
        Milestones(NOW - timedelta(days=10), NOW - timedelta(days=1), "WITHDRAWN"),
        Milestones(NOW - timedelta(days=200), NOW - timedelta(days=150), "CLEARED"),
    ]
    weeks = weekly(cases, NOW)
    assert len(weeks) == 12
    assert (weeks[0]["week"], weeks[0]["starts"]) == ("2026-W38", "2026-09-14")
    assert weeks[-1] == {
        "week": "2026-W49",
        "starts": "2026-11-30",
        "opened": 1,
        "decided": 1,
        "withdrawn": 1,
    }
    assert weeks[-2] == {
        "week": "2026-W48",
        "starts": "2026-11-23",
        "opened": 3,
        "decided": 1,
        "withdrawn": 0,
    }
    assert sum(week["opened"] for week in weeks) == 4  # the one opened in June is outside


def test_a_week_is_a_london_week():
    # Sunday 29 November 23:30 UTC is still Sunday in London (winter time): week 48.
    late_sunday = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
    weeks = weekly([Milestones(late_sunday, None, "OPEN")], NOW)
    assert weeks[-2]["opened"] == 1 and weeks[-1]["opened"] == 0


def test_age_buckets():
    buckets = age_distribution([0, 5, 6, 10, 11, 20, 21, 40, 41, 400])
    assert [(b["bucket"], b["count"]) for b in buckets] == [
        ("0-5", 2),
        ("6-10", 2),
        ("11-20", 2),
        ("21-40", 2),
        ("41+", 2),
    ]
    assert (buckets[-1]["from_days"], buckets[-1]["to_days"]) == (41, None)


def test_a_partys_share_of_the_age():
    assert share_of_age(10, 100.0, {"OFFICER": 25.0, "PROVIDER": 75.0}) == {
        "OFFICER": 2.5,
        "PROVIDER": 7.5,
    }
    assert share_of_age(0, 0.0, {"OFFICER": 0.0}) == {"OFFICER": 0.0}


def test_longest_waiting_orders_and_limits():
    items = [
        {"case_id": "b", "waiting_working_days": 3, "waiting_for_s": 10.0},
        {"case_id": "a", "waiting_working_days": 3, "waiting_for_s": 10.0},
        {"case_id": "c", "waiting_working_days": 9, "waiting_for_s": 1.0},
    ]
    assert [i["case_id"] for i in longest_waiting(items, 2)] == ["c", "a"]


def test_the_report_counts_bank_holidays_out():
    calendar = england_and_wales()
    opened = datetime(2026, 12, 24, 9, 0, tzinfo=UTC)  # Christmas Eve
    now = datetime(2026, 12, 29, 9, 0, tzinfo=UTC)
    case = CaseTimes("x", "STANDARD", "AWAITING_DECISION", opened, None, "OFFICER", opened, {})
    out = report([case], now, calendar=calendar)
    assert out["by_level"]["STANDARD"]["age_working_days"] == {"median": 1, "p90": 1}
    assert out["by_level"]["STANDARD"]["waiting_working_days"]["OFFICER"] == {
        "median": 1.0,
        "p90": 1.0,
    }
    assert out["longest_waiting"][0]["waiting_working_days"] == 1
    assert [b["count"] for b in out["age_distribution"]] == [1, 0, 0, 0, 0]
    assert out["working_days"]["bank_holiday_years"][0] <= 2026
    assert date.fromisoformat(out["weekly"][-1]["starts"]) == date(2026, 12, 28)
