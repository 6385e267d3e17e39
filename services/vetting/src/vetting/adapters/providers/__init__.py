"""Check providers: adapters behind one interface that carry out a case's checks.

Pure Python (no database, no Flask): the worker claims a due check, calls `submit` for a
PENDING or ERROR check and `poll` for an IN_PROGRESS one, and stores what comes back.

- `submit(request, now)` -> Submission(reference, poll_at); raises ProviderError for a
  temporary failure (the worker marks the check ERROR and retries with backoff).
- `poll(request, reference, now)` -> Outcome(status PASSED | ADVERSE, detail) or None (not
  ready: ask again later; the manual provider always answers None).

Three providers: `SimulatedProvider` (deterministic, steered by test markers in the email
address, see `markers`), `ManualProvider` (an officer records the result) and
`UpdateServiceProvider` (a status check of a DBS certificate the applicant already holds).
`choose_provider` says which one runs a check. The worker stores `provider.name` with the
check and finds the same provider again with `Providers.named`, so a change of configuration
between submit and poll never sends a reference to a provider that did not issue it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from vetting.adapters.providers.base import (
    ADVERSE,
    PASSED,
    CheckProvider,
    CheckRequest,
    Outcome,
    ProviderError,
    Submission,
    update_service_certificate,
)
from vetting.adapters.providers.manual import ManualProvider
from vetting.adapters.providers.simulated import SimulatedProvider
from vetting.adapters.providers.update_service import UpdateServiceProvider
from vetting.domain.policy import CHECKS
from vetting.domain.policy.model import DBS_LEVELS, dbs_rank

__all__ = [
    "ADVERSE",
    "PASSED",
    "CheckProvider",
    "CheckRequest",
    "ManualProvider",
    "Outcome",
    "ProviderError",
    "Providers",
    "SimulatedProvider",
    "Submission",
    "UpdateServiceProvider",
    "choose_provider",
    "held_update_service_level",
]


@dataclass(frozen=True)
class Providers:
    """The provider instances the worker uses (defaults: the simulated set, no delay)."""

    simulated: CheckProvider = field(default_factory=SimulatedProvider)
    manual: CheckProvider = field(default_factory=ManualProvider)
    update_service: CheckProvider = field(default_factory=UpdateServiceProvider)

    def by_name(self) -> dict[str, CheckProvider]:
        """Each provider under its `name` (what a check stores in its provider column)."""
        return {p.name: p for p in (self.simulated, self.manual, self.update_service)}

    def named(self, name: str) -> CheckProvider:
        """The provider whose `name` a check stored at submit. KeyError for an unknown name."""
        return self.by_name()[name]


def held_update_service_level(applicant: Mapping[str, Any]) -> str | None:
    """The level of the applicant's DBS certificate on the Update Service, else None."""
    certificate = update_service_certificate(applicant)
    level = certificate.get("level") if certificate is not None else None
    return level if level in DBS_LEVELS else None


def choose_provider(
    check: str,
    applicant: Mapping[str, Any],
    dbs_level: str | None,
    *,
    manual_checks: Iterable[str],
    providers: Providers,
    update_service_accepted: bool,
) -> CheckProvider:
    """Which provider runs `check` for this applicant:

    1. a check in `manual_checks` -> manual (an officer does it);
    2. DBS, when the policy accepts the Update Service and the applicant holds a certificate on
       it at `dbs_level` or above -> the Update Service (a status check replaces a new DBS
       check; the same rule as vetting.domain.policy.dbs_certificate_satisfies, with
       `update_service_accepted` standing for policy.dbs_update_service_accepted);
    3. otherwise -> simulated.
    """
    manual = frozenset(manual_checks)
    # A misspelt name in the configuration would silently leave a check automatic.
    unknown = sorted(manual - set(CHECKS))
    if unknown:
        raise ValueError(
            f"Unknown check(s) in manual_checks: {', '.join(unknown)}; one of {', '.join(CHECKS)}."
        )
    if check not in CHECKS:
        raise ValueError(f"Unknown check {check!r}; one of {', '.join(CHECKS)}.")
    if check in manual:
        return providers.manual
    held = held_update_service_level(applicant)
    if (
        check == "DBS"
        and update_service_accepted
        and dbs_level is not None
        and held is not None
        and dbs_rank(held) >= dbs_rank(dbs_level)
    ):
        return providers.update_service
    return providers.simulated
