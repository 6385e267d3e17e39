"""What every rule shares: the problem and policy types, the codes, and small helpers."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from shared.clearance import ClearanceSummary, load_summary


@dataclass(frozen=True)
class Problem:
    code: str  # stable, UPPER_SNAKE, listed in CODES
    field: str  # where, e.g. "applicant.addresses[2].to_date" or "establishments[1]"
    message: str  # plain English for the coordinator: what is wrong and how to fix it
    blocking: bool  # False: a flag the vetting team will see; submission is not stopped


@dataclass(frozen=True)
class ReadinessPolicy:
    address_history_years: int = 5
    max_unexplained_gap_days: int = 28
    minimum_age: int = 18
    referees_required: int = 2
    # How long vetting is expected to take: a document expiring sooner is flagged.
    expected_vetting_weeks: int = 12
    # The vetting policy's levels, to ask only for what the request's level needs.
    clearance: ClearanceSummary = field(default_factory=load_summary)


CODES: dict[str, str] = {
    "MISSING_FORENAMES": "The applicant's forenames are not given.",
    "MISSING_SURNAME": "The applicant's surname is not given.",
    "MISSING_DATE_OF_BIRTH": "The applicant's date of birth is not given.",
    "MISSING_PLACE_OF_BIRTH": "The applicant's place of birth (town and country) is not given.",
    "MISSING_EMAIL": "The applicant's email address is not given.",
    "MISSING_ADDRESS": "No address is given.",
    "MISSING_IDENTITY_DOCUMENT": "No identity document is given.",
    "MISSING_ROLE": "The role the applicant is applying for is not given.",
    "MISSING_REQUESTED_ACCESS": (
        "The access requested (escorted, unescorted, key holding) is not given."
    ),
    "MISSING_FREQUENCY": "How often the applicant will go in is not given.",
    "MISSING_DECLARATIONS": "The declarations (convictions, cautions, licence) are not answered.",
    "MIDDLE_NAMES_NOT_CONFIRMED": "Neither middle names nor 'no middle name' is given.",
    "MIDDLE_NAMES_CONTRADICTORY": "Middle names are given and 'no middle name' is ticked.",
    "MIDDLE_NAME_PLACEHOLDER": (
        "A way of writing 'none' (such as 'N/A' or '-') is given as a middle name."
    ),
    "SMS_WITHOUT_MOBILE": "Text messages are the preferred channel but no mobile number is given.",
    "ADDRESS_HISTORY_TOO_SHORT": "The address history does not go back as far as the policy needs.",
    "ADDRESS_GAP": "A gap in the address history longer than the policy allows, not explained.",
    "ADDRESSES_OVERLAP": "Two addresses overlap by more than a day (a flag, not blocking).",
    "NO_CURRENT_ADDRESS": "No address is marked as the current one.",
    "UK_RESIDENCE_SHORT": (
        "Time abroad leaves less UK residence than a Counter Terrorist Check needs (a flag)."
    ),
    "APPLICANT_UNDER_18": "The applicant is younger than the policy's minimum age.",
    "IDENTITY_DOCUMENT_EXPIRED": "An identity document has expired.",
    "IDENTITY_DOCUMENT_EXPIRES_DURING_VETTING": (
        "An identity document expires before vetting is expected to finish (a flag, not blocking)."
    ),
    "TOO_FEW_REFEREES": "Fewer referees than the policy needs.",
    "REFEREE_IS_RELATIVE": "A referee's relationship to the applicant is a family one.",
    "REFEREE_MAY_BE_RELATIVE": (
        "A referee has the applicant's surname and lives at the applicant's postcode, and is "
        "not confirmed as unrelated (a flag, not blocking)."
    ),
    "NO_ESTABLISHMENT": "No establishment is requested.",
    "UNKNOWN_ESTABLISHMENT": "An establishment code is not one we know.",
    "DUPLICATE_ESTABLISHMENT": "An establishment is requested more than once.",
    "UNKNOWN_CONNECTION_ESTABLISHMENT": (
        "A connection is held at an establishment code we do not know."
    ),
    "CONNECTION_AT_REQUESTED_ESTABLISHMENT": (
        "A declared connection is held at a requested establishment (a flag, not blocking)."
    ),
    "DATE_IN_FUTURE": "A date that must be in the past is after today.",
    "RELEASE_BEFORE_CONVICTION": "The release date is earlier than a custodial conviction.",
    "MISSING_RELEASE_DATE": "A custodial sentence is declared but no release date.",
    "ON_LICENCE_WITHOUT_RELEASE_DATE": "The applicant is on licence but no release date is given.",
}

# Flags for the vetting team: shown to the coordinator, never a reason to refuse submission.
NOT_BLOCKING = frozenset(
    {
        "ADDRESSES_OVERLAP",
        "CONNECTION_AT_REQUESTED_ESTABLISHMENT",
        "IDENTITY_DOCUMENT_EXPIRES_DURING_VETTING",
        "REFEREE_MAY_BE_RELATIVE",
        "UK_RESIDENCE_SHORT",
    }
)
# How people write the UK as a country: an "abroad" address in one of these is in the UK.
UK_NAMES = frozenset(
    {"uk", "united kingdom", "gb", "great britain", "britain", "england", "scotland", "wales"}
    | {"northern ireland"}
)

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def problem(code: str, field: str, message: str) -> Problem:
    """A problem whose blocking follows from its code (so a code always means the same)."""
    if code not in CODES:
        raise ValueError(f"unknown readiness code {code}")
    return Problem(code=code, field=field, message=message, blocking=code not in NOT_BLOCKING)


def long_date(day: date) -> str:
    """'3 March 2024': no leading zero, English month names whatever the locale."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def as_date(value: Any) -> date | None:
    """A date from a loaded date (or an ISO string, or a datetime); None when there is none."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def text(value: Any) -> str:
    """The text of a value with surrounding space removed; '' for anything not text."""
    return value.strip() if isinstance(value, str) else ""


def is_uk_name(value: Any) -> bool:
    return " ".join(text(value).split()).casefold() in UK_NAMES


def folded(value: Any) -> str:
    """Text for comparing names and words: accents dropped and case folded ("Zoë" is "zoe")."""
    decomposed = unicodedata.normalize("NFKD", text(value))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def section(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def entries(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    """(index, entry) for each entry of a list that is a mapping (drafts may hold anything)."""
    if isinstance(value, list | tuple):
        for index, entry in enumerate(value):
            if isinstance(entry, dict):
                yield index, entry


def years_before(day: date, years: int) -> date:
    """The same day `years` earlier; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)
