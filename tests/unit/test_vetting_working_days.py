"""Working days in England and Wales: weekends and bank holidays (from the list the
govuk-bank-holidays package ships, never fetched), London dates, and the counting convention
(after the first day, up to and including the last)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tests.support.properties import property_settings
from vetting.adapters.bank_holidays import england_and_wales
from vetting.domain.working_days import WEEKDAYS, WorkingCalendar, working_days_between

CALENDAR = england_and_wales()


def test_a_weekday_to_the_next_is_one_and_the_same_day_none():
    monday = date(2026, 11, 9)
    assert working_days_between(monday, monday, CALENDAR) == 0
    assert working_days_between(monday, monday + timedelta(days=1), CALENDAR) == 1
    assert working_days_between(monday, monday + timedelta(days=4), CALENDAR) == 4


def test_a_weekend_does_not_count():
    friday, saturday, sunday, monday = (date(2026, 11, 13 + n) for n in (0, 1, 2, 3))
    assert working_days_between(friday, saturday, CALENDAR) == 0
    assert working_days_between(friday, sunday, CALENDAR) == 0
    assert working_days_between(friday, monday, CALENDAR) == 1
    assert working_days_between(saturday, monday, CALENDAR) == 1
    assert not CALENDAR.is_working_day(saturday) and CALENDAR.is_working_day(monday)


def test_a_bank_holiday_does_not_count():
    # The early May bank holiday 2026: Monday 4 May.
    friday, holiday, tuesday = date(2026, 5, 1), date(2026, 5, 4), date(2026, 5, 5)
    assert not CALENDAR.is_working_day(holiday)
    assert working_days_between(friday, holiday, CALENDAR) == 0
    assert working_days_between(friday, tuesday, CALENDAR) == 1
    # Without the bank holidays it would be a working day.
    assert working_days_between(friday, tuesday, WEEKDAYS) == 2


def test_christmas_and_its_substitute_day():
    # 2026: Christmas on Friday, Boxing Day on Saturday, so Monday 28th is its substitute.
    christmas_eve, next_day = date(2026, 12, 24), date(2026, 12, 29)
    assert [CALENDAR.is_working_day(date(2026, 12, d)) for d in range(24, 30)] == [
        True,  # Thursday 24th
        False,  # Christmas Day
        False,  # Saturday
        False,  # Sunday
        False,  # Boxing Day (substitute)
        True,  # Tuesday 29th
    ]
    assert working_days_between(christmas_eve, next_day, CALENDAR) == 1
    # 21st-24th, 29th-31st and Monday 4 January (New Year's Day is a Friday).
    assert working_days_between(date(2026, 12, 18), date(2027, 1, 4), CALENDAR) == 8


def test_moments_are_read_as_london_dates():
    # 23:30 UTC on Friday 10 July is already Saturday 00:30 in London (summer time).
    late_friday = datetime(2026, 7, 10, 23, 30, tzinfo=UTC)
    monday_morning = datetime(2026, 7, 13, 8, 0, tzinfo=UTC)
    assert not CALENDAR.is_working_day(late_friday)
    assert working_days_between(datetime(2026, 7, 10, 12, 0, tzinfo=UTC), late_friday) == 0
    assert working_days_between(late_friday, monday_morning, CALENDAR) == 1


def test_an_end_before_the_start_counts_nothing():
    assert working_days_between(date(2026, 11, 20), date(2026, 11, 2), CALENDAR) == 0


def test_the_shipped_list_covers_these_years():
    assert CALENDAR.covers is not None
    first, last = CALENDAR.covers
    assert first <= 2026 <= last
    assert england_and_wales() is CALENDAR  # read once


def test_adding_working_days():
    assert CALENDAR.add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)


@property_settings(300, deadline=None)
@given(
    start=st.dates(min_value=date(2011, 1, 1), max_value=date(2029, 12, 31)),
    span=st.integers(min_value=-10, max_value=500),
)
def test_counting_agrees_with_walking_the_days(start: date, span: int):
    end = start + timedelta(days=span)
    walked = sum(
        1 for n in range(1, max(span, 0) + 1) if CALENDAR.is_working_day(start + timedelta(days=n))
    )
    assert CALENDAR.working_days_between(start, end) == walked


def test_a_calendar_of_given_holidays():
    calendar = WorkingCalendar.of([date(2030, 1, 2), date(2030, 1, 2)])
    assert calendar.holidays == (date(2030, 1, 2),)
    assert calendar.working_days_between(date(2030, 1, 1), date(2030, 1, 3)) == 1
