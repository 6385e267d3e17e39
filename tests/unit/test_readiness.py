"""The readiness check: a valid application passes, each code has a focused failing example,
every problem is reported, and the wording names dates in words."""

from __future__ import annotations

import re
from datetime import date

import pytest

from applications.domain.readiness import CODES, ReadinessPolicy, is_ready
from applications.schemas.applicant import ApplicantSchema
from tests.support.readiness import (
    CASES,
    DAY,
    TODAY,
    WINDOW_START,
    A,
    broken,
    check,
    codes,
    edit,
    spoken,
    valid_application,
)


def test_a_valid_application_has_no_problem():
    application = valid_application()
    assert check(application) == []
    assert is_ready([])


def test_the_valid_application_is_in_the_schema_shape():
    schema = ApplicantSchema()
    applicant = valid_application()["applicant"]
    assert schema.load(schema.dump(applicant)) == applicant


# ---- one focused example per code --------------------------------------------------------


@pytest.mark.parametrize(("code", "field", "changes"), CASES, ids=[c[0] for c in CASES])
def test_each_mistake_is_reported_alone_with_its_code_and_field(code, field, changes):
    problems = check(broken(changes))
    assert [(p.code, p.field) for p in problems] == [(code, field)]
    problem = problems[0]
    assert problem.message.endswith(".") and len(problem.message) > 30
    assert is_ready(problems) is (
        code
        in {
            "ADDRESSES_OVERLAP",
            "CONNECTION_AT_REQUESTED_ESTABLISHMENT",
            "IDENTITY_DOCUMENT_EXPIRES_DURING_VETTING",
            "REFEREE_MAY_BE_RELATIVE",
            "UK_RESIDENCE_SHORT",
        }
    )


def test_every_code_is_listed_and_has_an_example():
    assert {case[0] for case in CASES} == set(CODES)
    assert all(re.fullmatch(r"[A-Z][A-Z0-9_]+", code) and text for code, text in CODES.items())


def test_every_problem_is_reported_not_only_the_first():
    problems = check(
        {
            "applicant": {
                "middle_names": "J",
                "no_middle_name": True,
                "date_of_birth": TODAY + DAY,
            },
            "establishments": ["WWI", "WWI", "NOPE"],
        }
    )
    assert set(codes(problems)) >= {
        "MISSING_FORENAMES",
        "MISSING_SURNAME",
        "MISSING_EMAIL",
        "MISSING_ADDRESS",
        "MISSING_IDENTITY_DOCUMENT",
        "MISSING_ROLE",
        "MISSING_REQUESTED_ACCESS",
        "MISSING_FREQUENCY",
        "MIDDLE_NAMES_CONTRADICTORY",
        "TOO_FEW_REFEREES",
        "DUPLICATE_ESTABLISHMENT",
        "UNKNOWN_ESTABLISHMENT",
        "DATE_IN_FUTURE",
    }
    assert "APPLICANT_UNDER_18" not in codes(problems)  # the future date is the mistake


def test_messages_name_the_dates_in_words():
    gap = check(broken([edit(f"{A}.address_gap_explanations", [])]))[0]
    assert gap.message == (
        "There is a gap of 62 days in the address history, from 1 January 2023 to 3 March "
        "2023. Add the missing address, or explain the gap (for example travelling or in "
        "hospital)."
    )
    expired = check(broken([edit(f"{A}.identity_documents.0.expiry", date(2024, 3, 3))]))[0]
    assert "The passport ending 1234 expired on 3 March 2024." in expired.message
    short = check(broken([edit(f"{A}.addresses.1.from_date", date(2022, 1, 9))]))[0]
    assert "to 27 November 2021, but it starts on 9 January 2022" in short.message


def test_a_gap_up_to_today_without_a_current_address():
    problems = check(broken([edit(f"{A}.addresses.0.to_date", TODAY - 29 * DAY)]))
    assert codes(problems) == ["ADDRESS_GAP", "NO_CURRENT_ADDRESS"]
    assert "gap of 29 days in the address history, from 30 October 2026 to today" in (
        problems[0].message
    )


