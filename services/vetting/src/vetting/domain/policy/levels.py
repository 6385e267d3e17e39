"""Which clearance level a request needs: the policy's access x frequency table, raised by the
flags of the requested establishments (never for the light path: a visitor escorted at all
times needs no vetting)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from shared.reference import Establishment
from vetting.domain.policy.model import (
    ACCESS_TYPES,
    CHECKS,
    ESTABLISHMENT_FLAGS,
    FREQUENCIES,
    Policy,
    dbs_rank,
)

FLAG_WORDING = {
    "high_security": "is in the high security estate",
    "womens_estate": "is in the women's estate",
    "children_held": "holds children (under 18)",
}


@dataclass(frozen=True)
class LevelDecision:
    level: str
    checks: tuple[str, ...]  # in CHECKS order
    dbs_level: str | None  # None: no DBS check
    validity_months: int
    reasons: tuple[str, ...]


def establishment_flags(establishment: Establishment) -> frozenset[str]:
    """The policy flags an establishment carries: columns of the reference data, never guessed
    from the name ("YOI" in a name mostly means 18-21-year-olds, who are adults)."""
    return frozenset(flag for flag in ESTABLISHMENT_FLAGS if getattr(establishment, flag, False))


def required_level(
    policy: Policy, requested_access: str, frequency: str, establishments: Iterable[Establishment]
) -> LevelDecision:
    """The level, checks and DBS level a request needs, with the reasons in plain words."""
    if requested_access not in ACCESS_TYPES:
        raise ValueError(f"Unknown access {requested_access!r}; one of {', '.join(ACCESS_TYPES)}.")
    if frequency not in FREQUENCIES:
        raise ValueError(f"Unknown frequency {frequency!r}; one of {', '.join(FREQUENCIES)}.")
    base = policy.level(policy.level_by_access[requested_access][frequency])
    reasons = [
        f"{requested_access} access, {frequency} frequency: {base.name} (policy {policy.version})."
    ]
    level, dbs_level = base, base.dbs_level
    sites = sorted(set(establishments), key=lambda e: e.code)
    if base.light_path:
        if sites:
            reasons.append(
                f"{base.name} is the light path (escorted at all times): "
                "establishment rules do not apply."
            )
        return LevelDecision(
            base.name, base.checks, base.dbs_level, base.validity_months, tuple(reasons)
        )
    for site in sites:
        for flag in sorted(establishment_flags(site), key=ESTABLISHMENT_FLAGS.index):
            rule = policy.establishment_rules.get(flag)
            if rule is None:
                continue
            where = f"{site.code} {site.name} {FLAG_WORDING[flag]}"
            if rule.minimum_level is not None:
                floor = policy.level(rule.minimum_level)
                if floor.rank > level.rank:
                    added = [c for c in floor.checks if c not in level.checks]
                    plus = f" (adds {', '.join(added)})" if added else ""
                    reasons.append(f"{where}: at least {floor.name}{plus}.")
                    level = floor
                    if dbs_rank(floor.dbs_level) > dbs_rank(dbs_level):
                        dbs_level = floor.dbs_level
            if rule.minimum_dbs_level is not None and (
                dbs_rank(rule.minimum_dbs_level) > dbs_rank(dbs_level)
            ):
                reasons.append(f"{where}: DBS {rule.minimum_dbs_level}.")
                dbs_level = rule.minimum_dbs_level
    checks = set(level.checks) | ({"DBS"} if dbs_level is not None else set())
    return LevelDecision(
        level.name,
        tuple(c for c in CHECKS if c in checks),
        dbs_level,
        level.validity_months,
        tuple(reasons),
    )


def dbs_certificate_satisfies(
    policy: Policy, held_level: str | None, required_dbs_level: str | None
) -> bool:
    """Whether a certificate on the DBS Update Service at `held_level` replaces a new DBS check
    at `required_dbs_level` (same level or above, and the policy accepts the Update Service)."""
    if required_dbs_level is None:
        return True
    return (
        policy.dbs_update_service_accepted
        and held_level is not None
        and dbs_rank(held_level) >= dbs_rank(required_dbs_level)
    )
