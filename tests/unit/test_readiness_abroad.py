"""Addresses abroad: part of the history (time abroad is not a gap), and, where the level
needs a Counter Terrorist Check, UK residence short of the policy's years is flagged."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import ValidationError

from applications.domain.readiness import is_ready
from applications.schemas.applicant import AddressSchema
from tests.support.readiness import PROPERTY, TODAY, address, check, codes, valid_application

DAY = timedelta(days=1)
CTC_FROM = date(2023, 11, 27)  # three years before TODAY
ALLOWANCE = 28  # ReadinessPolicy.max_unexplained_gap_days


def abroad(start: date, end: date | None, country: str = "Spain") -> dict[str, Any]:
    return {"town": "Valencia", "country": country, "from_date": start, "to_date": end}


def applicant_back_from_abroad(moved_back: date, access: str, codes_: list[str]) -> dict[str, Any]:
    application = valid_application()
    application.update(requested_access=access, establishments=codes_)
    applicant = application["applicant"]
    applicant["addresses"] = [
        address(1, moved_back, None),
        abroad(date(2015, 1, 1), moved_back - DAY),
    ]
    applicant["address_gap_explanations"] = []
    return application


@PROPERTY
@given(st.dates(min_value=date(2016, 1, 1), max_value=TODAY))
def test_time_abroad_is_not_a_gap(moved_back: date) -> None:
    application = applicant_back_from_abroad(moved_back, "ESCORTED", ["LEI"])
    assert check(application) == []


@PROPERTY
@given(st.integers(min_value=0, max_value=120), st.dates(date(2022, 6, 1), date(2025, 6, 1)))
def test_a_gap_after_time_abroad_is_judged_like_any_other(gap: int, left: date) -> None:
    """Abroad until `left`, then `gap` days with no address, then home: a gap over the allowance
    is ADDRESS_GAP on the address abroad, as after a UK address."""
    application = applicant_back_from_abroad(left + (gap + 1) * DAY, "ESCORTED", ["LEI"])
    application["applicant"]["addresses"][1]["to_date"] = left
    problems = check(application)
    if gap > ALLOWANCE:
        [found] = problems
        assert (found.code, found.field) == ("ADDRESS_GAP", "applicant.addresses[1].to_date")
        assert f"a gap of {gap} days" in found.message
    else:
        assert problems == []


@PROPERTY
@given(st.integers(min_value=-200, max_value=400))
def test_ctc_flags_uk_residence_short_of_three_years_at_the_boundary(offset: int) -> None:
    moved_back = CTC_FROM + offset * DAY
    application = applicant_back_from_abroad(moved_back, "KEY_HOLDING", ["FKI"])  # high security
    problems = check(application)
    # The days of the three years before the move back are abroad; up to the allowance is a move.
    short = offset > ALLOWANCE
    assert codes(problems) == (["UK_RESIDENCE_SHORT"] if short else [])
    assert is_ready(problems)  # a flag for the vetting team, never a bar
    if short:
        [found] = problems
        assert found.field == "applicant.addresses[1].country"
        assert f"leave {offset} days" in found.message and "(Spain)" in found.message
        assert "overseas police certificate" in found.message


@pytest.mark.parametrize("access, codes_", [("ESCORTED", ["LEI"]), ("KEY_HOLDING", ["LEI"])])
def test_no_ctc_no_uk_residence_question(access: str, codes_: list[str]) -> None:
    application = applicant_back_from_abroad(TODAY - 30 * DAY, access, codes_)
    assert check(application) == []


def test_an_explained_gap_is_not_uk_residence_for_a_ctc() -> None:
    application = valid_application()
    application.update(requested_access="UNESCORTED", establishments=["FKI"])
    applicant = application["applicant"]
    applicant["addresses"][0]["from_date"] = date(2024, 3, 4)
    applicant["address_gap_explanations"] = [
        {"from_date": date(2023, 1, 1), "to_date": date(2024, 3, 3), "explanation": "Travelling"}
    ]
    [found] = check(application)
    assert (found.code, found.field) == ("UK_RESIDENCE_SHORT", "applicant.addresses")
    assert "leave 98 days" in found.message  # 27 November 2023 to 3 March 2024


def test_a_uk_name_as_country_is_a_uk_address() -> None:
    application = applicant_back_from_abroad(TODAY - 30 * DAY, "KEY_HOLDING", ["FKI"])
    application["applicant"]["addresses"][1]["country"] = " United  Kingdom "
    assert check(application) == []


# ---- the API schema -------------------------------------------------------------------------


def test_an_address_abroad_needs_no_postcode_or_first_line() -> None:
    loaded = AddressSchema().load(
        {"town": "Lyon", "country": "France", "from_date": "2020-01-01", "to_date": "2021-01-01"}
    )
    assert loaded["country"] == "France" and "postcode" not in loaded


@pytest.mark.parametrize(
    "body, errors",
    [
        (
            {"town": "Lyon", "country": "France", "postcode": "SW1A 1AA"},
            {"postcode": ["Leave the postcode out for an address outside the UK."]},
        ),
        (
            {"town": "Leeds"},
            {
                "line1": ["Missing data for required field."],
                "postcode": ["Missing data for required field."],
            },
        ),
        (
            {"town": "Leeds", "line1": "1 High St", "country": "Wales"},
            {"postcode": ["Missing data for required field."]},
        ),
        ({"town": "Lyon", "country": "F"}, {"country": ["Length must be between 2 and 100."]}),
    ],
)
def test_field_level_errors(body: dict[str, Any], errors: dict[str, list[str]]) -> None:
    with pytest.raises(ValidationError) as caught:
        AddressSchema().load({**body, "from_date": "2020-01-01"})
    assert caught.value.messages == errors
