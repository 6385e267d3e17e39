"""Honesty, fairly: a found record is matched to a declaration by category and date (within
the policy's window), not by wording; one record found by two checks is one record; and only a
record that had to be declared (not protected by DBS filtering) counts as undeclared."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.support.properties import property_settings
from vetting.domain.policy import load_policy
from vetting.domain.risk import assess

TODAY = date(2026, 11, 27)
POLICY = load_policy()
WINDOW = POLICY.risk.undeclared_match_window_days
PROPERTY = property_settings(200, deadline=None)
RECENT = date(2024, 5, 10)  # two and a half years ago: no record this recent is protected


def item(offence: str, day: date, category: str | None = None, **more: Any) -> dict[str, Any]:
    found = {"offence": offence, "date": day, "disposal": "FINE", "kind": "CONVICTION"}
    return found | ({"category": category} if category else {}) | more


def run(declared: list[dict[str, Any]], found: list[dict[str, Any]], **kw: Any) -> Any:
    declarations = {"convictions": declared, "on_licence": False, "release_date": None}
    return assess(declarations, found, [], ["WWI"], POLICY, TODAY, **kw)


def undeclared(summary: Any) -> list[str]:
    return [f.evidence for f in summary.factors if f.code == "UNDECLARED_RECORD"]


def test_the_window_is_three_months() -> None:
    assert WINDOW == 90


def test_a_lay_description_of_the_same_offence_is_a_match() -> None:
    lay = item("Took goods from a shop", RECENT + timedelta(days=40), "THEFT")
    found = item("Theft from a shop", RECENT, "THEFT", source="CRIMINAL_RECORD")
    assert undeclared(run([lay], [found])) == []
    # Without a category the words decide, and these words differ: not a match.
    assert len(undeclared(run([item("Took goods from a shop", RECENT)], [found]))) == 1


def test_another_category_on_the_same_day_is_not_a_match() -> None:
    declared = item("Speeding", RECENT, "MOTORING")
    found = item("Theft from a shop", RECENT, "THEFT")
    assert len(undeclared(run([declared], [found]))) == 1


@PROPERTY
@given(st.integers(-3 * WINDOW, 3 * WINDOW))
def test_matched_exactly_within_the_window(shift: int) -> None:
    declared = item("Stole from work", RECENT + timedelta(days=shift), "THEFT")
    found = item("Theft by employee", RECENT, "THEFT")
    assert (undeclared(run([declared], [found])) == []) is (abs(shift) <= WINDOW)


def test_one_record_found_by_two_checks_is_one_record_with_both_sources() -> None:
    found = [
        item("Possession of a controlled drug", RECENT, "DRUG_OFFENCES", source=source)
        for source in ("DBS", "CRIMINAL_RECORD")
    ]
    summary = run([], found)
    assert len(undeclared(summary)) == 1
    assert "from CRIMINAL_RECORD and DBS" in undeclared(summary)[0]
    assert "1 undeclared record," in summary.rationale


def test_two_offences_on_one_day_in_one_check_stay_two_records() -> None:
    found = [
        item("Common assault", RECENT, "VIOLENCE_AGAINST_THE_PERSON", source="CRIMINAL_RECORD"),
        item("Assault by beating", RECENT, "VIOLENCE_AGAINST_THE_PERSON", source="CRIMINAL_RECORD"),
    ]
    summary = run([], found)
    assert len(undeclared(summary)) == 2
    assert "2 undeclared records" in summary.rationale


def test_a_protected_caution_left_out_is_not_dishonesty() -> None:
    caution = item("Theft from a shop", TODAY - timedelta(days=7 * 365), "THEFT")
    caution |= {"kind": "CAUTION", "disposal": "CAUTION", "source": "CRIMINAL_RECORD"}
    summary = run([], [caution])
    assert undeclared(summary) == [] and summary.recommendation == "CLEAR"
    # Five years on it is not yet protected (adult: six years), so leaving it out counts.
    recent = caution | {"date": TODAY - timedelta(days=5 * 365)}
    assert len(undeclared(run([], [recent]))) == 1


def test_a_youth_caution_is_never_disclosed_so_never_has_to_be_declared() -> None:
    caution = item("Wounding", TODAY - timedelta(days=30), "VIOLENCE_AGAINST_THE_PERSON")
    caution |= {"kind": "CAUTION", "disposal": "CAUTION"}
    young = date.fromordinal(caution["date"].toordinal() - 16 * 365)  # about 16 then
    assert undeclared(run([], [caution], date_of_birth=young)) == []
    assert len(undeclared(run([], [caution], date_of_birth=date(1980, 1, 1)))) == 1


def test_an_old_conviction_is_protected_on_its_own_whatever_else_there_is() -> None:
    old = item("Theft from a shop", date(2010, 1, 1), "THEFT")
    assert undeclared(run([], [old])) == []
    other = item("Speeding", date(2022, 1, 1), "MOTORING")
    # Since the 2020 order each conviction is judged alone: a later one declared does not
    # bring the old one back, and leaving the old one out is not dishonesty.
    assert undeclared(run([other], [old, other])) == []
    # The later one, not yet protected, left out is referred.
    assert len(undeclared(run([], [old, other]))) == 1


def test_an_unprotected_conviction_left_out_is_referred_once() -> None:
    found = [
        item("Possession of a controlled drug (class B)", RECENT, "DRUG_OFFENCES", source=s)
        for s in ("CRIMINAL_RECORD", "DBS")
    ]
    summary = run([], found)
    assert summary.recommendation == "REFER"
    assert [f.code for f in summary.factors].count("UNDECLARED_RECORD") == 1


def test_a_lay_declaration_never_hides_what_the_check_found() -> None:
    # The declaration covers the record (same category and date) but the checks' own words
    # still decide the offence's category in the policy.
    lay = item("Took something into a jail", RECENT, "MISCELLANEOUS_CRIMES_AGAINST_SOCIETY")
    found = item(
        "Conveying a List A article into prison", RECENT, "MISCELLANEOUS_CRIMES_AGAINST_SOCIETY"
    )
    summary = run([lay], [found])
    assert undeclared(summary) == [] and summary.recommendation == "REFUSE"


offences = st.sampled_from(
    [
        ("Possession of a controlled drug", "DRUG_OFFENCES"),
        ("Theft from a shop", "THEFT"),
        ("Fraud by false representation", "FRAUD"),
        ("Speeding", "MOTORING"),
    ]
)
recent_days = st.dates(min_value=date(2023, 1, 1), max_value=TODAY)


@PROPERTY
@given(
    st.lists(st.tuples(offences, recent_days), min_size=1, max_size=4, unique=True),
    st.lists(st.sampled_from([("CRIMINAL_RECORD",), ("DBS",), ("CRIMINAL_RECORD", "DBS")])),
    st.randoms(use_true_random=False),
)
def test_how_many_checks_found_a_record_never_changes_the_count(
    records: list[tuple[tuple[str, str], date]], seen_by: list[tuple[str, ...]], shuffle: Any
) -> None:
    once = [item(o, d, c, source="CRIMINAL_RECORD") for (o, c), d in records]
    everywhere = [
        item(o, d, c, source=source)
        for n, ((o, c), d) in enumerate(records)
        for source in (seen_by[n] if n < len(seen_by) else ("CRIMINAL_RECORD", "DBS"))
    ]
    shuffle.shuffle(everywhere)
    distinct = len({(c, d) for (_, c), d in records})
    assert len(undeclared(run([], once))) == distinct
    assert len(undeclared(run([], everywhere))) == distinct
