"""The vetting policy: a versioned YAML file, validated at start-up, that says which level a
request needs, which checks each level runs, how long a clearance lasts, and the thresholds the
risk summary uses. `load_policy()` reads the packaged default (default_policy.yaml, each value
commented with its source or rationale); a bad file raises PolicyError naming each bad field,
and the service refuses to start with that message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from marshmallow import ValidationError

from vetting.domain.policy.levels import (
    LevelDecision,
    dbs_certificate_satisfies,
    establishment_flags,
    required_level,
)
from vetting.domain.policy.model import (
    ACCESS_TYPES,
    CHECKS,
    DBS_LEVELS,
    ESTABLISHMENT_FLAGS,
    FREQUENCIES,
    EstablishmentRule,
    Level,
    OffenceCategory,
    Policy,
    PolicyError,
    RiskPolicy,
    Thresholds,
)
from vetting.domain.policy.schema import PolicySchema, flatten

__all__ = [
    "ACCESS_TYPES",
    "CHECKS",
    "DBS_LEVELS",
    "ESTABLISHMENT_FLAGS",
    "FREQUENCIES",
    "EstablishmentRule",
    "Level",
    "LevelDecision",
    "OffenceCategory",
    "Policy",
    "PolicyError",
    "RiskPolicy",
    "Thresholds",
    "dbs_certificate_satisfies",
    "establishment_flags",
    "load_policy",
    "policy_from_mapping",
    "required_level",
]

DEFAULT_POLICY = "default_policy.yaml"


def load_policy(path: str | Path | None = None) -> Policy:
    """The policy in `path`, or the packaged default. Raises PolicyError on any problem."""
    source = str(path) if path is not None else f"vetting.domain.policy/{DEFAULT_POLICY}"
    try:
        if path is None:
            text = resources.files(__name__).joinpath(DEFAULT_POLICY).read_text("utf-8")
        else:
            text = Path(path).read_text("utf-8")
    except OSError as exc:
        raise PolicyError(f"Cannot read vetting policy {source}: {exc.strerror or exc}.") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyError(f"Vetting policy {source} is not valid YAML: {exc}") from exc
    return policy_from_mapping(data, source=source)


def policy_from_mapping(data: Any, source: str = "<mapping>") -> Policy:
    """Validate already-parsed policy data (what the YAML file holds) and build the Policy."""
    if not isinstance(data, Mapping):
        raise PolicyError(
            f"Vetting policy {source} must be a mapping of settings, not {type(data).__name__}.",
            {"(policy)": ["Not a mapping."]},
        )
    try:
        valid = PolicySchema().load(data)
    except ValidationError as exc:
        errors = flatten(exc.messages)
        lines = "\n".join(
            f"  - {field}: {' '.join(found)}" for field, found in sorted(errors.items())
        )
        version = data.get("version")
        label = f" (version {version})" if isinstance(version, str) else ""
        raise PolicyError(f"Invalid vetting policy {source}{label}:\n{lines}", errors) from exc
    return _build(valid)


def _thresholds(data: Mapping[str, Any]) -> Thresholds:
    return Thresholds(data["refer_within_years"], data["escorted_only_within_years"])


def _build(data: Mapping[str, Any]) -> Policy:
    levels = tuple(
        sorted(
            (
                Level(
                    name=name,
                    rank=level["rank"],
                    description=level["description"],
                    checks=tuple(c for c in CHECKS if c in level["checks"]),
                    dbs_level=level["dbs_level"],
                    validity_months=level["validity_months"],
                    light_path=level["light_path"],
                )
                for name, level in data["levels"].items()
            ),
            key=lambda level: level.rank,
        )
    )
    categories = tuple(
        OffenceCategory(
            name=c["name"],
            unmanageable=c["unmanageable"],
            patterns=tuple(re.compile(p, re.IGNORECASE) for p in c["patterns"]),
            thresholds=_thresholds(c) if c["refer_within_years"] is not None else None,
        )
        for c in data["risk"]["offence_categories"]
    )
    rules = data["establishment_rules"]
    risk = data["risk"]
    return Policy(
        version=data["version"],
        checks=MappingProxyType(
            {name: data["checks"][name]["description"] for name in CHECKS if name in data["checks"]}
        ),
        levels=levels,
        level_by_access=MappingProxyType(
            {
                access: MappingProxyType(dict(by_frequency))
                for access, by_frequency in data["level_by_access"].items()
            }
        ),
        establishment_rules=MappingProxyType(
            {
                flag: EstablishmentRule(
                    rules[flag]["minimum_level"], rules[flag]["minimum_dbs_level"]
                )
                for flag in ESTABLISHMENT_FLAGS
                if rules.get(flag)
            }
        ),
        address_history_years=data["address_history_years"],
        ctc_minimum_uk_residence_years=data["ctc"]["minimum_uk_residence_years"],
        dbs_update_service_accepted=data["dbs"]["update_service_accepted"],
        dbs_certificate_retention_months=data["dbs"]["certificate_retention_months"],
        reminder_days_before_expiry=tuple(
            sorted(data["reminders"]["days_before_expiry"], reverse=True)
        ),
        risk=RiskPolicy(
            undeclared_match_window_days=risk["undeclared_match_window_days"],
            release=_thresholds(risk["release"]),
            offence=_thresholds(risk["offence"]),
            offence_categories=categories,
        ),
        suspend_at_once=MappingProxyType(dict(data["circumstances"]["suspend_at_once"])),
        managed_conditions=MappingProxyType(dict(data["conditions"]["managed"])),
        other_condition_max_length=data["conditions"]["other_max_length"],
        information_chase_grace_days=data["information_requests"]["chase_grace_days"],
    )
