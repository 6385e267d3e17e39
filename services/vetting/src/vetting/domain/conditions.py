"""A clearance's conditions: the establishments they exclude, and what an organisation is shown
of them (never which establishment excludes the person)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from vetting.domain.risk import EXCLUDE

# What the organisation is shown instead of an exclusion (which names an establishment).
RESTRICTIONS_APPLY = "ESTABLISHMENT_RESTRICTIONS_APPLY"


def excluded(conditions: list[str]) -> set[str]:
    return {c.removeprefix(EXCLUDE) for c in conditions if c.startswith(EXCLUDE)}


def organisation_conditions(conditions: list[str]) -> list[str]:
    kept = [c for c in conditions if not c.startswith(EXCLUDE)]
    return [*kept, RESTRICTIONS_APPLY] if len(kept) < len(conditions) else kept


def connection_establishments(
    applicant: Mapping[str, Any] | None, establishments: Iterable[str]
) -> list[str]:
    """The establishments (of those given) where the applicant declared a connection with
    someone held there: the fact and the code only, never who."""
    details = (applicant or {}).get("details")
    declared = details.get("connections") if isinstance(details, Mapping) else None
    codes = {
        str(entry.get("establishment"))
        for entry in declared or ()
        if isinstance(entry, Mapping) and entry.get("establishment")
    }
    return sorted(codes & set(establishments))
