"""The types every check provider shares, and small helpers for reading the request.

They live here rather than in the package's __init__ so that the provider modules can import
them while __init__ imports the providers (no import cycle).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from vetting.domain.lifecycles.check import CheckState
from vetting.domain.policy import CHECKS

# A provider's answer is a check's result.
PASSED = CheckState.PASSED
ADVERSE = CheckState.ADVERSE
OUTCOME_STATUSES = (PASSED, ADVERSE)


@dataclass(frozen=True)
class CheckRequest:
    """Everything a provider may read about one check of one case."""

    case_id: str
    check: str  # one of vetting.domain.policy.CHECKS
    attempt: int  # 1 for the first submit, 2 after one ERROR, ...
    # {"forenames", "surname", "middle_names", "date_of_birth" (ISO or None), "email",
    #  "details": the applications API's applicant document minus names and contact}
    applicant: Mapping[str, Any]
    establishments: tuple[str, ...]  # requested establishment codes
    dbs_level: str | None  # the DBS level the case requires, for the DBS check
    today: date

    def __post_init__(self) -> None:
        # A wrong check name is a bug in the caller, never a temporary failure.
        if self.check not in CHECKS:
            raise ValueError(f"Unknown check {self.check!r}; one of {', '.join(CHECKS)}.")
        if self.attempt < 1:
            raise ValueError(f"attempt starts at 1, not {self.attempt}.")


@dataclass(frozen=True)
class Submission:
    reference: str  # the provider's reference for the check
    poll_at: datetime | None  # when to ask for the result; None: never polled (manual)


@dataclass(frozen=True)
class Outcome:
    status: str  # PASSED | ADVERSE
    # JSON-ready, always with a human "summary"; CRIMINAL_RECORD and DBS carry "records",
    # OFFENDER_CONNECTIONS "connections" (see the provider modules for each check's keys).
    detail: dict[str, Any]

    def __post_init__(self) -> None:
        if self.status not in OUTCOME_STATUSES:
            raise ValueError(f"Outcome status must be PASSED or ADVERSE, not {self.status!r}.")
        if not isinstance(self.detail.get("summary"), str):
            raise ValueError("An outcome's detail needs a 'summary' string.")


class ProviderError(Exception):
    """Temporary failure: the worker marks the check ERROR and retries with backoff."""


class CheckProvider(Protocol):
    name: str  # stored with the check, so the worker polls the provider that submitted it

    def submit(self, request: CheckRequest, now: datetime) -> Submission: ...

    def poll(
        self, request: CheckRequest, reference: str, now: datetime
    ) -> Outcome | None: ...  # None: not ready yet


def short_hash(*parts: str) -> str:
    """10 hex digits that depend only on `parts`: stable across processes and restarts
    (unlike hash()), so a resubmitted check gets the same reference."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:10]


def details(applicant: Mapping[str, Any]) -> Mapping[str, Any]:
    found = applicant.get("details")
    return found if isinstance(found, Mapping) else {}


def items(value: Any) -> Iterator[Mapping[str, Any]]:
    """The mapping entries of a list (anything else is ignored: stored data may be partial)."""
    if isinstance(value, list | tuple):
        yield from (entry for entry in value if isinstance(entry, Mapping))


def as_date(value: Any) -> date | None:
    """A date from an ISO string (how details store dates), a date or a datetime."""
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


def iso(value: Any) -> str | None:
    day = as_date(value)
    return day.isoformat() if day is not None else None


def years_before(day: date, years: int) -> date:
    """The same day `years` earlier; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def update_service_certificate(applicant: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The applicant's DBS certificate when it is on the Update Service, else None."""
    certificate = details(applicant).get("dbs_certificate")
    if isinstance(certificate, Mapping) and certificate.get("update_service") is True:
        return certificate
    return None


def last4(number: Any) -> str:
    """The last 4 digits of a certificate number: all we ever keep of it."""
    return str(number or "")[-4:]
