"""The DBS Update Service and manual providers, and which provider runs a check."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.vetting_providers import (
    BARRED,
    CERTIFICATE,
    MANUAL,
    NOW,
    PROVIDERS,
    SIM,
    UPDATE,
    applicant,
    request,
    run,
)
from vetting.adapters.providers import (
    Outcome,
    ProviderError,
    Providers,
    Submission,
    choose_provider,
)
from vetting.domain.policy import DBS_LEVELS, dbs_certificate_satisfies, load_policy

# --- the DBS Update Service and manual providers ------------------------------------------


def test_update_service_reports_a_current_certificate_keeping_only_its_last_4_digits() -> None:
    who = applicant(dbs_certificate=CERTIFICATE)
    submission = UPDATE.submit(request("DBS", who), NOW)
    assert submission == Submission("DBSUS-7890", NOW)
    result = UPDATE.poll(request("DBS", who), "DBSUS-7890", NOW)
    assert result.status == "PASSED"
    assert result.detail | {"summary": ""} == {
        "update_service": True,
        "certificate_level": "ENHANCED",
        "certificate_last4": "7890",
        "required_level": "ENHANCED",
        "status": "CURRENT",
        "summary": "",
    }
    assert CERTIFICATE["number"] not in str(result.detail)


def test_update_service_new_information_or_a_lower_level_is_adverse() -> None:
    who = applicant("jo+sim-dbs-new-information@example.org", dbs_certificate=CERTIFICATE)
    result = run("DBS", who, UPDATE)
    assert result.status == "ADVERSE" and result.detail["status"] == "NEW_INFORMATION"
    assert "a new DBS check is needed" in result.detail["summary"]
    low = run("DBS", applicant(dbs_certificate=CERTIFICATE), UPDATE, dbs_level=BARRED)
    assert low.status == "ADVERSE" and "below the" in low.detail["summary"]


def test_update_service_honours_the_dbs_error_markers_and_refuses_other_work() -> None:
    who = applicant("jo+sim-error-dbs@example.org", dbs_certificate=CERTIFICATE)
    with pytest.raises(ProviderError):
        UPDATE.submit(request("DBS", who, attempt=2), NOW)
    assert UPDATE.submit(request("DBS", who, attempt=3), NOW).reference == "DBSUS-7890"
    with pytest.raises(ValueError):
        UPDATE.submit(request("DBS"), NOW)  # no certificate
    with pytest.raises(ValueError):
        UPDATE.submit(request("IDENTITY", applicant(dbs_certificate=CERTIFICATE)), NOW)


def test_manual_provider_gives_a_reference_and_never_polls() -> None:
    who = applicant("jo+sim-error-always-references+sim-adverse-references@example.org")
    submission = MANUAL.submit(request("REFERENCES", who), NOW)
    assert submission.reference.startswith("MANUAL-REFERENCES-") and submission.poll_at is None
    assert (
        submission.reference[len("MANUAL-REFERENCES-") :]
        == SIM.submit(request("REFERENCES"), NOW).reference[len("SIM-REFERENCES-") :]
    )
    assert MANUAL.poll(request("REFERENCES", who), submission.reference, NOW) is None


# --- choosing the provider ----------------------------------------------------------------


def choose(
    check: str,
    who: dict[str, Any],
    dbs_level: str | None = "ENHANCED",
    manual: frozenset[str] = frozenset(),
    accepted: bool = True,
) -> Any:
    return choose_provider(
        check,
        who,
        dbs_level,
        manual_checks=manual,
        providers=PROVIDERS,
        update_service_accepted=accepted,
    )


def test_a_check_listed_as_manual_goes_to_the_manual_provider() -> None:
    with_cert = applicant(dbs_certificate=CERTIFICATE)
    assert choose("REFERENCES", applicant(), manual=frozenset({"REFERENCES"})) is MANUAL
    assert choose("DBS", with_cert, manual=frozenset({"DBS"})) is MANUAL
    assert choose("IDENTITY", applicant(), manual=frozenset({"REFERENCES"})) is SIM
    with pytest.raises(ValueError, match="REFERENCE"):
        choose("IDENTITY", applicant(), manual=frozenset({"REFERENCE"}))


def test_dbs_goes_to_the_update_service_for_a_certificate_at_the_level_or_above() -> None:
    with_cert = applicant(dbs_certificate=CERTIFICATE)  # ENHANCED
    assert choose("DBS", with_cert, "ENHANCED") is UPDATE
    assert choose("DBS", with_cert, "STANDARD") is UPDATE
    assert choose("DBS", with_cert, BARRED) is SIM  # insufficient level
    assert (
        choose("DBS", applicant(dbs_certificate=CERTIFICATE | {"update_service": False})) is SIM
    )  # not on the Update Service
    assert choose("DBS", applicant(dbs_certificate=None)) is SIM
    assert choose("DBS", with_cert, accepted=False) is SIM
    assert choose("CRIMINAL_RECORD", with_cert) is SIM


@pytest.mark.parametrize("held", DBS_LEVELS)
@pytest.mark.parametrize("required", DBS_LEVELS)
def test_choose_provider_follows_the_policy_rule(held: str, required: str) -> None:
    who = applicant(dbs_certificate=CERTIFICATE | {"level": held})
    policy = load_policy()
    expected = UPDATE if dbs_certificate_satisfies(policy, held, required) else SIM
    assert choose("DBS", who, required, accepted=policy.dbs_update_service_accepted) is expected


def test_providers_are_found_again_by_the_name_stored_with_the_check() -> None:
    for provider in (SIM, MANUAL, UPDATE):
        assert PROVIDERS.named(provider.name) is provider
    with pytest.raises(KeyError):
        PROVIDERS.named("nobody")
    assert Providers().simulated.name == "simulated"
    assert PROVIDERS.by_name() == {"simulated": SIM, "manual": MANUAL, "dbs_update_service": UPDATE}


def test_requests_and_outcomes_refuse_bad_values() -> None:
    with pytest.raises(ValueError):
        request("FINGERPRINTS")
    with pytest.raises(ValueError):
        request("DBS", attempt=0)
    with pytest.raises(ValueError):
        Outcome("ERROR", {"summary": "x"})
    with pytest.raises(ValueError):
        Outcome("PASSED", {})
