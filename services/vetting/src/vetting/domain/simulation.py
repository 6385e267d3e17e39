"""Whether this deployment may answer checks with the simulated providers.

The simulated provider and the (simulated) DBS Update Service answer from the applicant's own
data: nobody is really vetted. Outside the embedded mode they run only when
VETTING_ALLOW_SIMULATED=1 says so (a demonstration, a test environment), and then
`/health/readiness` and every case's audit entry say which checks were simulated. A deployment
without provider contracts lists every check in VETTING_MANUAL_CHECKS: officers record results.
"""

from __future__ import annotations

from collections.abc import Mapping

from shared.config import Settings, SettingsError
from shared.startup_secrets import is_embedded
from vetting.domain.policy import CHECKS

ALLOW_SIMULATED = "VETTING_ALLOW_SIMULATED"
# Provider names (as a check stores them) that answer without asking anyone.
SIMULATED_PROVIDERS = frozenset({"simulated", "dbs_update_service"})


def manual_checks(extra: Mapping[str, str]) -> frozenset[str]:
    raw = extra.get("VETTING_MANUAL_CHECKS", "")
    return frozenset(name.strip().upper() for name in raw.split(",") if name.strip())


def simulated_checks(settings: Settings) -> list[str]:
    """The checks a simulated provider may answer: every one not recorded by hand."""
    return sorted(set(CHECKS) - manual_checks(settings.extra))


def check_simulation_allowed(settings: Settings) -> None:
    """Raise SettingsError when checks would be simulated outside the embedded mode unasked."""
    simulated = simulated_checks(settings)
    allowed = settings.extra.get(ALLOW_SIMULATED, "").strip()
    if allowed not in ("", "0", "1"):
        raise SettingsError(f"{ALLOW_SIMULATED}={allowed!r}: expected 1 (or unset)")
    if not simulated or is_embedded(settings) or allowed == "1":
        return
    raise SettingsError(
        "vetting: refusing to simulate checks outside the embedded mode (nobody would be "
        f"vetted):\nVETTING_MANUAL_CHECKS: {', '.join(simulated)} not listed, so simulated; "
        f"list every check for officers to record, or set {ALLOW_SIMULATED}=1 for a "
        "demonstration"
    )


def readiness_notes(settings: Settings) -> dict[str, object]:
    """What `/health/readiness` says about simulation (nothing when every check is manual)."""
    simulated = simulated_checks(settings)
    return {"simulated_checks": simulated} if simulated else {}
