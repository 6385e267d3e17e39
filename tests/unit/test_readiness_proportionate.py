"""Readiness asks only what the request's clearance level needs: a one-off escorted visitor
gives identity details only; any other request is asked for everything, as before."""

from __future__ import annotations

from typing import Any

import pytest

from applications.domain.readiness import ReadinessPolicy, clearance_needs, is_ready
from tests.support.readiness import ESTABLISHMENTS, TODAY, check, codes, valid_application

IDENTITY_ONLY = ("declarations", "referees", "address_gap_explanations")


def speaker() -> dict[str, Any]:
    """A visiting speaker: one-off and escorted, with identity details and where they live now."""
    application = valid_application()
    application.update(requested_access="ESCORTED", frequency="ONE_OFF", establishments=["FKI"])
    applicant = application["applicant"]
    for key in IDENTITY_ONLY:
        del applicant[key]
    applicant["addresses"] = applicant["addresses"][:1]  # moved in 2023: no five-year history
    return application


def test_a_one_off_escorted_speaker_with_identity_details_only_is_ready() -> None:
    problems = check(speaker())
    assert problems == [] and is_ready(problems)


def test_the_same_details_for_a_regular_visit_are_not_ready() -> None:
    application = speaker()
    application["frequency"] = "REGULAR"
    assert set(codes(check(application))) == {
        "MISSING_DECLARATIONS",
        "TOO_FEW_REFEREES",
        "ADDRESS_HISTORY_TOO_SHORT",
    }


def test_readiness_says_what_is_not_needed_and_why() -> None:
    needs = clearance_needs(speaker(), ESTABLISHMENTS, ReadinessPolicy())
    assert (needs.level.code, needs.level.label) == ("ESCORTED_VISITOR", "Level 1 (identity)")
    assert [n.section for n in needs.not_needed] == [
        "applicant.addresses",
        "applicant.declarations",
        "applicant.referees",
    ]
    assert all(
        "not needed for a one-off escorted visit (clearance level: Level 1 (identity))" in n.message
        for n in needs.not_needed
    )


@pytest.mark.parametrize(
    "access, frequency, codes_, label",
    [
        ("ESCORTED", "OCCASIONAL", ["LEI"], "Level 2 (escorted)"),
        ("UNESCORTED", "ONE_OFF", ["LEI"], "Level 3 (unescorted)"),
        ("KEY_HOLDING", "REGULAR", ["LEI"], "Level 3 (unescorted)"),
        ("KEY_HOLDING", "REGULAR", ["LEI", "FKI"], "Level 4 (counter-terrorism)"),
        (None, None, ["LEI"], "Level 4 (counter-terrorism)"),  # not chosen yet: everything
    ],
)
def test_every_other_request_needs_every_section(
    access: str | None, frequency: str | None, codes_: list[str], label: str
) -> None:
    application = valid_application()
    application.update(requested_access=access, frequency=frequency, establishments=codes_)
    needs = clearance_needs(application, ESTABLISHMENTS, ReadinessPolicy())
    assert needs.level.label == label and needs.not_needed == []
    assert {"address_history", "declarations", "referees"} <= needs.level.sections


def test_a_speaker_still_needs_identity_and_a_current_address() -> None:
    application = speaker()
    applicant = application["applicant"]
    applicant["identity_documents"] = []
    applicant["addresses"][0]["to_date"] = TODAY.replace(year=TODAY.year - 1)
    assert codes(check(application)) == ["MISSING_IDENTITY_DOCUMENT", "NO_CURRENT_ADDRESS"]


def test_what_a_speaker_gives_beyond_the_level_is_not_held_against_them() -> None:
    application = speaker()
    application["applicant"]["referees"] = [{"forenames": "Ann", "relationship": "sister"}]
    application["applicant"]["declarations"] = {"on_licence": True}
    assert check(application) == []


def test_the_bulk_template_says_what_each_visit_needs() -> None:
    from applications.service_layer.spreadsheets import GUIDANCE, what_the_visit_needs

    said = what_the_visit_needs()
    assert said.startswith("For a one-off escorted visit, add only the current address")
    assert "are not needed" in said and "5 years of addresses" in said
    assert GUIDANCE["frequency"].endswith(said)
