"""Property-based tests of the readiness check: the date arithmetic (address history, ages)
and the shape of the result (complete, deterministic, independent of list order)."""

from __future__ import annotations

import copy
import re
from datetime import date
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from applications.domain.readiness import CODES, Problem
from applications.domain.readiness.problems import NOT_BLOCKING
from tests.support.readiness import (
    CASES,
    DAY,
    PROPERTY,
    TODAY,
    WINDOW_START,
    A,
    address,
    broken,
    check,
    codes,
    edit,
    spoken,
    valid_application,
)


def history(
    stays: list[int], gaps: list[int], *, current: bool = True, reach_back: bool = True
) -> list[dict[str, Any]]:
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


def with_addresses(
    addresses: list[dict[str, Any]], explanations: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    application = valid_application()
    application["applicant"]["addresses"] = addresses
    application["applicant"]["address_gap_explanations"] = explanations or []
    return application


stays = st.lists(st.integers(1, 800), min_size=1, max_size=8)


@PROPERTY
@given(stays=stays, data=st.data())
def test_a_contiguous_history_is_never_flagged(stays, data):
    moves = data.draw(st.lists(st.sampled_from([-1, 0]), min_size=len(stays), max_size=len(stays)))
    assert check(with_addresses(history(stays, moves))) == []


@PROPERTY
@given(
    recent=st.integers(1, 700),
    gap=st.integers(1, 400),
    before=st.integers(1, 900),
    cover=st.tuples(st.integers(0, 400), st.integers(0, 400)),
)
@example(recent=100, gap=28, before=10, cover=(0, 0))
@example(recent=100, gap=29, before=10, cover=(0, 0))
def test_one_gap_is_flagged_exactly_when_longer_than_28_unexplained_days(
    recent, gap, before, cover
):
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
        assert (
            f"gap of {gap} days in the address history, from {spoken(gap_first)} to "
            f"{spoken(gap_last)}."
        ) in gaps[0].message
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


def day_by_day(
    addresses: list[dict[str, Any]], explanations: list[dict[str, Any]]
) -> tuple[bool, list[tuple[date, date]]]:
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
    lambda start, length: {
        "from_date": start,
        "to_date": start + length * DAY,
        "explanation": "Travelling",
    },
    st.dates(date(2021, 1, 1), TODAY),
    st.integers(0, 120),
)


@PROPERTY
@given(
    stays=stays,
    data=st.data(),
    current=st.booleans(),
    reach_back=st.booleans(),
    explanations=st.lists(explanation, max_size=4),
)
def test_gaps_and_length_agree_with_a_day_by_day_count(
    stays, data, current, reach_back, explanations
):
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
@given(expiries=st.lists(st.dates(date(2020, 1, 1), date(2032, 12, 31)), min_size=1, max_size=5))
@example(expiries=[TODAY, TODAY - DAY, TODAY + DAY])
def test_each_expired_document_is_named_with_its_date(expiries):
    documents = [
        {"type": "DRIVING_LICENCE", "number": f"DL{n:06d}", "expiry": expiry}
        for n, expiry in enumerate(expiries)
    ]
    problems = [
        p
        for p in check(broken([edit(f"{A}.identity_documents", documents)]))
        if p.code == "IDENTITY_DOCUMENT_EXPIRED"
    ]
    expected = [n for n, expiry in enumerate(expiries) if expiry < TODAY]
    assert [p.field for p in problems] == [
        f"applicant.identity_documents[{n}].expiry" for n in expected
    ]
    for n, problem in zip(expected, problems, strict=True):
        assert f"driving licence ending {n:04d} expired on {spoken(expiries[n])}." in (
            problem.message
        )


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
    "role",
    "establishments",
    "requested_access",
    "frequency",
    A,
]
RELATED = {
    f"{A}.surname": {"REFEREE_MAY_BE_RELATIVE"},
    f"{A}.addresses": {"REFEREE_MAY_BE_RELATIVE"},
    # An explained gap is not UK residence: without it, the shortfall is a gap instead.
    f"{A}.address_gap_explanations": {
        "ADDRESS_GAP",
        "ADDRESS_HISTORY_TOO_SHORT",
        "UK_RESIDENCE_SHORT",
    },
    f"{A}.middle_names": {"MIDDLE_NAMES_CONTRADICTORY", "MIDDLE_NAME_PLACEHOLDER"},
    # A high security establishment raises the level to one with a CTC.
    "establishments": {"CONNECTION_AT_REQUESTED_ESTABLISHMENT", "UK_RESIDENCE_SHORT"},
}


def under(field: str, path: str) -> bool:
    return field == path or field.startswith((f"{path}.", f"{path}["))


@PROPERTY
@given(
    breakages=st.lists(st.sampled_from(BREAKAGES), max_size=4), removed=st.sampled_from(REMOVABLE)
)
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
        {code for path, codes_ in RELATED.items() if under(path, removed) for code in codes_}
    )
    kept = [p for p in before if not under(p.field, removed) and p.code not in related]
    assert all(p in after for p in kept), (removed, [p for p in kept if p not in after])
    assert all(p.code in CODES and p.blocking is (p.code not in NOT_BLOCKING) for p in after)
    assert not any(re.search(r"\d{4}-\d\d-\d\d", p.message) for p in after)
