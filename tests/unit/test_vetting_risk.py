"""The risk summary: an example per factor and rule, then properties — the recommendation is
the most severe factor's and only grows as inputs are added, the honesty match is exact, old
records alone clear, evidence names its item, input order never matters, and an offence in an
unmanageable-risk category always gives REFUSE."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from importlib import resources
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from shared.offences import category_of_text, filtering
from tests.support.properties import property_settings
from vetting.domain.policy import load_policy, policy_from_mapping
from vetting.domain.risk import (
    RECOMMENDATIONS,
    Factor,
    assess,
    factor,
    rationale,
    recommend,
    severity_rank,
)

TODAY = date(2026, 11, 27)
POLICY = load_policy()
POLICY_DATA = yaml.safe_load(
    resources.files("vetting.domain.policy").joinpath("default_policy.yaml").read_text("utf-8")
)
PROPERTY = property_settings(200, deadline=None)
WINDOW = POLICY.risk.undeclared_match_window_days
DISPOSALS = ("CUSTODY", "SUSPENDED_SENTENCE", "COMMUNITY_ORDER", "FINE", "DISCHARGE", "OTHER")
BENIGN = (
    "Theft from a shop",
    "Driving with excess alcohol",
    "Possession of a controlled drug",
    "Criminal damage",
    "Fraud by false representation",
    "Burglary",
)
MANAGED = ("Common assault", "Possession with intent to supply")  # VIOLENCE, DRUG_SUPPLY
UNMANAGEABLE = (
    "Conveying a List A article into prison",
    "Membership of a proscribed organisation",
    "Sexual activity with a child",
    "Assault on a prison officer occasioning actual bodily harm",
)
CODES = ("WWI", "BAI", "STI", "LEI", "ASI")


def record(
    offence: str, day: date, disposal: str = "FINE", kind: str | None = None
) -> dict[str, Any]:
    item = {"offence": offence, "date": day, "disposal": disposal}
    return item | ({"kind": kind} if kind else {})


def declared(
    *records: dict[str, Any], on_licence: bool = False, release_date: date | None = None
) -> dict[str, Any]:
    return {
        "convictions": [{"kind": "CONVICTION"} | r for r in records],
        "on_licence": on_licence,
        "release_date": release_date,
    }


def run(
    declarations: dict[str, Any] | None = None,
    found: list[dict[str, Any]] | None = None,
    connections: list[dict[str, Any]] | None = None,
    requested: tuple[str, ...] = ("WWI",),
    policy: Any = POLICY,
) -> Any:
    return assess(
        declarations or declared(), found or [], connections or [], requested, policy, TODAY
    )


def codes(summary: Any) -> list[str]:
    return [f.code for f in summary.factors]


def years_ago(years: int, days: int = 0) -> date:
    return TODAY.replace(year=TODAY.year - years) - timedelta(days=days)


# --- examples -----------------------------------------------------------------------------------


def test_nothing_found_clears_and_says_a_person_decides() -> None:
    summary = run()
    assert (summary.recommendation, summary.factors, summary.conditions) == ("CLEAR", (), ())
    assert "a vetting officer decides" in summary.rationale
    assert summary.policy_version == POLICY.version


def test_the_rationale_counts_in_words_that_agree_with_the_count() -> None:
    record = Factor("UNDECLARED_RECORD", "HIGH", "a record", "REFER")
    assert "1 undeclared record." in rationale((record,), "REFER")
    assert "2 undeclared records." in rationale((record, record), "REFER")


def test_a_connection_at_a_requested_establishment_excludes_it() -> None:
    summary = run(
        connections=[{"name": "Sam Roe", "relationship": "brother", "establishment": "WWI"}],
        requested=("WWI", "LEI"),
    )
    assert summary.recommendation == "CLEAR_WITH_CONDITIONS"
    assert summary.conditions == ("EXCLUDE_ESTABLISHMENT:WWI",)
    assert "Sam Roe" in summary.factors[0].evidence and "WWI" in summary.factors[0].evidence


def test_a_connection_elsewhere_is_no_factor() -> None:
    summary = run(
        connections=[{"name": "Sam Roe", "relationship": "son", "establishment": "BAI"}],
        requested=("WWI",),
    )
    assert summary.recommendation == "CLEAR"


def test_connections_at_every_requested_establishment_are_referred() -> None:
    summary = run(connections=[{"name": "Sam Roe", "relationship": "son", "establishment": "WWI"}])
    assert summary.recommendation == "REFER"
    assert codes(summary) == ["NO_ESTABLISHMENT_LEFT", "CONNECTION_AT_ESTABLISHMENT"]
    assert summary.conditions == ("EXCLUDE_ESTABLISHMENT:WWI",)


@pytest.mark.parametrize(
    "offence, age, expected",
    [
        ("Theft from a shop", years_ago(0, 180), "REFER"),  # under 1 year
        ("Theft from a shop", years_ago(2), "CLEAR_WITH_CONDITIONS"),  # under 3 years
        ("Theft from a shop", years_ago(3), "CLEAR"),  # exactly 3 years: not under
        ("Common assault", years_ago(1), "REFER"),  # VIOLENCE: under 2 years
        ("Common assault", years_ago(4), "CLEAR_WITH_CONDITIONS"),  # VIOLENCE: under 5 years
        ("Common assault", years_ago(5, 1), "CLEAR"),
    ],
)
def test_time_since_offence(offence: str, age: date, expected: str) -> None:
    summary = run(declared(record(offence, age)))
    assert summary.recommendation == expected
    if expected == "CLEAR_WITH_CONDITIONS":
        assert summary.conditions == ("ESCORTED_ONLY",)
        assert codes(summary) == ["RECENT_OFFENCE"]


@pytest.mark.parametrize(
    "released, expected",
    [
        (years_ago(0, 200), "REFER"),
        (years_ago(1, 30), "CLEAR_WITH_CONDITIONS"),
        (years_ago(2), "CLEAR"),
    ],
)
def test_time_since_release(released: date, expected: str) -> None:
    summary = run(declared(release_date=released))
    assert summary.recommendation == expected
    assert all(released.isoformat() in f.evidence for f in summary.factors)


def test_thresholds_are_policy_values() -> None:
    data = copy.deepcopy(POLICY_DATA)
    data["risk"]["offence"] = {"refer_within_years": 0, "escorted_only_within_years": 0}
    lenient = policy_from_mapping(data)
    summary = run(declared(record("Theft from a shop", years_ago(0, 30))), policy=lenient)
    assert summary.recommendation == "CLEAR"


def test_on_licence_is_referred() -> None:
    summary = run(declared(on_licence=True))
    assert (summary.recommendation, codes(summary)) == ("REFER", ["ON_LICENCE"])


def test_an_undeclared_record_is_referred_for_honesty() -> None:
    summary = run(found=[record("Criminal damage", date(2001, 3, 4), "DISCHARGE")])
    assert (summary.recommendation, codes(summary)) == ("REFER", ["UNDECLARED_RECORD"])
    assert "'Criminal damage' on 2001-03-04" in summary.factors[0].evidence


@pytest.mark.parametrize(
    "shift, undeclared",
    [(0, False), (WINDOW, False), (-WINDOW, False), (WINDOW + 1, True), (-WINDOW - 1, True)],
)
def test_the_matching_window(shift: int, undeclared: bool) -> None:
    day = date(2001, 3, 4)
    summary = run(
        declared(record("CRIMINAL   damage", day + timedelta(days=shift))),
        found=[record("Criminal damage", day, "DISCHARGE")],
    )
    assert ("UNDECLARED_RECORD" in codes(summary)) == undeclared


def test_an_unmanageable_offence_recommends_refusal_however_old_and_however_declared() -> None:
    summary = run(
        declared(record("Conveying a List A article into prison", date(1995, 1, 1), "CUSTODY"))
    )
    assert summary.recommendation == "REFUSE"
    assert "CONVEYANCE_INTO_PRISON" in summary.factors[0].evidence
    assert "second officer" in summary.rationale


def test_conditions_accumulate_under_a_more_severe_recommendation() -> None:
    summary = run(
        declared(record("Burglary", years_ago(2)), on_licence=True),
        connections=[{"name": "Sam Roe", "relationship": "son", "establishment": "WWI"}],
        requested=("WWI", "LEI"),
    )
    assert summary.recommendation == "REFER"
    assert summary.conditions == ("ESCORTED_ONLY", "EXCLUDE_ESTABLISHMENT:WWI")


# --- properties ---------------------------------------------------------------------------------

days = st.dates(min_value=date(1980, 1, 1), max_value=TODAY)
records = st.builds(record, st.sampled_from(BENIGN + MANAGED), days, st.sampled_from(DISPOSALS))
declarations = st.builds(
    lambda items, kinds, licence, release: {
        "convictions": [r | {"kind": k} for r, k in zip(items, kinds, strict=False)],
        "on_licence": licence,
        "release_date": release,
    },
    st.lists(records, max_size=4),
    st.lists(st.sampled_from(("CONVICTION", "CAUTION")), min_size=4, max_size=4),
    st.booleans(),
    st.none() | days,
)
connections = st.lists(
    st.builds(
        lambda n, c: {"name": f"Person {n}", "relationship": "friend", "establishment": c},
        st.integers(1, 9),
        st.sampled_from(CODES),
    ),
    max_size=3,
)
requested = st.lists(st.sampled_from(CODES), min_size=1, max_size=3, unique=True)
inputs = st.tuples(declarations, st.lists(records, max_size=4), connections, requested)
factors = st.builds(
    factor,
    st.sampled_from(("RECENT_OFFENCE", "ON_LICENCE")),
    st.sampled_from(RECOMMENDATIONS[1:]),
    st.just("evidence"),
    st.lists(st.sampled_from(("ESCORTED_ONLY", "EXCLUDE_ESTABLISHMENT:WWI"))),
)


def assess_inputs(case: tuple[Any, ...]) -> Any:
    return assess(case[0], case[1], case[2], case[3], POLICY, TODAY)


@PROPERTY
@given(st.lists(factors, max_size=6), factors)
def test_adding_a_factor_never_makes_the_recommendation_less_severe(
    before: list[Factor], extra: Factor
) -> None:
    recommendation, conditions = recommend(before)
    more, more_conditions = recommend([*before, extra])
    assert severity_rank(more) >= severity_rank(recommendation)
    assert severity_rank(more) >= severity_rank(extra.recommends)
    assert set(more_conditions) >= set(conditions) | set(extra.conditions)
    assert (recommendation == "CLEAR") == (not before)


extras = st.one_of(
    st.builds(
        lambda r: ("found", r), st.builds(record, st.sampled_from(BENIGN + UNMANAGEABLE), days)
    ),
    st.builds(lambda c: ("connection", c), connections.filter(bool).map(lambda cs: cs[0])),
    st.just(("licence", True)),
    st.builds(
        lambda d: ("declaration", record("Obstructing a constable", d, kind="CAUTION")), days
    ),
)


@PROPERTY
@given(inputs, extras)
def test_adding_an_input_only_adds_factors(case: tuple[Any, ...], extra: tuple[str, Any]) -> None:
    before = assess_inputs(case)
    decl, found, conns, req = copy.deepcopy(case)
    kind, item = extra
    if kind == "found":
        found.append(item)
    elif kind == "connection":
        conns.append(item)
    elif kind == "licence":
        decl["on_licence"] = True
    else:
        decl["convictions"].append(item)
    after = assess(decl, found, conns, req, POLICY, TODAY)

    # What each factor says may be restated (a record found by another check too is one record,
    # described by one of its wordings), but no factor is lost and none weakens.
    def kinds(summary: Any) -> set[tuple[str, str, tuple[str, ...]]]:
        return {(f.code, f.recommends, tuple(f.conditions)) for f in summary.factors}

    assert kinds(after) >= kinds(before)
    assert severity_rank(after.recommendation) >= severity_rank(before.recommendation)
    assert set(after.conditions) >= set(before.conditions)


@PROPERTY
@given(
    st.lists(records, min_size=1, max_size=5, unique_by=lambda r: r["offence"]),
    st.integers(-WINDOW, WINDOW),
    st.data(),
)
def test_a_matching_declaration_is_never_undeclared_and_removing_it_always_is(
    found: list[dict[str, Any]], shift: int, data: st.DataObject
) -> None:
    copies = [
        r
        | {
            "offence": f"  {r['offence'].upper()} ",
            "date": r["date"] + timedelta(days=shift),
            "kind": "CONVICTION",
        }
        for r in found
    ]
    summary = assess(declared(*copies), found, [], ["WWI"], POLICY, TODAY)
    assert "UNDECLARED_RECORD" not in codes(summary)
    gone = data.draw(st.integers(0, len(found) - 1))
    fewer = assess(
        declared(*(copies[:gone] + copies[gone + 1 :])), found, [], ["WWI"], POLICY, TODAY
    )
    undeclared = [f for f in fewer.factors if f.code == "UNDECLARED_RECORD"]
    left_out = found[gone]
    rule = filtering(
        kind="CONVICTION",
        category=category_of_text(left_out["offence"]),
        disposal=left_out["disposal"],
        day=left_out["date"],
        date_of_birth=None,
        today=TODAY,
    )
    # A protected record need not be declared; any other left out is referred, once.
    assert len(undeclared) == (0 if rule.protected else 1)
    assert all(
        f"'{left_out['offence']}' on {left_out['date'].isoformat()}" in f.evidence
        for f in undeclared
    )


old_days = st.dates(
    min_value=date(1970, 1, 1), max_value=years_ago(POLICY.risk.longest_threshold_years(), 1)
)


@PROPERTY
@given(
    st.lists(st.builds(record, st.sampled_from(BENIGN + MANAGED), old_days), max_size=5),
    st.none() | old_days,
    connections,
    requested,
)
def test_old_declared_records_alone_clear(
    items: list[dict[str, Any]], release: date | None, conns: list[dict[str, Any]], req: list[str]
) -> None:
    elsewhere = [c for c in conns if c["establishment"] not in req]
    summary = assess(declared(*items, release_date=release), items, elsewhere, req, POLICY, TODAY)
    assert (summary.recommendation, summary.factors, summary.conditions) == ("CLEAR", (), ())


@PROPERTY
@given(inputs, st.lists(st.builds(record, st.sampled_from(UNMANAGEABLE), days), max_size=2))
def test_every_factor_names_its_evidence(
    case: tuple[Any, ...], worst: list[dict[str, Any]]
) -> None:
    decl, found, conns, req = case
    summary = assess(decl, found + worst, conns, req, POLICY, TODAY)
    items = decl["convictions"] + found + worst
    for f in summary.factors:
        assert f.evidence.strip() and f.severity in ("MEDIUM", "HIGH", "CRITICAL")
        if f.code in ("UNDECLARED_RECORD", "RECENT_OFFENCE", "UNMANAGEABLE_OFFENCE"):
            assert any(
                f"'{i['offence']}' on {i['date'].isoformat()}" in f.evidence for i in items
            ), f.evidence
        elif f.code == "RECENT_RELEASE":
            assert decl["release_date"].isoformat() in f.evidence
        elif f.code == "CONNECTION_AT_ESTABLISHMENT":
            assert any(
                c["name"] in f.evidence
                and c["establishment"] in f.evidence
                and c["establishment"] in req
                for c in conns
            )
        elif f.code == "NO_ESTABLISHMENT_LEFT":
            assert all(code in f.evidence for code in req)
    ranks = [severity_rank(f.recommends) for f in summary.factors]
    assert ranks == sorted(ranks, reverse=True)  # most severe first
    best = max((f.recommends for f in summary.factors), key=severity_rank, default="CLEAR")
    assert summary.recommendation == best
    assert (summary.recommendation == "CLEAR") == (not summary.factors)


@PROPERTY
@given(inputs, st.data())
def test_the_result_does_not_depend_on_input_order(
    case: tuple[Any, ...], data: st.DataObject
) -> None:
    decl, found, conns, req = case
    shuffled = dict(decl, convictions=data.draw(st.permutations(decl["convictions"])))
    again = assess(
        shuffled,
        data.draw(st.permutations(found)),
        data.draw(st.permutations(conns)),
        data.draw(st.permutations(req)),
        POLICY,
        TODAY,
    )
    assert again == assess_inputs(case)


@PROPERTY
@given(inputs, st.builds(record, st.sampled_from(UNMANAGEABLE), days), st.booleans())
def test_an_unmanageable_offence_always_recommends_refusal(
    case: tuple[Any, ...], worst: dict[str, Any], was_declared: bool
) -> None:
    decl, found, conns, req = copy.deepcopy(case)
    if was_declared:
        decl["convictions"].append(worst | {"kind": "CONVICTION"})
    else:
        found.append(worst)
    summary = assess(decl, found, conns, req, POLICY, TODAY)
    assert summary.recommendation == "REFUSE"
    assert summary.factors[0].code == "UNMANAGEABLE_OFFENCE"


@PROPERTY
@given(st.sampled_from(BENIGN + MANAGED), days, days)
def test_an_older_offence_is_never_more_severe(offence: str, one: date, other: date) -> None:
    older, newer = sorted((one, other))
    severity = [
        severity_rank(run(declared(record(offence, day))).recommendation) for day in (older, newer)
    ]
    assert severity[0] <= severity[1]
