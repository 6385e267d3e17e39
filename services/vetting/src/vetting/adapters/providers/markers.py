"""Test markers: tags in the applicant's email address that steer the simulated providers, like
a payment processor's test card numbers, so a demo or an end-to-end test can ask for an
adverse result, a temporary failure or a hidden record without special code paths.

The tags follow '+' in the local part: "jo+sim-undeclared+sim-error-dbs@example.org" carries
"sim-undeclared" and "sim-error-dbs". Tags are case-insensitive, "_" and "-" are the same in
them (so "sim-error-criminal_record" and "sim-error-criminal-record" both work), and tags that
do not start with "sim-" are ignored (people use "+" addressing for real).

    sim-undeclared              CRIMINAL_RECORD and DBS also find an undeclared record
    sim-protected-caution       CRIMINAL_RECORD also finds a protected (filtered) adult caution
    sim-error-<check>           submit raises ProviderError on attempts 1 and 2, not 3
    sim-error-always-<check>    submit always raises ProviderError
    sim-adverse-<check>         that check is ADVERSE ("Simulated adverse result")
    sim-connection              OFFENDER_CONNECTIONS finds an undeclared connection
    sim-barred                  DBS with barred lists finds a barred-list match
    sim-dbs-new-information     the DBS Update Service reports new information
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vetting.adapters.providers.base import CheckRequest, ProviderError

PREFIX = "sim-"
UNDECLARED = "sim-undeclared"
# The PNC also holds an adult caution old enough to be protected (DBS filtering): the DBS
# certificate does not show it and the applicant need not have declared it.
PROTECTED_CAUTION = "sim-protected-caution"
CONNECTION = "sim-connection"
BARRED = "sim-barred"
DBS_NEW_INFORMATION = "sim-dbs-new-information"
# Attempts that fail under sim-error-<check>: enough to exercise the worker's retry and
# backoff twice, then the check goes through.
FAILING_ATTEMPTS = 2
SIMULATED_ADVERSE = "Simulated adverse result"


def _normal(tag: str) -> str:
    return tag.strip().lower().replace("_", "-")


def markers(applicant: Mapping[str, Any]) -> frozenset[str]:
    """The sim-* tags of the applicant's email address (none without an email)."""
    email = applicant.get("email")
    if not isinstance(email, str) or "@" not in email:
        return frozenset()
    local = email.rpartition("@")[0]
    return frozenset(tag for tag in map(_normal, local.split("+")[1:]) if tag.startswith(PREFIX))


def check_tag(kind: str, check: str) -> str:
    """E.g. check_tag("error", "CRIMINAL_RECORD") == "sim-error-criminal-record"."""
    return _normal(f"{PREFIX}{kind}-{check}")


def has(request: CheckRequest, tag: str) -> bool:
    return _normal(tag) in markers(request.applicant)


def raise_simulated_error(request: CheckRequest, provider: str) -> None:
    """ProviderError when a sim-error marker asks for one on this attempt."""
    tags = markers(request.applicant)
    always = check_tag("error-always", request.check)
    if always in tags or (
        check_tag("error", request.check) in tags and request.attempt <= FAILING_ATTEMPTS
    ):
        raise ProviderError(
            f"Simulated temporary failure of the {provider} provider for "
            f"{request.check} (attempt {request.attempt}, marker "
            f"{always if always in tags else check_tag('error', request.check)})."
        )


def simulated_adverse(request: CheckRequest) -> str | None:
    """The sim-adverse marker for this check when the applicant carries it."""
    tag = check_tag("adverse", request.check)
    return tag if tag in markers(request.applicant) else None
