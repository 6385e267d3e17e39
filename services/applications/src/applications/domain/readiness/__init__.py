"""The readiness check: before an application is submitted, every avoidable mistake in it, each
with a stable code, the path of the field concerned, and a plain-English fix for the coordinator.

Pure domain rules (no I/O): the application is the dict the schemas load (dates as dates), with
`applicant` in the shape of `applications.schemas.applicant.ApplicantSchema`; a draft may leave
out any field or section. Problems that are not `blocking` are flags for the vetting team.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from applications.domain.readiness.addresses import address_history, uk_residence
from applications.domain.readiness.needs import Needs, NotNeeded, clearance_needs
from applications.domain.readiness.person import (
    age,
    contact,
    declarations,
    future_dates,
    identity_documents,
    middle_names,
    missing_data,
    referees,
)
from applications.domain.readiness.placement import connections, requested_establishments
from applications.domain.readiness.problems import CODES, Problem, ReadinessPolicy, section

__all__ = [
    "CODES",
    "Needs",
    "NotNeeded",
    "Problem",
    "ReadinessPolicy",
    "check_readiness",
    "clearance_needs",
    "is_ready",
]

DEFAULT_POLICY = ReadinessPolicy()


def check_readiness(
    application: dict[str, Any],
    *,
    today: date,
    establishments: Mapping[str, Any],
    policy: ReadinessPolicy = DEFAULT_POLICY,
) -> list[Problem]:
    """Every problem found (not only the first), in a stable order. `establishments` maps the
    known establishment codes (e.g. `shared.reference.load_establishments()`). Sections the
    request's clearance level does not need are not checked (see `clearance_needs`)."""
    application = section(application)
    applicant = section(application.get("applicant"))
    needs = clearance_needs(application, establishments, policy)
    return [
        *missing_data(application, needs.needs("declarations")),
        *middle_names(applicant),
        *contact(applicant),
        *age(applicant, today, policy),
        *identity_documents(applicant, today, policy),
        *address_history(applicant, today, policy, needs.needs("address_history")),
        *(uk_residence(applicant, today, policy) if needs.needs("uk_residence") else []),
        *(referees(applicant, today, policy) if needs.needs("referees") else []),
        *(declarations(applicant) if needs.needs("declarations") else []),
        *future_dates(applicant, today),
        *requested_establishments(application, establishments),
        *connections(application, establishments),
    ]


def is_ready(problems: list[Problem]) -> bool:
    """True when nothing blocks submission (flags may remain)."""
    return not any(p.blocking for p in problems)
