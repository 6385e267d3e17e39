"""What the provider tests share: a request built from the applications service's sample
applicant, the providers, and small builders of declarations and addresses."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from applications.schemas.examples import sample_application
from tests.support.properties import property_settings
from vetting.adapters.providers import (
    CheckRequest,
    ManualProvider,
    Outcome,
    Providers,
    SimulatedProvider,
    UpdateServiceProvider,
)

TODAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
PROPERTY = property_settings(150, deadline=None)
SIM = SimulatedProvider()
UPDATE = UpdateServiceProvider()
MANUAL = ManualProvider()
PROVIDERS = Providers(SIM, MANUAL, UPDATE)
BARRED = "ENHANCED_WITH_BARRED_LISTS"
CERTIFICATE = {"number": "001234567890", "level": "ENHANCED", "update_service": True}
NAMES = ("forenames", "surname", "middle_names", "date_of_birth")


def applicant(email: str = "jo@example.org", **details: Any) -> dict[str, Any]:
    """The request's applicant built from the applications service's sample, with `details`
    replacing parts of the applicant document."""
    sample = sample_application(email, TODAY)["applicant"]
    rest = {k: v for k, v in sample.items() if k not in (*NAMES, "contact")}
    return {k: sample[k] for k in NAMES} | {
        "email": sample["contact"]["email"],
        "details": rest | details,
    }


def request(
    check: str,
    who: dict[str, Any] | None = None,
    *,
    attempt: int = 1,
    establishments: tuple[str, ...] = ("WWI", "BMI"),
    dbs_level: str | None = "ENHANCED",
    case_id: str = "case-1",
) -> CheckRequest:
    return CheckRequest(
        case_id, check, attempt, who or applicant(), establishments, dbs_level, TODAY
    )


def run(
    check: str, who: dict[str, Any] | None = None, provider: Any = SIM, **kwargs: Any
) -> Outcome:
    req = request(check, who, **kwargs)
    submission = provider.submit(req, NOW)
    return provider.poll(req, submission.reference, NOW)


def day(years: int = 0, days: int = 0) -> str:
    """An ISO date `years` and `days` before TODAY."""
    return (TODAY.replace(year=TODAY.year - years) - timedelta(days=days)).isoformat()


def conviction(
    offence: str, when: str, disposal: str = "FINE", kind: str = "CONVICTION"
) -> dict[str, Any]:
    return {"kind": kind, "offence": offence, "date": when, "disposal": disposal}


def declarations(*convictions: dict[str, Any]) -> dict[str, Any]:
    return {"convictions": list(convictions), "on_licence": False, "release_date": None}


def address(start: str, end: str | None, postcode: str = "LS1 4AP") -> dict[str, Any]:
    return {
        "line1": "1 High Street",
        "town": "Leeds",
        "postcode": postcode,
        "from_date": start,
        "to_date": end,
    }
