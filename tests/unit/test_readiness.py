"""The readiness check: a valid application passes, each code has a focused failing example,
and property-based tests pin the date arithmetic (address history, ages) and the shape of the
result (complete, deterministic, independent of list order)."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from applications.readiness import CODES, Problem, ReadinessPolicy, check_readiness, is_ready
from applications.schemas.applicant import ApplicantSchema
from shared.reference import load_establishments

TODAY = date(2026, 11, 27)
WINDOW_START = date(2021, 11, 27)  # five years before TODAY
ESTABLISHMENTS = load_establishments()
DAY = timedelta(days=1)
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
ADDRESS_CODES = {"ADDRESS_HISTORY_TOO_SHORT", "ADDRESS_GAP", "ADDRESSES_OVERLAP",
                 "NO_CURRENT_ADDRESS"}
PROPERTY = settings(max_examples=200, deadline=None)


def spoken(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def address(n: int, start: date, end: date | None, postcode: str = "LS1 1AA") -> dict[str, Any]:
    return {"line1": f"{n} High Street", "line2": None, "town": "Leeds", "postcode": postcode,
            "from_date": start, "to_date": end}


def valid_application() -> dict[str, Any]:
    return {
        "applicant": {
            "forenames": "Alex", "middle_names": "Jordan", "surname": "Taylor",
            "previous_names": [{"forenames": "Alex", "surname": "Smith",
                                "from_date": date(1980, 5, 1), "to_date": date(2004, 6, 30)}],
            "date_of_birth": date(1980, 5, 1),
            "contact": {"email": "alex@example.org", "mobile": "07700 900123",
                        "preferred_channel": "SMS"},
            "addresses": [
                address(1, date(2023, 3, 4), None),
                address(2, date(2019, 1, 1), date(2022, 12, 31), postcode="YO1 7HH"),
            ],
            # 1 January to 3 March 2023: 62 days with no address, explained.
            "address_gap_explanations": [{"from_date": date(2023, 1, 1),
                                          "to_date": date(2023, 3, 3),
                                          "explanation": "Travelling in Spain"}],
            "identity_documents": [{"type": "PASSPORT", "last4": "1234",
                                    "expiry": date(2030, 1, 1)}],
            "declarations": {
                "convictions": [{"kind": "CONVICTION", "offence": "Theft",
                                 "date": date(2010, 3, 1), "disposal": "CUSTODY"}],
                "on_licence": False, "release_date": date(2011, 2, 1)},
            "connections": [{"name": "Sam Jones", "relationship": "friend",
                             "establishment": "LPI"}],
            "previous_volunteering": [{"organisation": "AA", "establishment": "BMI",
                                       "from_date": date(2015, 1, 1), "to_date": None,
                                       "clearance_level": None}],
            "dbs_certificate": {"number": "001234567890", "level": "ENHANCED",
                                "update_service": True},
            "referees": [
                # Same surname, other postcode; same postcode, other surname: neither is flagged.
                {"forenames": "Chris", "surname": "Taylor", "email": "chris@example.org",
                 "relationship": "friend from AA", "postcode": "LS2 8AA", "years_known": 10},
                {"forenames": "Pat", "surname": "Lee", "email": "pat@example.org",
                 "relationship": "employer", "postcode": "LS1 1AA", "years_known": 4},
            ],
        },
        "role": "GROUP_FACILITATOR", "establishments": ["WWI", "LEI"],
        "requested_access": "ESCORTED", "frequency": "REGULAR",
    }


def check(application: dict[str, Any], **kwargs: Any) -> list[Problem]:
    return check_readiness(application, today=kwargs.pop("today", TODAY),
                           establishments=ESTABLISHMENTS, **kwargs)


def codes(problems: list[Problem]) -> list[str]:
    return [p.code for p in problems]


def test_a_valid_application_has_no_problem():
    application = valid_application()
    assert check(application) == []
    assert is_ready([])


def test_the_valid_application_is_in_the_schema_shape():
    schema = ApplicantSchema()
    applicant = valid_application()["applicant"]
    assert schema.load(schema.dump(applicant)) == applicant


# ---- one focused example per code --------------------------------------------------------

def edit(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Set (or, with value DELETE, remove) the item at a dotted path like 'applicant.surname'."""
    def apply(application: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = application
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        if value is DELETE:
            del target[last]
        elif isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
    return apply


DELETE = object()
A = "applicant"

# (expected code, field, changes): each breaks exactly one thing in the valid application.
CASES: list[tuple[str, str, list[Callable[[dict[str, Any]], None]]]] = [
    ("MISSING_FORENAMES", "applicant.forenames", [edit(f"{A}.forenames", "  ")]),
    ("MISSING_SURNAME", "applicant.surname", [edit(f"{A}.surname", DELETE)]),
    ("MISSING_DATE_OF_BIRTH", "applicant.date_of_birth", [edit(f"{A}.date_of_birth", None)]),
    ("MISSING_EMAIL", "applicant.contact.email", [edit(f"{A}.contact.email", DELETE)]),
    ("MISSING_ADDRESS", "applicant.addresses", [edit(f"{A}.addresses", [])]),
    ("MISSING_IDENTITY_DOCUMENT", "applicant.identity_documents",
     [edit(f"{A}.identity_documents", DELETE)]),
    ("MISSING_ROLE", "role", [edit("role", None)]),
    ("MISSING_REQUESTED_ACCESS", "requested_access", [edit("requested_access", DELETE)]),
    ("MISSING_FREQUENCY", "frequency", [edit("frequency", "")]),
    ("MISSING_DECLARATIONS", "applicant.declarations", [edit(f"{A}.declarations", DELETE)]),
    ("MIDDLE_NAMES_NOT_CONFIRMED", "applicant.middle_names",
     [edit(f"{A}.middle_names", None)]),
    ("MIDDLE_NAMES_CONTRADICTORY", "applicant.no_middle_name",
     [edit(f"{A}.no_middle_name", True)]),
    ("SMS_WITHOUT_MOBILE", "applicant.contact.mobile", [edit(f"{A}.contact.mobile", None)]),
    ("ADDRESS_HISTORY_TOO_SHORT", "applicant.addresses[1].from_date",
     [edit(f"{A}.addresses.1.from_date", WINDOW_START + DAY)]),
    ("ADDRESS_GAP", "applicant.addresses[1].to_date",
     [edit(f"{A}.address_gap_explanations", [])]),
    ("ADDRESSES_OVERLAP", "applicant.addresses[0].from_date",
     [edit(f"{A}.addresses.1.to_date", date(2023, 3, 5))]),
    ("NO_CURRENT_ADDRESS", "applicant.addresses",
     [edit(f"{A}.addresses.0.to_date", TODAY - 28 * DAY)]),
    ("APPLICANT_UNDER_18", "applicant.date_of_birth",
     [edit(f"{A}.date_of_birth", date(2008, 11, 28))]),
    ("IDENTITY_DOCUMENT_EXPIRED", "applicant.identity_documents[0].expiry",
     [edit(f"{A}.identity_documents.0.expiry", TODAY - DAY)]),
    ("TOO_FEW_REFEREES", "applicant.referees", [edit(f"{A}.referees.1", "not a referee")]),
    ("REFEREE_IS_RELATIVE", "applicant.referees[0].relationship",
     [edit(f"{A}.referees.0.relationship", "Step-Sister")]),
    ("REFEREE_MAY_BE_RELATIVE", "applicant.referees[1]",
     [edit(f"{A}.referees.1.surname", " tay lor"), edit(f"{A}.referees.1.postcode", "ls11aa")]),
    ("NO_ESTABLISHMENT", "establishments", [edit("establishments", [])]),
    ("UNKNOWN_ESTABLISHMENT", "establishments[1]", [edit("establishments.1", "XYZ")]),
    ("DUPLICATE_ESTABLISHMENT", "establishments[2]", [edit("establishments", ["WWI", "LEI",
                                                                               "WWI"])]),
    ("CONNECTION_AT_REQUESTED_ESTABLISHMENT", "applicant.connections[0].establishment",
     [edit(f"{A}.connections.0.establishment", "LEI")]),
    ("DATE_IN_FUTURE", "applicant.previous_volunteering[0].from_date",
     [edit(f"{A}.previous_volunteering.0.from_date", TODAY + DAY)]),
    ("RELEASE_BEFORE_CONVICTION", "applicant.declarations.release_date",
     [edit(f"{A}.declarations.release_date", date(2010, 2, 28))]),
    ("MISSING_RELEASE_DATE", "applicant.declarations.release_date",
     [edit(f"{A}.declarations.release_date", None)]),
    ("ON_LICENCE_WITHOUT_RELEASE_DATE", "applicant.declarations.release_date",
     [edit(f"{A}.declarations.release_date", None), edit(f"{A}.declarations.on_licence", True)]),
]


def broken(changes: list[Callable[[dict[str, Any]], None]]) -> dict[str, Any]:
    application = valid_application()
    for change in changes:
        change(application)
    return application


@pytest.mark.parametrize(("code", "field", "changes"), CASES, ids=[c[0] for c in CASES])
def test_each_mistake_is_reported_alone_with_its_code_and_field(code, field, changes):
    problems = check(broken(changes))
    assert [(p.code, p.field) for p in problems] == [(code, field)]
    problem = problems[0]
    assert problem.message.endswith(".") and len(problem.message) > 30
    assert is_ready(problems) is (code == "ADDRESSES_OVERLAP"
                                  or code == "CONNECTION_AT_REQUESTED_ESTABLISHMENT")


def test_every_code_is_listed_and_has_an_example():
    assert {case[0] for case in CASES} == set(CODES)
    assert all(re.fullmatch(r"[A-Z][A-Z0-9_]+", code) and text for code, text in CODES.items())


def test_every_problem_is_reported_not_only_the_first():
    problems = check({"applicant": {"middle_names": "J", "no_middle_name": True,
                                    "date_of_birth": TODAY + DAY},
                      "establishments": ["WWI", "WWI", "NOPE"]})
    assert set(codes(problems)) >= {
        "MISSING_FORENAMES", "MISSING_SURNAME", "MISSING_EMAIL", "MISSING_ADDRESS",
        "MISSING_IDENTITY_DOCUMENT", "MISSING_ROLE", "MISSING_REQUESTED_ACCESS",
        "MISSING_FREQUENCY", "MIDDLE_NAMES_CONTRADICTORY", "TOO_FEW_REFEREES",
        "DUPLICATE_ESTABLISHMENT", "UNKNOWN_ESTABLISHMENT", "DATE_IN_FUTURE"}
    assert "APPLICANT_UNDER_18" not in codes(problems)  # the future date is the mistake


def test_messages_name_the_dates_in_words():
    gap = check(broken([edit(f"{A}.address_gap_explanations", [])]))[0]
    assert gap.message == (
        "There is a gap of 62 days in the address history, from 1 January 2023 to 3 March "
        "2023. Add the missing address, or explain the gap (for example travelling or in "
        "hospital).")
    expired = check(broken([edit(f"{A}.identity_documents.0.expiry", date(2024, 3, 3))]))[0]
    assert "The passport ending 1234 expired on 3 March 2024." in expired.message
    short = check(broken([edit(f"{A}.addresses.1.from_date", date(2022, 1, 9))]))[0]
    assert "to 27 November 2021, but it starts on 9 January 2022" in short.message


def test_a_gap_up_to_today_without_a_current_address():
    problems = check(broken([edit(f"{A}.addresses.0.to_date", TODAY - 29 * DAY)]))
    assert codes(problems) == ["ADDRESS_GAP", "NO_CURRENT_ADDRESS"]
    assert "gap of 29 days in the address history, from 30 October 2026 to today" in (
        problems[0].message)


@pytest.mark.parametrize("path", [
    "date_of_birth", "previous_names.0.to_date", "address_gap_explanations.0.to_date",
    "declarations.convictions.0.date", "declarations.release_date",
])
def test_dates_that_must_be_past(path):
    problems = check(broken([edit(f"{A}.{path}", TODAY + DAY)]))
    future = [p for p in problems if p.code == "DATE_IN_FUTURE"]
    assert [p.field for p in future] == [re.sub(r"\.(\d+)", r"[\1]", f"{A}.{path}")]
    assert spoken(TODAY + DAY) in future[0].message


def test_boundaries_that_are_fine():
    application = broken([
        edit(f"{A}.addresses.1.from_date", WINDOW_START),  # exactly the five years
        edit(f"{A}.identity_documents.0.expiry", TODAY),  # valid to the end of today
        edit(f"{A}.address_gap_explanations.0.to_date", date(2023, 3, 4)),  # one day shared
        edit(f"{A}.referees.0.relationship", "sponsor"),
        edit(f"{A}.declarations.release_date", date(2010, 3, 1)),  # released the day sentenced
    ])
    assert check(application) == []


def test_expiry_and_the_current_address_end_may_be_in_the_future():
    application = broken([edit(f"{A}.addresses.0.to_date", TODAY + 400 * DAY)])
    assert check(application) == []


def test_policy_values_are_used():
    application = broken([edit(f"{A}.address_gap_explanations", []),
                          edit(f"{A}.referees", [])])
    lenient = ReadinessPolicy(address_history_years=3, max_unexplained_gap_days=62,
                              minimum_age=50, referees_required=0)
    assert codes(check(application, policy=lenient)) == ["APPLICANT_UNDER_18"]


def test_born_on_29_february():
    application = broken([edit(f"{A}.date_of_birth", date(2008, 2, 29))])
    assert codes(check(application, today=date(2026, 2, 28))) == ["APPLICANT_UNDER_18"]
    assert "on or after 1 March 2026" in check(application, today=date(2026, 2, 28))[0].message
    assert "APPLICANT_UNDER_18" not in codes(check(application, today=date(2026, 3, 1)))


@pytest.mark.parametrize("relationship", [
    "Mother", "my brother-in-law", "ex-wife", "Step-Son", "grandchildren", "Partner",
    "cousin", "AUNT", "uncle", "husband", "daughter", "father", "sister in law"])
def test_family_relationships(relationship):
    problems = check(broken([edit(f"{A}.referees.1.relationship", relationship)]))
    assert codes(problems) == ["REFEREE_IS_RELATIVE"]


def test_a_relative_is_reported_once():
    problems = check(broken([edit(f"{A}.referees.1.surname", "Taylor"),
                             edit(f"{A}.referees.1.relationship", "brother")]))
    assert [(p.code, p.field) for p in problems] == [
        ("REFEREE_IS_RELATIVE", "applicant.referees[1].relationship")]


@pytest.mark.parametrize("relationship", [
    "friend", "business partner", "person from church", "mum's friend", "childhood friend",
    "godmother", "neighbour", "AA sponsor", "Jason's colleague", "family friend"])
def test_other_relationships(relationship):
    assert check(broken([edit(f"{A}.referees.1.relationship", relationship)])) == []


def test_drafts_with_nothing_or_odd_values_do_not_break_the_check():
    for draft in ({}, {"applicant": None}, {"applicant": {"addresses": None, "referees": [None],
                                                          "declarations": None}},
                  {"establishments": "WWI", "applicant": {"date_of_birth": "not a date"}}):
        problems = check(draft)
        assert not is_ready(problems)
        assert all(p.code in CODES for p in problems)


# ---- properties ----------------------------------------------------------------------------

def history(stays: list[int], gaps: list[int], *, current: bool = True,
            reach_back: bool = True) -> list[dict[str, Any]]:
    """Addresses going back from today: stays[i] days at address i (0 = the most recent), then
    gaps[i] days at no address before it (-1: moved on the same day). With reach_back, the
    oldest address starts well before the years needed."""
    addresses, end = [], TODAY if current else TODAY - DAY
    for n, (stay, gap) in enumerate(zip(stays, gaps, strict=True)):
        start = end - (stay - 1) * DAY
        if reach_back and n == len(stays) - 1:
            start = min(start, WINDOW_START - 30 * DAY)
        addresses.append(address(n + 1, start, None if n == 0 and current else end))
        end = start - (gap + 1) * DAY
    return addresses


def with_addresses(addresses: list[dict[str, Any]],
                   explanations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    application = valid_application()
    application["applicant"]["addresses"] = addresses
    application["applicant"]["address_gap_explanations"] = explanations or []
    return application


stays = st.lists(st.integers(1, 800), min_size=1, max_size=8)


@PROPERTY
@given(stays=stays, data=st.data())
def test_a_contiguous_history_is_never_flagged(stays, data):
    moves = data.draw(st.lists(st.sampled_from([-1, 0]), min_size=len(stays),
                               max_size=len(stays)))
    assert check(with_addresses(history(stays, moves))) == []


@PROPERTY
@given(recent=st.integers(1, 700), gap=st.integers(1, 400), before=st.integers(1, 900),
       cover=st.tuples(st.integers(0, 400), st.integers(0, 400)))
@example(recent=100, gap=28, before=10, cover=(0, 0))
@example(recent=100, gap=29, before=10, cover=(0, 0))
def test_one_gap_is_flagged_exactly_when_longer_than_28_unexplained_days(
        recent, gap, before, cover):
    current = address(1, TODAY - (recent - 1) * DAY, None)
    gap_last = current["from_date"] - DAY
    gap_first = gap_last - (gap - 1) * DAY
    older = address(2, min(gap_first - before * DAY, WINDOW_START - DAY), gap_first - DAY)
    if gap_first < WINDOW_START:  # only the days in the years needed count
        gap = (gap_last - WINDOW_START).days + 1
        gap_first = WINDOW_START
    problems = check(with_addresses([current, older]))
    gaps = [p for p in problems if p.code == "ADDRESS_GAP"]
    assert codes(problems) == (["ADDRESS_GAP"] if gap > 28 else [])
    if gaps:
        assert gaps[0].field == "applicant.addresses[1].to_date"
        assert (f"gap of {gap} days in the address history, from {spoken(gap_first)} to "
                f"{spoken(gap_last)}.") in gaps[0].message
    # An explanation covering the whole gap removes it; one covering part leaves the rest.
    whole = {"from_date": gap_first, "to_date": gap_last, "explanation": "In hospital"}
    assert check(with_addresses([current, older], [whole])) == []
    first, last = sorted(cover)
    part_from, part_to = gap_first + first * DAY, min(gap_first + last * DAY, gap_last)
    if part_from <= gap_last:
        part = {"from_date": part_from, "to_date": part_to, "explanation": "Travelling"}
        left = [(part_from - gap_first).days, (gap_last - part_to).days]
        expected = sum(1 for days in left if days > 28)
        assert codes(check(with_addresses([current, older], [part]))) == ["ADDRESS_GAP"] * expected


def day_by_day(addresses: list[dict[str, Any]],
               explanations: list[dict[str, Any]]) -> tuple[bool, list[tuple[date, date]]]:
    """An independent oracle: (too short?, gaps over 28 days) by marking every covered day."""
    covered: set[date] = set()
    starts = []
    for period in [*addresses, *explanations]:
        start, end = period["from_date"], period["to_date"] or TODAY
        starts.append(start)
        day = max(start, WINDOW_START)
        while day <= min(end, TODAY):
            covered.add(day)
            day += DAY
    runs: list[list[date]] = []
    day = WINDOW_START
    while day <= TODAY:
        if day not in covered:
            if runs and runs[-1][1] == day - DAY:
                runs[-1][1] = day
            else:
                runs.append([day, day])
        day += DAY
    too_short = min(starts) > WINDOW_START
    if too_short:
        runs = runs[1:]  # the days before the history starts are "too short", not a gap
    return too_short, [(a, b) for a, b in runs if (b - a).days + 1 > 28]


explanation = st.builds(
    lambda start, length: {"from_date": start, "to_date": start + length * DAY,
                           "explanation": "Travelling"},
    st.dates(date(2021, 1, 1), TODAY), st.integers(0, 120))


@PROPERTY
@given(stays=stays, data=st.data(), current=st.booleans(), reach_back=st.booleans(),
       explanations=st.lists(explanation, max_size=4))
def test_gaps_and_length_agree_with_a_day_by_day_count(stays, data, current, reach_back,
                                                       explanations):
    gaps = data.draw(st.lists(st.integers(-1, 90), min_size=len(stays), max_size=len(stays)))
    addresses = history(stays, gaps, current=current, reach_back=reach_back)
    explanations = [e for e in explanations if e["to_date"] <= TODAY]
    problems = check(with_addresses(addresses, explanations))
    too_short, expected = day_by_day(addresses, explanations)
    assert ("ADDRESS_HISTORY_TOO_SHORT" in codes(problems)) is too_short
    found = [p.message for p in problems if p.code == "ADDRESS_GAP"]
    assert len(found) == len(expected)
    for (first, last), message in zip(expected, found, strict=True):
        until = "today" if last == TODAY else spoken(last)
        assert f"gap of {(last - first).days + 1} days" in message
        assert f"from {spoken(first)} to {until}." in message
    assert ("NO_CURRENT_ADDRESS" in codes(problems)) is not current


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


@PROPERTY
@given(today=st.dates(date(2024, 1, 1), date(2040, 12, 31)))
@example(today=date(2026, 2, 28))
@example(today=date(2026, 3, 1))
@example(today=date(2028, 2, 29))
def test_age_boundary_including_29_february(today):
    # The latest birth date that makes someone 18 today, found by stepping, not by a formula.
    born = date(today.year - 18, today.month, min(today.day, 28))
    while age_on(born + DAY, today) >= 18:
        born += DAY
    on_the_day = broken([edit(f"{A}.date_of_birth", born)])
    a_day_later = broken([edit(f"{A}.date_of_birth", born + DAY)])
    assert "APPLICANT_UNDER_18" not in codes(check(on_the_day, today=today))
    assert "APPLICANT_UNDER_18" in codes(check(a_day_later, today=today))


@PROPERTY
@given(born=st.dates(date(1930, 1, 1), date(2030, 12, 31)))
@example(born=date(2008, 2, 29))
def test_under_18_and_future_birth_dates(born):
    problems = codes(check(broken([edit(f"{A}.date_of_birth", born)])))
    assert ("DATE_IN_FUTURE" in problems) is (born > TODAY)
    assert ("APPLICANT_UNDER_18" in problems) is (born <= TODAY and age_on(born, TODAY) < 18)


@PROPERTY
@given(expiries=st.lists(st.dates(date(2020, 1, 1), date(2032, 12, 31)), min_size=1,
                         max_size=5))
@example(expiries=[TODAY, TODAY - DAY, TODAY + DAY])
def test_each_expired_document_is_named_with_its_date(expiries):
    documents = [{"type": "DRIVING_LICENCE", "last4": f"{n:04d}", "expiry": expiry}
                 for n, expiry in enumerate(expiries)]
    problems = check(broken([edit(f"{A}.identity_documents", documents)]))
    expected = [n for n, expiry in enumerate(expiries) if expiry < TODAY]
    assert [p.field for p in problems] == [
        f"applicant.identity_documents[{n}].expiry" for n in expected]
    for n, problem in zip(expected, problems, strict=True):
        assert f"driving licence ending {n:04d} expired on {spoken(expiries[n])}." in (
            problem.message)


@PROPERTY
@given(stays=stays, data=st.data(), explanations=st.lists(explanation, max_size=3))
def test_deterministic_and_independent_of_the_order_of_addresses(stays, data, explanations):
    gaps = data.draw(st.lists(st.integers(-30, 60), min_size=len(stays), max_size=len(stays)))
    addresses = history(stays, gaps)
    shuffled = data.draw(st.permutations(addresses))
    first = check(with_addresses(addresses, explanations))
    assert first == check(with_addresses(copy.deepcopy(addresses), copy.deepcopy(explanations)))

    def what(problems: list[Problem]) -> list[tuple[str, str, bool]]:
        return sorted((p.code, p.message, p.blocking) for p in problems)

    assert what(first) == what(check(with_addresses(list(shuffled), explanations)))


# Breakages to combine, and what removing a key may legitimately take away with it.
BREAKAGES = [changes for _, _, changes in CASES]
REMOVABLE = [f"{A}.{key}" for key in valid_application()[A]] + [
    "role", "establishments", "requested_access", "frequency", A]
RELATED = {
    f"{A}.surname": {"REFEREE_MAY_BE_RELATIVE"},
    f"{A}.addresses": {"REFEREE_MAY_BE_RELATIVE"},
    f"{A}.address_gap_explanations": {"ADDRESS_GAP", "ADDRESS_HISTORY_TOO_SHORT"},
    f"{A}.middle_names": {"MIDDLE_NAMES_CONTRADICTORY"},
    "establishments": {"CONNECTION_AT_REQUESTED_ESTABLISHMENT"},
}


def under(field: str, path: str) -> bool:
    return field == path or field.startswith((f"{path}.", f"{path}["))


@PROPERTY
@given(breakages=st.lists(st.sampled_from(BREAKAGES), max_size=4),
       removed=st.sampled_from(REMOVABLE))
def test_removing_a_field_keeps_the_problems_unrelated_to_it(breakages, removed):
    application = valid_application()
    for change in (change for changes in breakages for change in changes):
        try:
            change(application)
        except (KeyError, IndexError, TypeError):
            pass  # an earlier breakage removed what this one changes
    before = check(application)
    *parents, last = removed.split(".")
    (application[parents[0]] if parents else application).pop(last, None)
    after = check(application)
    related = RELATED.get(removed, set()) | (
        {code for path, codes_ in RELATED.items() if under(path, removed) for code in codes_})
    kept = [p for p in before if not under(p.field, removed) and p.code not in related]
    assert all(p in after for p in kept), (removed, [p for p in kept if p not in after])
    assert all(p.code in CODES and p.blocking is (p.code not in {
        "ADDRESSES_OVERLAP", "CONNECTION_AT_REQUESTED_ESTABLISHMENT"}) for p in after)
    assert not any(re.search(r"\d{4}-\d\d-\d\d", p.message) for p in after)
