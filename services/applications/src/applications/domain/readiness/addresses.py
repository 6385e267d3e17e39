"""Address history: long enough, no unexplained gap, no overlap, a current address.

Dates are whole days and both ends of a period count: an address "to 3 March" then one "from
4 March" leave no gap, and moving out and in on the same day (a one-day overlap) is fine. The
days of a gap are the days no address covers. An entry in `address_gap_explanations` accounts
for its days just as an address does, so an explanation that covers only part of a gap leaves
the days either side of it, and each of those is judged on its own length.

An address abroad (a country, no postcode) is part of the history like any other: time abroad
is not a gap. Where the level needs a Counter Terrorist Check, UK addresses alone must cover the
policy's years of UK residence; when time abroad or an explained gap leaves them short, the
coordinator is told to add an overseas police certificate (a flag: vetting decides).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from applications.domain.readiness.problems import (
    Problem,
    ReadinessPolicy,
    as_date,
    days,
    entries,
    is_uk_name,
    long_date,
    problem,
    text,
    years_before,
)

ONE_DAY = timedelta(days=1)
EXPLAIN = "Add the missing address, or explain the gap (for example travelling or in hospital)."


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # the last day, inclusive; today for the current address
    path: str  # e.g. "applicant.addresses[2]"
    label: str  # how a message names it, e.g. "'1 High Street, AB1 2CD'"
    country: str = ""  # set for an address abroad

    def order(self) -> tuple[date, date, str, str]:
        return self.start, self.end, self.label, self.path


def address_periods(applicant: dict[str, Any], today: date) -> list[Period]:
    periods = []
    for index, address in entries(applicant.get("addresses")):
        start, end = as_date(address.get("from_date")), as_date(address.get("to_date"))
        if start is not None:
            country = text(address.get("country")) if is_abroad(address) else ""
            parts = (address.get("town"), country) if country else (address.get("line1"),)
            where = ", ".join(p for p in (*map(text, parts), text(address.get("postcode"))) if p)
            label = f"'{where}'" if where else f"address {index + 1}"
            periods.append(
                Period(
                    start, max(start, end or today), f"applicant.addresses[{index}]", label, country
                )
            )
    return sorted(periods, key=Period.order)


def explained_periods(applicant: dict[str, Any]) -> list[Period]:
    periods = []
    for index, gap in entries(applicant.get("address_gap_explanations")):
        start, end = as_date(gap.get("from_date")), as_date(gap.get("to_date"))
        if start is not None:
            periods.append(
                Period(
                    start,
                    max(start, end or start),
                    f"applicant.address_gap_explanations[{index}]",
                    f"gap explanation {index + 1}",
                )
            )
    return periods


def is_abroad(address: dict[str, Any]) -> bool:
    """An address with a country that is not the UK (the API schema's rule)."""
    return bool(text(address.get("country"))) and not is_uk_name(address.get("country"))


def address_history(
    applicant: dict[str, Any], today: date, policy: ReadinessPolicy, history_needed: bool = True
) -> list[Problem]:
    """The history's rules where the level needs a history; a current address always."""
    addresses = address_periods(applicant, today)
    if not addresses:
        return []  # MISSING_ADDRESS says so
    if not history_needed:
        return current_address(applicant, today)
    return [
        *coverage(addresses + explained_periods(applicant), today, policy),
        *overlaps(addresses),
        *current_address(applicant, today),
    ]


def coverage(periods: list[Period], today: date, policy: ReadinessPolicy) -> list[Problem]:
    """ADDRESS_HISTORY_TOO_SHORT and ADDRESS_GAP, over the years the policy asks for."""
    needed_from = years_before(today, policy.address_history_years)
    known = sorted((p for p in periods if p.start <= today), key=Period.order)
    problems = []
    # Judged on every period, future ones too: a moving-in date typed in the future (also
    # DATE_IN_FUTURE) must not hide that the history is too short.
    first = min(periods, key=Period.order)
    if first.start > needed_from:
        problems.append(
            problem(
                "ADDRESS_HISTORY_TOO_SHORT",
                f"{first.path}.from_date",
                f"The address history must go back at least {policy.address_history_years} years, "
                f"to {long_date(needed_from)}, but it starts on {long_date(first.start)}. Add the "
                "earlier addresses, or explain where the applicant was living.",
            )
        )
    if not known:
        return problems  # no period has started yet: there is no gap to measure
    for start, end, before in uncovered(known, today):
        start = max(start, needed_from)  # days before the years needed do not matter
        length = (end - start).days + 1
        if length > policy.max_unexplained_gap_days:
            until = "today" if end == today else long_date(end)
            problems.append(
                problem(
                    "ADDRESS_GAP",
                    f"{before.path}.to_date",
                    f"There is a gap of {days(length)} in the address history, from "
                    f"{long_date(start)} to {until}. {EXPLAIN}",
                )
            )
    return problems


def uk_residence(applicant: dict[str, Any], today: date, policy: ReadinessPolicy) -> list[Problem]:
    """UK_RESIDENCE_SHORT when UK addresses leave days of the CTC's years uncovered, beyond the
    gap allowance, and time abroad or an explained gap (often travel) accounts for them."""
    years = policy.clearance.ctc_minimum_uk_residence_years
    needed_from = years_before(today, years)
    addresses = address_periods(applicant, today)
    uk = sorted((p for p in addresses if not p.country and p.start <= today), key=Period.order)
    elsewhere = [
        p
        for p in [*addresses, *explained_periods(applicant)]
        if (p.country or "gap_explanations" in p.path) and p.end >= needed_from and p.start <= today
    ]
    if not elsewhere:
        return []  # any shortfall is a short history or a gap, reported as such
    if not uk:
        runs = [(needed_from, today)]
    else:  # before the first UK address, and between and after them
        runs = [(needed_from, uk[0].start - ONE_DAY)]
        runs += [(max(start, needed_from), end) for start, end, _ in uncovered(uk, today)]
    short = sum(
        length
        for start, end in runs
        if (length := (end - start).days + 1) > policy.max_unexplained_gap_days
    )
    if not short:
        return []
    countries = sorted({p.country for p in elsewhere if p.country})
    where = f" ({', '.join(countries)})" if countries else ""
    first_abroad = next((p for p in elsewhere if p.country), None)
    return [
        problem(
            "UK_RESIDENCE_SHORT",
            f"{first_abroad.path}.country" if first_abroad else "applicant.addresses",
            f"A Counter Terrorist Check needs {years} years of UK residence, since "
            f"{long_date(needed_from)}, and the UK addresses leave {days(short)} of them "
            f"outside the UK{where}. Send an overseas police certificate (a certificate of good "
            "conduct) from each country the applicant lived in; the vetting team may ask for it.",
        )
    ]


def uncovered(known: list[Period], today: date) -> Iterator[tuple[date, date, Period]]:
    """(first day, last day, the period before) of each run of days after the first period,
    up to today, that no period covers. `known` is sorted by start."""
    reached = known[0]  # of the periods seen so far, the one that ends last
    for period in known[1:]:
        if period.start > reached.end + ONE_DAY:
            yield reached.end + ONE_DAY, period.start - ONE_DAY, reached
        if period.end > reached.end:
            reached = period
    if reached.end < today:
        yield reached.end + ONE_DAY, today, reached


def overlaps(addresses: list[Period]) -> list[Problem]:
    """ADDRESSES_OVERLAP for each pair sharing more than one day (a flag: some people do
    live at two addresses, but it is usually a typing mistake)."""
    problems = []
    for i, earlier in enumerate(addresses):
        for later in addresses[i + 1 :]:
            first, last = max(earlier.start, later.start), min(earlier.end, later.end)
            shared = (last - first).days + 1
            if shared > 1:
                problems.append(
                    problem(
                        "ADDRESSES_OVERLAP",
                        f"{later.path}.from_date",
                        f"The addresses {earlier.label} and {later.label} overlap by "
                        f"{days(shared)}, "
                        f"from {long_date(first)} to {long_date(last)}. Check the dates (moving "
                        "out "
                        "and in on the same day is fine). If the applicant really lived at both, "
                        "leave them: the vetting team will see this note.",
                    )
                )
    return problems


def is_current(address: dict[str, Any], today: date) -> bool:
    end = as_date(address.get("to_date"))
    return end is None or end >= today


def current_address(applicant: dict[str, Any], today: date) -> list[Problem]:
    if any(is_current(address, today) for _, address in entries(applicant.get("addresses"))):
        return []
    return [
        problem(
            "NO_CURRENT_ADDRESS",
            "applicant.addresses",
            "No address is marked as the current one. Add the address where the "
            "applicant lives now, and leave its 'to' date empty.",
        )
    ]
