"""The DBS filtering rules (shared.offences), as they stand since the 2020 order: each period to
the day, under 18 against adult, a youth caution never disclosed, each conviction judged on its
own, the conditions that keep a record on a certificate for ever, and the offence words."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.offences import (
    OFFENCE_CATEGORIES,
    SPECIFIED_CATEGORIES,
    add_months,
    category_of_text,
    filtering,
)
from tests.support.properties import property_settings

PROPERTY = property_settings(200, deadline=None)
NOT_SPECIFIED = sorted(set(OFFENCE_CATEGORIES) - SPECIFIED_CATEGORIES)
ADULT_BORN = date(1960, 1, 1)
days = st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31))


def rule(kind: str, day: date, today: date, **changes: object) -> bool:
    arguments: dict = {
        "kind": kind,
        "category": "THEFT",
        "disposal": "CAUTION" if kind == "CAUTION" else "FINE",
        "day": day,
        "date_of_birth": ADULT_BORN,
        "today": today,
    } | changes
    return filtering(**arguments).protected


@pytest.mark.parametrize(
    ("kind", "young", "months"),
    [
        ("CAUTION", False, 72),
        ("CONVICTION", False, 132),
        ("CONVICTION", True, 66),
    ],
)
def test_each_period_starts_on_its_anniversary(kind: str, young: bool, months: int) -> None:
    day = date(2012, 3, 15)
    born = date(1996, 1, 1) if young else ADULT_BORN  # 16 on the day, or an adult
    since = add_months(day, months)
    assert not rule(kind, day, since - timedelta(days=1), date_of_birth=born)
    assert rule(kind, day, since, date_of_birth=born)


@PROPERTY
@given(
    days,
    st.integers(0, 20 * 366),
    st.sampled_from(("CAUTION", "CONVICTION")),
    st.booleans(),
    st.sampled_from(NOT_SPECIFIED),
)
def test_protected_exactly_from_the_period_on(
    day: date, after: int, kind: str, young: bool, category: str
) -> None:
    today = day + timedelta(days=after)
    born = add_months(day, -12 * (16 if young else 30))
    months = {
        ("CAUTION", True): 0,  # a youth caution: never disclosed
        ("CAUTION", False): 72,
        ("CONVICTION", True): 66,
        ("CONVICTION", False): 132,
    }[(kind, young)]
    expected = today >= add_months(day, months)
    assert rule(kind, day, today, date_of_birth=born, category=category) is expected


@PROPERTY
@given(days, st.integers(0, 40 * 366), st.sampled_from([*OFFENCE_CATEGORIES, None]))
def test_a_caution_given_under_18_is_never_disclosed_whatever_the_offence(
    day: date, after: int, category: str | None
) -> None:
    born = add_months(day, -12 * 15)  # 15 on the day
    assert rule("CAUTION", day, day + timedelta(days=after), date_of_birth=born, category=category)


@PROPERTY
@given(
    days,
    st.integers(0, 40 * 366),
    st.sampled_from(("CAUTION", "CONVICTION")),
    st.sampled_from([*sorted(SPECIFIED_CATEGORIES), None]),
)
def test_a_specified_or_unknown_offence_is_never_protected(
    day: date, after: int, kind: str, category: str | None
) -> None:
    assert not rule(kind, day, day + timedelta(days=after), category=category)


@PROPERTY
@given(days, st.integers(0, 40 * 366))
def test_a_custodial_sentence_is_never_protected(day: date, after: int) -> None:
    today = day + timedelta(days=after)
    assert not rule("CONVICTION", day, today, disposal="CUSTODY")
    assert not rule("CONVICTION", day, today, disposal="SUSPENDED_SENTENCE")


def test_age_is_taken_on_the_day_of_the_caution_and_unknown_counts_as_adult() -> None:
    day, today = date(2020, 6, 1), date(2023, 6, 1)  # 3 years on: only a youth caution is out
    assert rule("CAUTION", day, today, date_of_birth=date(2002, 6, 2))  # 17 that day
    assert not rule("CAUTION", day, today, date_of_birth=date(2002, 6, 1))  # 18 that day
    assert not rule("CAUTION", day, today, date_of_birth=None)


def test_a_conditional_caution_is_a_caution() -> None:
    day = date(2010, 1, 1)
    assert rule("CONVICTION", day, date(2017, 1, 1), disposal="CONDITIONAL_CAUTION")


def test_months_past_the_end_of_a_month_land_on_its_last_day() -> None:
    assert add_months(date(2020, 8, 31), 6) == date(2021, 2, 28)
    assert add_months(date(2019, 8, 31), 6) == date(2020, 2, 29)
    assert add_months(date(2020, 2, 29), 12) == date(2021, 2, 28)
    assert add_months(date(2020, 1, 15), 66) == date(2025, 7, 15)


@pytest.mark.parametrize(
    ("words", "category"),
    [
        ("Took goods from a shop", None),
        ("Shoplifting", "THEFT"),
        ("Theft from a shop", "THEFT"),
        ("Possession of a controlled drug (class B)", "DRUG_OFFENCES"),
        ("Common assault", "VIOLENCE_AGAINST_THE_PERSON"),
        ("Drink driving", "MOTORING"),
        ("Burglary (dwelling)", "BURGLARY"),
        ("Fraud by false representation", "FRAUD"),
        ("Criminal damage", "CRIMINAL_DAMAGE_AND_ARSON"),
        ("Possession of a bladed article", "POSSESSION_OF_WEAPONS"),
    ],
)
def test_the_words_place_an_offence_in_a_category(words: str, category: str | None) -> None:
    assert category_of_text(words) == category
