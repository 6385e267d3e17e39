"""The simulated check provider: an example per check and per test marker, then properties —
the simulated outcome depends only on the request (not on the order of any list, nor on when it
is polled), every declared record is found, the address rules follow the gap length, and
sim-error fails exactly attempts 1 and 2. (The Update Service, manual providers and the choice
between them: test_vetting_provider_choice.py.)"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.vetting_providers import (
    BARRED,
    NOW,
    PROPERTY,
    SIM,
    TODAY,
    address,
    applicant,
    conviction,
    day,
    declarations,
    request,
    run,
)
from vetting.adapters.providers import (
    ProviderError,
    SimulatedProvider,
    Submission,
)
from vetting.adapters.providers.markers import markers
from vetting.domain.policy import CHECKS, load_policy
from vetting.domain.risk import assess

# --- the simulated provider: references ---------------------------------------------------


def test_submit_gives_a_stable_reference_per_case_and_check_and_polls_after_the_delay() -> None:
    slow = SimulatedProvider(delay=timedelta(minutes=5))
    first = slow.submit(request("DBS"), NOW)
    assert first.reference.startswith("SIM-DBS-") and len(first.reference) == len("SIM-DBS-") + 10
    assert first.poll_at == NOW + timedelta(minutes=5)
    assert slow.submit(request("DBS", attempt=2), NOW).reference == first.reference
    others = {SIM.submit(request(c), NOW).reference for c in CHECKS}
    assert len(others) == len(CHECKS)
    assert SIM.submit(request("DBS", case_id="case-2"), NOW).reference != first.reference
    assert SIM.submit(request("DBS"), NOW) == Submission(first.reference, NOW)


def test_poll_refuses_a_reference_it_did_not_issue() -> None:
    with pytest.raises(ValueError, match="not the simulated reference"):
        SIM.poll(request("DBS"), "SIM-DBS-0000000000", NOW)
    with pytest.raises(ValueError):
        SIM.poll(request("DBS"), SIM.submit(request("CTC"), NOW).reference, NOW)


# --- the simulated provider: one example per check ----------------------------------------


def test_identity_passes_with_a_document_valid_today() -> None:
    result = run("IDENTITY")
    assert result.status == "PASSED"
    assert "PASSPORT ending 7Q2Z is valid" in result.detail["summary"]
    assert result.detail["documents"][0]["valid"] is True


def test_identity_is_adverse_when_every_document_has_expired() -> None:
    docs = [
        {"type": "PASSPORT", "number": "PP001234", "expiry": day(days=1)},
        {"type": "DRIVING_LICENCE", "number": "DL0009ZZ9", "expiry": day(years=2)},
    ]
    result = run("IDENTITY", applicant(identity_documents=docs))
    assert result.status == "ADVERSE"
    assert f"PASSPORT ending 1234 expired on {day(days=1)}" in result.detail["summary"]
    assert "DRIVING_LICENCE ending 9ZZ9" in result.detail["summary"]
    assert run("IDENTITY", applicant(identity_documents=[])).detail["summary"] == (
        "No identity document was given."
    )


def test_identity_counts_a_document_expiring_today_or_without_expiry_as_valid() -> None:
    for expiry in (TODAY.isoformat(), None):
        docs = [{"type": "BIRTH_CERTIFICATE", "number": "BC000001", "expiry": expiry}]
        assert run("IDENTITY", applicant(identity_documents=docs)).status == "PASSED"


def test_address_history_passes_for_the_sample_and_lists_an_unexplained_gap() -> None:
    assert run("ADDRESS_HISTORY").status == "PASSED"
    gap = [address(day(years=6), day(days=100)), address(day(days=59), None)]
    result = run("ADDRESS_HISTORY", applicant(addresses=gap))
    assert result.status == "ADVERSE"
    assert result.detail["gaps"] == [
        {"from_date": day(days=99), "to_date": day(days=60), "days": 40}
    ]
    assert "a gap of 40 days" in result.detail["summary"]


def test_address_history_allows_28_days_and_an_explained_gap() -> None:
    short = [address(day(years=6), day(days=100)), address(day(days=71), None)]
    assert run("ADDRESS_HISTORY", applicant(addresses=short)).status == "PASSED"
    gap = [address(day(years=6), day(days=100)), address(day(days=59), None)]
    explained = [{"from_date": day(days=99), "to_date": day(days=60), "explanation": "Travelling"}]
    assert (
        run("ADDRESS_HISTORY", applicant(addresses=gap, address_gap_explanations=explained)).status
        == "PASSED"
    )


def test_address_history_is_adverse_when_too_short_for_the_years_asked() -> None:
    result = run("ADDRESS_HISTORY", applicant(addresses=[address(day(years=4), None)]))
    assert result.status == "ADVERSE"
    assert f"must go back to {day(years=5)}" in result.detail["summary"]
    # The sample goes back 9 years: enough for 5, not for 10.
    assert (
        run("ADDRESS_HISTORY", provider=SimulatedProvider(address_history_years=10)).status
        == "ADVERSE"
    )


def test_ctc_needs_the_policy_years_of_uk_addresses() -> None:
    assert run("CTC").status == "PASSED"
    two_years = applicant(addresses=[address(day(years=2), None)])
    result = run("CTC", two_years)
    assert (
        result.status == "ADVERSE"
        and "UK residence for the last 3 years" in (result.detail["summary"])
    )
    assert (
        run("CTC", two_years, SimulatedProvider(ctc_minimum_uk_residence_years=1)).status
        == "PASSED"
    )
    # An address without a UK postcode does not show UK residence, nor does an explanation.
    abroad = applicant(
        addresses=[
            address(day(years=9), day(years=1), "75001"),
            address(day(years=1, days=-1), None),
        ],
        address_gap_explanations=[
            {"from_date": day(years=9), "to_date": day(years=1), "explanation": "x"}
        ],
    )
    result = run("CTC", abroad)
    assert result.status == "ADVERSE" and result.detail["addresses_outside_uk"] == 1
    assert "overseas police certificate" in result.detail["summary"]
    assert "overseas" not in run("CTC", two_years).detail["summary"]  # short, never abroad
    assert run("ADDRESS_HISTORY", abroad).status == "PASSED"
    # An address abroad as the API stores it: a country and a town, no postcode.
    in_france = {"town": "Lyon", "country": "France", "from_date": day(years=9)}
    moved = applicant(
        addresses=[{**in_france, "to_date": day(years=1)}, address(day(years=1, days=-1), None)]
    )
    assert run("ADDRESS_HISTORY", moved).status == "PASSED"  # time abroad is not a gap
    assert run("CTC", moved).detail["addresses_outside_uk"] == 1


def test_criminal_record_finds_each_declaration_on_the_pnc() -> None:
    result = run("CRIMINAL_RECORD")
    assert result.status == "ADVERSE"
    assert result.detail["records"] == [
        {
            "offence": "Theft",
            "date": day(days=15 * 365),
            "disposal": "FINE",
            "kind": "CONVICTION",
            "source": "PNC",
        }
    ]
    clean = run("CRIMINAL_RECORD", applicant(declarations=declarations()))
    assert clean.status == "PASSED" and clean.detail["records"] == []
    assert clean.detail["summary"] == "The PNC search found no record."


def test_dbs_finds_the_declarations_and_searches_the_barred_lists_at_that_level() -> None:
    result = run("DBS")
    assert result.status == "ADVERSE" and "barred" not in result.detail
    assert [r["source"] for r in result.detail["records"]] == ["DBS"]
    clean = applicant(declarations=declarations())
    assert run("DBS", clean).status == "PASSED"
    barred_level = run("DBS", clean, dbs_level=BARRED)
    assert barred_level.status == "PASSED" and barred_level.detail["barred"] is False
    assert "no match" in barred_level.detail["summary"]


def test_references_need_two_referees() -> None:
    assert run("REFERENCES").status == "PASSED"
    one = applicant()["details"]["referees"][:1]
    result = run("REFERENCES", applicant(referees=one))
    assert result.status == "ADVERSE" and result.detail["referees"] == 1
    assert "tom@example.org" not in str(result.detail)


def test_offender_connections_reports_the_declared_ones() -> None:
    assert run("OFFENDER_CONNECTIONS").detail["connections"] == []
    assert run("OFFENDER_CONNECTIONS").status == "PASSED"
    declared = [{"name": "Sam Brown", "relationship": "Brother", "establishment": "LEI"}]
    result = run("OFFENDER_CONNECTIONS", applicant(connections=declared))
    assert result.status == "ADVERSE"
    assert result.detail["connections"] == [declared[0] | {"declared": True}]


# --- markers ------------------------------------------------------------------------------


def test_markers_are_the_sim_tags_of_the_email_local_part() -> None:
    assert markers({"email": "jo+sim-undeclared+SIM-Error-DBS+news@example.org"}) == {
        "sim-undeclared",
        "sim-error-dbs",
    }
    assert markers({"email": "jo@example.org"}) == frozenset()
    assert markers({"email": None}) == markers({}) == frozenset()


def test_sim_undeclared_adds_a_record_to_the_pnc_and_dbs_searches() -> None:
    who = applicant("jo+sim-undeclared@example.org", declarations=declarations())
    hidden = {
        "offence": "Possession of a controlled drug (class B)",
        "date": day(years=4),
        "disposal": "FINE",
        "kind": "CONVICTION",
    }
    for check, source in (("CRIMINAL_RECORD", "PNC"), ("DBS", "DBS")):
        result = run(check, who)
        assert result.status == "ADVERSE"
        assert result.detail["records"] == [hidden | {"source": source}]


def test_the_risk_summary_reads_the_declared_records_as_declared_and_the_marker_one_not() -> None:
    who = applicant("jo+sim-undeclared@example.org")
    found = [
        r | {"date": date.fromisoformat(r["date"])}
        for check in ("CRIMINAL_RECORD", "DBS")
        for r in run(check, who).detail["records"]
    ]
    declared = who["details"]["declarations"]
    summary = assess(
        declared
        | {
            "convictions": [
                c | {"date": date.fromisoformat(c["date"])} for c in declared["convictions"]
            ]
        },
        found,
        [],
        ("WWI",),
        load_policy(),
        TODAY,
    )
    undeclared = [f for f in summary.factors if f.code == "UNDECLARED_RECORD"]
    assert undeclared and all("Possession of a controlled drug" in f.evidence for f in undeclared)


@pytest.mark.parametrize("check", CHECKS)
def test_sim_adverse_makes_only_that_check_adverse(check: str) -> None:
    tag = f"sim-adverse-{check.lower()}"
    who = applicant(f"jo+{tag}@example.org", declarations=declarations())
    result = run(check, who)
    assert result.status == "ADVERSE"
    assert result.detail["summary"] == "Simulated adverse result"
    assert result.detail["marker"] == tag.replace("_", "-")
    for other in CHECKS:
        if other != check:
            assert run(other, who) == run(other, applicant(declarations=declarations()))


def test_sim_connection_discovers_an_undeclared_connection_at_the_first_establishment() -> None:
    result = run(
        "OFFENDER_CONNECTIONS",
        applicant("jo+sim-connection@example.org"),
        establishments=("BMI", "WWI"),
    )
    assert result.status == "ADVERSE"
    assert result.detail["connections"] == [
        {
            "name": "J. Doe",
            "relationship": "Former partner",
            "establishment": "BMI",
            "declared": False,
        }
    ]
    assert "NOT declared" in result.detail["summary"]


def test_sim_barred_is_a_barred_list_match_only_when_the_lists_are_searched() -> None:
    who = applicant("jo+sim-barred@example.org", declarations=declarations())
    result = run("DBS", who, dbs_level=BARRED)
    assert result.status == "ADVERSE" and result.detail["barred"] is True
    assert run("DBS", who, dbs_level="ENHANCED").status == "PASSED"


@pytest.mark.parametrize(
    "tag",
    ["sim-error-dbs", "sim-error-DBS", "sim-error-criminal_record", "sim-error-criminal-record"],
)
def test_sim_error_fails_attempts_1_and_2_then_succeeds(tag: str) -> None:
    check = "DBS" if "dbs" in tag.lower() else "CRIMINAL_RECORD"
    who = applicant(f"jo+{tag}@example.org")
    for attempt in (1, 2):
        with pytest.raises(ProviderError, match="Simulated temporary failure"):
            SIM.submit(request(check, who, attempt=attempt), NOW)
    submission = SIM.submit(request(check, who, attempt=3), NOW)
    assert SIM.poll(request(check, who, attempt=3), submission.reference, NOW) == run(check)
    SIM.submit(request("IDENTITY", who), NOW)  # other checks are not affected


def test_sim_error_always_never_succeeds() -> None:
    who = applicant("jo+sim-error-always-references@example.org")
    for attempt in range(1, 8):
        with pytest.raises(ProviderError):
            SIM.submit(request("REFERENCES", who, attempt=attempt), NOW)
    SIM.submit(request("DBS", who), NOW)


# --- properties ---------------------------------------------------------------------------

OFFENCES = ("Theft", "Burglary", "Criminal damage", "Common assault", "Fraud")
convictions = st.lists(
    st.builds(
        conviction,
        st.sampled_from(OFFENCES),
        st.integers(0, 30 * 365).map(lambda d: day(days=d)),
        st.sampled_from(("FINE", "CUSTODY", "DISCHARGE", "CAUTION")),
        st.sampled_from(("CONVICTION", "CAUTION")),
    ),
    max_size=6,
)
connections = st.lists(
    st.fixed_dictionaries(
        {
            "name": st.sampled_from(("A. Smith", "B. Jones", "C. Patel")),
            "relationship": st.sampled_from(("Brother", "Friend")),
            "establishment": st.sampled_from(("WWI", "BMI", "LEI")),
        }
    ),
    max_size=4,
)
tags = st.sets(
    st.sampled_from(
        ("sim-undeclared", "sim-connection", "sim-barred", "sim-adverse-dbs", "sim-adverse-ctc")
    )
)


def email(chosen: set[str]) -> str:
    return "jo" + "".join(f"+{t}" for t in sorted(chosen)) + "@example.org"


@PROPERTY
@given(convictions, connections, tags, st.randoms(use_true_random=False))
def test_outcomes_do_not_depend_on_list_order_nor_on_when_they_are_polled(
    found: list, linked: list, chosen: set[str], shuffle: Any
) -> None:
    who = applicant(email(chosen), declarations=declarations(*found), connections=linked)
    shuffled = copy.deepcopy(who)
    for key in ("addresses", "identity_documents", "connections", "referees"):
        shuffle.shuffle(shuffled["details"][key])
    shuffle.shuffle(shuffled["details"]["declarations"]["convictions"])
    for check in CHECKS:
        first = run(check, who, dbs_level=BARRED)
        req = request(check, shuffled, dbs_level=BARRED)
        later = SIM.poll(req, SIM.submit(req, NOW).reference, NOW + timedelta(days=3))
        assert first == later


@PROPERTY
@given(convictions, st.booleans(), st.sampled_from(("CRIMINAL_RECORD", "DBS")))
def test_every_declared_record_is_found(found: list, undeclared: bool, check: str) -> None:
    who = applicant(
        email({"sim-undeclared"} if undeclared else set()), declarations=declarations(*found)
    )
    records = run(check, who).detail["records"]
    source = "PNC" if check == "CRIMINAL_RECORD" else "DBS"
    assert all(r["source"] == source for r in records)
    unsourced = [{k: v for k, v in r.items() if k != "source"} for r in records]
    for item in found:
        assert item in unsourced
    assert len(records) == len(found) + undeclared
    assert (run(check, who).status == "ADVERSE") == bool(records)


@PROPERTY
@given(
    st.lists(st.integers(30, 800), min_size=1, max_size=5),
    st.integers(1, 60),
    st.integers(30, 5 * 365 - 100),
)
def test_a_gap_in_the_window_is_adverse_exactly_when_longer_than_28_days_unexplained(
    stays: list[int], gap: int, gap_end: int
) -> None:
    # Contiguous addresses from 6 years ago up to the gap, then from after it to today.
    start, moves = TODAY.replace(year=TODAY.year - 6), []
    gap_last = TODAY - timedelta(days=gap_end)
    gap_first = gap_last - timedelta(days=gap - 1)
    for length in stays:
        end = min(start + timedelta(days=length), gap_first - timedelta(days=1))
        moves.append(address(start.isoformat(), end.isoformat()))
        start = end + timedelta(days=1)
        if start >= gap_first:
            break
    moves[-1]["to_date"] = (gap_first - timedelta(days=1)).isoformat()
    moves.append(address((gap_last + timedelta(days=1)).isoformat(), None))
    result = run("ADDRESS_HISTORY", applicant(addresses=moves))
    assert (result.status == "ADVERSE") == (gap > 28)
    explained = [
        {
            "from_date": gap_first.isoformat(),
            "to_date": gap_last.isoformat(),
            "explanation": "Travelling",
        }
    ]
    assert (
        run(
            "ADDRESS_HISTORY", applicant(addresses=moves, address_gap_explanations=explained)
        ).status
        == "PASSED"
    )


@PROPERTY
@given(st.sampled_from(CHECKS), st.integers(1, 20), st.booleans())
def test_sim_error_fails_exactly_the_first_two_attempts_unless_always(
    check: str, attempt: int, always: bool
) -> None:
    tag = f"sim-error-{'always-' if always else ''}{check.lower()}"
    req = request(check, applicant(f"jo+{tag}@example.org"), attempt=attempt)
    fails = always or attempt <= 2
    try:
        SIM.submit(req, NOW)
    except ProviderError:
        assert fails
    else:
        assert not fails
