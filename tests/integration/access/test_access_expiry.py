"""Expiry is a date as people read it, at the gate and in the API, on both run modes: a
clearance valid until D lets the person in all through D in London (whatever time of day it
was issued), and not from the first second of D+1, on either side of a clock change."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from shared.clock import LONDON, ManualClock, end_of_london_day
from tests.support.access_harness import Access


def _london(day: date, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), LONDON).astimezone(UTC)


@pytest.mark.parametrize("day", [date(2027, 3, 28), date(2027, 10, 31)], ids=str)
def test_a_clearance_valid_until_a_day_admits_all_that_day_in_london(backend_env, day):
    clock = ManualClock(_london(day - timedelta(days=20), 10, 0))
    access = Access(backend_env["access"], clock=clock)
    expires = _london(day, 9, 15)  # issued at 09:15 some years before
    data = access.grant_clearance(expires_at=expires.isoformat())
    grant_id = access.grant_id(data["person_id"])
    grant = access.activate(grant_id, badge=f"DST-{day:%m%d}")
    assert grant["clearance"]["expires_at"] == end_of_london_day(day).isoformat()
    assert grant["valid_until"] == end_of_london_day(day).isoformat()

    for moment in (_london(day, 9, 15), _london(day, 23, 30)):
        clock.set(moment)
        answer = access.gate(person=data["person_id"])
        assert answer["allowed"] is True, (moment, answer)
        assert answer["valid_until"] == end_of_london_day(day).isoformat()
    clock.set(_london(day + timedelta(days=1), 0, 0, 1))
    assert access.gate(person=data["person_id"])["reason"] == "EXPIRED"


def test_the_last_day_may_be_chosen_and_today_is_not_past(backend_env):
    day = date(2027, 6, 15)
    clock = ManualClock(_london(day, 22, 0))
    access = Access(backend_env["access"], clock=clock)
    data = access.grant_clearance(expires_at=_london(day, 9, 15).isoformat())
    grant_id = access.grant_id(data["person_id"])
    # Late on the clearance's last day, after its time of issue: still a valid last day.
    approved = access.decide(
        grant_id,
        "approval",
        {"access_type": "ESCORTED", "valid_until": _london(day, 8, 0).isoformat()},
    )
    assert approved["valid_until"] == end_of_london_day(day).isoformat()
    later = access.grant_clearance(expires_at=_london(day, 9, 15).isoformat())
    problems = access.decide(
        access.grant_id(later["person_id"]),
        "approval",
        {
            "access_type": "ESCORTED",
            "valid_until": _london(day + timedelta(days=1), 8, 0).isoformat(),
        },
        expect=422,
    )
    assert "valid_until" in str(problems)
