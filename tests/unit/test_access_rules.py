"""The access rules as pure functions: the clearance caps the terms, induction gates activation,
and the gate allows exactly the ACTIVE, in-date, permitted-day grants on an active clearance."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from access.domain.rules import (
    ACCESS_RANK,
    GATE_REASONS,
    LOCAL_TIME,
    WEEKDAYS,
    GateView,
    gate_decision,
    induction_outstanding,
    max_access,
    terms_problems,
)
from access.service_layer.gate import result_view
from shared.clock import end_of_london_day
from shared.events.vocabulary import GRANT_STATUSES

ACCESS = st.sampled_from(sorted(ACCESS_RANK))
MOMENT = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def view(**overrides):
    values = dict(
        grant_id="g",
        status="ACTIVE",
        clearance_status="ACTIVE",
        clearance_expires_at=MOMENT + timedelta(days=30),
        access_type="ESCORTED",
        conditions=[],
        permitted_days=None,
        permitted_areas=[],
        valid_until=MOMENT + timedelta(days=10),
        forenames="A",
        surname="B",
        date_of_birth=None,
        badge_number="1",
    )
    values.update(overrides)
    return GateView(**values)


@given(ACCESS, st.lists(st.sampled_from(["ESCORTED_ONLY", "EXCLUDE_ESTABLISHMENT:WWI"])))
def test_escorted_only_always_caps_at_escorted(access, conditions):
    allowed = max_access(access, conditions)
    assert allowed == ("ESCORTED" if "ESCORTED_ONLY" in conditions else access)


@given(ACCESS, ACCESS, st.integers(-5, 60), st.integers(1, 60))
def test_terms_are_accepted_exactly_within_the_clearance(asked, allowed, until_days, expiry_days):
    problems = terms_problems(
        access_type=asked,
        allowed=allowed,
        valid_until=MOMENT + timedelta(days=until_days),
        clearance_expires_at=MOMENT + timedelta(days=expiry_days),
        moment=MOMENT,
        permitted_days=None,
    )
    assert ("access_type" in problems) == (ACCESS_RANK[asked] > ACCESS_RANK[allowed])
    # Dates as people read them: today is still a valid last day, the clearance's too.
    assert ("valid_until" in problems) == (until_days > expiry_days or until_days < 0)


def test_an_empty_day_list_is_a_mistake_not_never():
    problems = terms_problems(
        access_type="ESCORTED",
        allowed="ESCORTED",
        valid_until=MOMENT + timedelta(days=1),
        clearance_expires_at=MOMENT + timedelta(days=2),
        moment=MOMENT,
        permitted_days=[],
    )
    assert list(problems) == ["permitted_days"]


def test_key_holders_need_key_training_and_others_do_not():
    done = {"SECURITY_BRIEFING": {}, "ID_BADGE": {}}
    assert induction_outstanding(done, "KEY_HOLDING") == ["KEY_TRAINING"]
    assert induction_outstanding(done, "UNESCORTED") == []
    assert induction_outstanding({}, "ESCORTED") == ["SECURITY_BRIEFING", "ID_BADGE"]


@given(
    st.sampled_from(GRANT_STATUSES),
    st.sampled_from(["ACTIVE", "SUSPENDED", "REVOKED", "EXPIRED"]),
    st.integers(-3, 3),
    st.integers(-3, 3),
    st.none() | st.lists(st.sampled_from(WEEKDAYS), min_size=1, unique=True),
    st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
)
def test_the_gate_allows_exactly_what_it_should(
    status, clearance_status, until_days, expiry_days, days, moment
):
    grant = view(
        status=status,
        clearance_status=clearance_status,
        valid_until=moment + timedelta(days=until_days),
        clearance_expires_at=moment + timedelta(days=expiry_days),
        permitted_days=days,
    )
    result = gate_decision(grant, moment)
    local_day = WEEKDAYS[moment.astimezone(LOCAL_TIME).weekday()]
    # Each holds through its whole last day (London): a day offset of 0 is still today.
    expected = (
        status == "ACTIVE"
        and clearance_status == "ACTIVE"
        and until_days >= 0
        and expiry_days >= 0
        and (days is None or local_day in days)
    )
    assert result.allowed is expected
    assert result.message == GATE_REASONS[result.reason]
    assert (result.reason == "ALLOWED") is expected


def test_no_grant_is_no():
    result = gate_decision(None, MOMENT)
    assert not result.allowed and result.reason == "NO_GRANT" and result.grant is None


def test_the_day_is_londons_day():
    # 23:30 UTC on Monday 29 June 2026 is 00:30 on Tuesday in London (BST).
    late_monday_utc = datetime(2026, 6, 29, 23, 30, tzinfo=UTC)
    tuesday_only = view(
        permitted_days=["TUE"],
        valid_until=late_monday_utc + timedelta(days=1),
        clearance_expires_at=late_monday_utc + timedelta(days=2),
    )
    assert gate_decision(tuesday_only, late_monday_utc).allowed
    # In winter London is on UTC: 23:30 UTC Monday is still Monday.
    late_monday_winter = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    winter = view(
        permitted_days=["TUE"],
        valid_until=late_monday_winter + timedelta(days=1),
        clearance_expires_at=late_monday_winter + timedelta(days=2),
    )
    assert gate_decision(winter, late_monday_winter).reason == "NOT_PERMITTED_TODAY"


def test_the_gate_answer_built_by_hand_is_the_documented_schemas_dump():
    """The API answers gate checks with gate.result_json (the hot path skips marshmallow); it
    must say exactly what GateResultSchema documents, for an answer with and without a grant."""
    from access.schemas.establishments import GateResultSchema
    from access.service_layer.gate import result_json, result_view

    schema = GateResultSchema()
    for grant in (
        None,
        view(
            permitted_days=["TUE"],
            conditions=["Escorted"],
            date_of_birth=datetime(1980, 2, 29).date(),
        ),
    ):
        result = gate_decision(grant, MOMENT)
        assert result_json(result, MOMENT) == schema.dump(result_view(result, MOMENT))


LONDON_DAYS = [
    date(2027, 3, 27),  # the last whole winter (GMT) day
    date(2027, 3, 28),  # the clocks go forward: 23 hours long
    date(2027, 6, 15),  # summer (BST)
    date(2027, 10, 31),  # the clocks go back: 25 hours long
    date(2027, 11, 1),  # winter again
]


def _london(day: date, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), LOCAL_TIME).astimezone(UTC)


@pytest.mark.parametrize("day", LONDON_DAYS, ids=str)
def test_a_validity_holds_to_the_end_of_its_last_day_in_london(day):
    """Valid until D (set at 09:15 on D, the time of day it was issued): in at 09:15 and at
    23:30 London on D, out at 00:00:01 on D+1, whichever side of a clock change."""
    issued_time_of_day = _london(day, 9, 15)
    grant = view(clearance_expires_at=issued_time_of_day, valid_until=issued_time_of_day)
    for moment in (
        _london(day, 9, 15),
        _london(day, 9, 15, 1),
        _london(day, 23, 30),
        _london(day, 23, 59, 59),
    ):
        assert gate_decision(grant, moment).allowed, moment
    after = _london(day + timedelta(days=1), 0, 0, 1)
    assert gate_decision(grant, after).reason == "EXPIRED"
    assert end_of_london_day(day).astimezone(LOCAL_TIME).time() == time(23, 59, 59, 999999)
    assert end_of_london_day(day) + timedelta(microseconds=1) == _london(
        day + timedelta(days=1), 0, 0
    )


def test_the_gate_answer_says_the_end_of_the_last_day():
    moment = _london(date(2027, 3, 28), 12, 0)
    result = gate_decision(
        view(
            clearance_expires_at=_london(date(2027, 3, 30), 9, 15),
            valid_until=_london(date(2027, 3, 29), 9, 15),
        ),
        moment,
    )
    assert result_view(result, moment)["valid_until"] == end_of_london_day(date(2027, 3, 29))
