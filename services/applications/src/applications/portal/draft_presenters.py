"""Check your answers, as rows: each answer in plain words with the page that changes it; the
volunteer's own sections as a status only; each readiness problem with the page that fixes it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from applications.domain.readiness import Problem
from applications.domain.readiness.problems import as_date, long_date
from applications.portal.draft_forms import (
    ACCESS_LABELS,
    CHANNEL_LABELS,
    FREQUENCY_LABELS,
    ROLE_LABELS,
)
from applications.portal.draft_reading import Draft
from applications.portal.draft_steps import VOLUNTEER, page_for
from applications.service_layer.volunteer_sections import section_statuses

# The sections the volunteer completes through their own link: the organisation sees only
# whether each is done.
SENSITIVE = (
    ("declarations", "Convictions and cautions"),
    ("connections", "Connections with people in custody"),
    ("identity_documents", "Identity documents"),
)
STATUS_WORDS = {"COMPLETE": "Complete", "NEEDS_ATTENTION": "Needs attention"}
NOT_STARTED = "Not started"


@dataclass(frozen=True)
class Row:
    key: str
    lines: list[str]
    step: str | None  # the page that changes it
    item: int | None = None


def _date(value: Any) -> str | None:
    day = as_date(value)
    return long_date(day) if day else None


def _lines(*values: Any) -> list[str]:
    return [str(v) for v in values if v not in (None, "")]


def _one(labels: dict[str, str]) -> Callable[[Any], list[str]]:
    return lambda value: [labels.get(value, value)] if value else []


def request_rows(draft: Draft) -> list[Row]:
    application = draft.application
    prisons = [
        getattr(draft.establishments.get(code), "name", code)
        for code in application["establishments"]
    ]
    return [
        Row("Prisons", prisons, "prisons"),
        Row("Access", _one(ACCESS_LABELS)(application["requested_access"]), "access"),
        Row("How often", _one(FREQUENCY_LABELS)(application["frequency"]), "frequency"),
        Row("Role", _one(ROLE_LABELS)(application["role"]), "role"),
        Row("Group", _lines(application.get("group_name")), "role"),
        Row("Area", _lines(application.get("area")), "role"),
    ]


def person_rows(draft: Draft) -> list[Row]:
    applicant = draft.applicant
    middle = applicant.get("middle_names") or (
        "No middle name" if applicant.get("no_middle_name") else None
    )
    born = applicant.get("place_of_birth") or {}
    contact = applicant.get("contact") or {}
    channel = CHANNEL_LABELS.get(contact.get("preferred_channel") or "")
    return [
        Row("Name", _lines(applicant.get("forenames"), middle, applicant.get("surname")), "name"),
        Row("Date of birth", _lines(_date(applicant.get("date_of_birth"))), "date-of-birth"),
        Row("Place of birth", _lines(born.get("town"), born.get("country")), "place-of-birth"),
        Row(
            "National Insurance number",
            _lines(applicant.get("national_insurance_number")),
            "national-insurance",
        ),
        Row(
            "Contact details",
            _lines(
                contact.get("email"),
                contact.get("mobile"),
                f"Prefers: {channel}" if channel else None,
            ),
            "contact",
        ),
    ]


def address_rows(draft: Draft) -> list[Row]:
    rows = []
    for index, address in enumerate(draft.applicant.get("addresses") or []):
        until = _date(address.get("to_date")) or "now"
        rows.append(
            Row(
                f"Address {index + 1}",
                _lines(
                    address.get("line1"),
                    address.get("line2"),
                    address.get("town"),
                    address.get("postcode"),
                    address.get("country"),
                    f"From {_date(address.get('from_date'))} to {until}",
                ),
                "address",
                index,
            )
        )
    return rows


def gap_rows(draft: Draft) -> list[Row]:
    rows = []
    for index, gap in enumerate(draft.gaps()):
        rows.append(
            Row(
                f"Gap {index + 1}",
                _lines(
                    f"From {_date(gap.get('from_date'))} to {_date(gap.get('to_date'))}",
                    gap.get("explanation"),
                ),
                "gap",
                index,
            )
        )
    return rows


def prison_rows(draft: Draft) -> list[Row]:
    return [
        Row(
            f"Prison {index + 1}",
            [getattr(draft.establishments.get(code), "name", code)],
            "prison",
            index,
        )
        for index, code in enumerate(draft.application["establishments"])
    ]


def referee_rows(draft: Draft) -> list[Row]:
    return [
        Row(
            f"Referee {index + 1}",
            _lines(
                " ".join(_lines(referee.get("forenames"), referee.get("surname"))),
                referee.get("relationship"),
                referee.get("email"),
                referee.get("postcode"),
                f"Known for {referee['years_known']} years"
                if referee.get("years_known") is not None
                else None,
                "Not related to the volunteer" if referee.get("not_related") is True else None,
            ),
            "referee",
            index,
        )
        for index, referee in enumerate(draft.applicant.get("referees") or [])
    ]


def volunteer_statuses(draft: Draft, application: Any) -> list[tuple[str, str]]:
    """(section, status in words) for the volunteer's sections: never what they wrote."""
    statuses = section_statuses(application)
    return [
        (label, STATUS_WORDS.get(statuses.get(name, ""), NOT_STARTED)) for name, label in SENSITIVE
    ]


@dataclass(frozen=True)
class Fix:
    message: str
    step: str | None  # the page that fixes it; VOLUNTEER: the volunteer, by their link
    blocking: bool


def fixes(problems: list[Problem]) -> list[Fix]:
    found = []
    for problem in problems:
        step = page_for(problem.field)
        # The volunteer gives these sections, so the fix is theirs (the message is the API's).
        message = (
            f"For the volunteer, through their link: {problem.message}"
            if step == VOLUNTEER
            else problem.message
        )
        found.append(Fix(message, step, problem.blocking))
    return found


__all__ = ["VOLUNTEER", "Fix", "Row", "fixes", "volunteer_statuses"]