@pytest.mark.parametrize(
    "path",
    [
        "date_of_birth",
        "previous_names.0.to_date",
        "address_gap_explanations.0.to_date",
        "declarations.convictions.0.date",
        "declarations.release_date",
    ],
)
def test_dates_that_must_be_past(path):
    problems = check(broken([edit(f"{A}.{path}", TODAY + DAY)]))
    future = [p for p in problems if p.code == "DATE_IN_FUTURE"]
    assert [p.field for p in future] == [re.sub(r"\.(\d+)", r"[\1]", f"{A}.{path}")]
    assert spoken(TODAY + DAY) in future[0].message


def test_boundaries_that_are_fine():
    application = broken(
        [
            edit(f"{A}.addresses.1.from_date", WINDOW_START),  # exactly the five years
            # valid to the end of the day vetting is expected to finish
            edit(f"{A}.identity_documents.0.expiry", TODAY + 12 * 7 * DAY),
            edit(f"{A}.address_gap_explanations.0.to_date", date(2023, 3, 4)),  # one day shared
            edit(f"{A}.referees.0.relationship", "sponsor"),
            edit(f"{A}.declarations.release_date", date(2010, 3, 1)),  # released the day sentenced
        ]
    )
    assert check(application) == []


def test_expiry_and_the_current_address_end_may_be_in_the_future():
    application = broken([edit(f"{A}.addresses.0.to_date", TODAY + 400 * DAY)])
    assert check(application) == []


def test_policy_values_are_used():
    application = broken([edit(f"{A}.address_gap_explanations", []), edit(f"{A}.referees", [])])
    lenient = ReadinessPolicy(
        address_history_years=3, max_unexplained_gap_days=62, minimum_age=50, referees_required=0
    )
    assert codes(check(application, policy=lenient)) == ["APPLICANT_UNDER_18"]


def test_born_on_29_february():
    application = broken([edit(f"{A}.date_of_birth", date(2008, 2, 29))])
    assert codes(check(application, today=date(2026, 2, 28))) == ["APPLICANT_UNDER_18"]
    assert "on or after 1 March 2026" in check(application, today=date(2026, 2, 28))[0].message
    assert "APPLICANT_UNDER_18" not in codes(check(application, today=date(2026, 3, 1)))


@pytest.mark.parametrize(
    "relationship",
    [
        "Mother",
        "my brother-in-law",
        "ex-wife",
        "Step-Son",
        "grandchildren",
        "Partner",
        "cousin",
        "AUNT",
        "uncle",
        "husband",
        "daughter",
        "father",
        "sister in law",
    ],
)
def test_family_relationships(relationship):
    problems = check(broken([edit(f"{A}.referees.1.relationship", relationship)]))
    assert codes(problems) == ["REFEREE_IS_RELATIVE"]


def test_a_relative_is_reported_once():
    problems = check(
        broken(
            [
                edit(f"{A}.referees.1.surname", "Taylor"),
                edit(f"{A}.referees.1.relationship", "brother"),
            ]
        )
    )
    assert [(p.code, p.field) for p in problems] == [
        ("REFEREE_IS_RELATIVE", "applicant.referees[1].relationship")
    ]


@pytest.mark.parametrize(
    "relationship",
    [
        "friend",
        "business partner",
        "person from church",
        "mum's friend",
        "childhood friend",
        "godmother",
        "neighbour",
        "AA sponsor",
        "Jason's colleague",
        "family friend",
    ],
)
def test_other_relationships(relationship):
    assert check(broken([edit(f"{A}.referees.1.relationship", relationship)])) == []


def test_drafts_with_nothing_or_odd_values_do_not_break_the_check():
    for draft in (
        {},
        {"applicant": None},
        {"applicant": {"addresses": None, "referees": [None], "declarations": None}},
        {"establishments": "WWI", "applicant": {"date_of_birth": "not a date"}},
    ):
        problems = check(draft)
        assert not is_ready(problems)
        assert all(p.code in CODES for p in problems)
