"""Vetting's lifecycles (case, check, clearance) and who acts in them; the tables are
`shared.lifecycle.Machine`s."""

from __future__ import annotations

from collections.abc import Iterable

from shared.lifecycle import Machine, StateConflict, Transition

SYSTEM = "system"  # the service itself: a consumer, the check runner, the daily sweep
OFFICER = "vetting_officer"
MANAGER = "vetting_manager"
STAFF = frozenset({OFFICER, MANAGER})

__all__ = [
    "MANAGER",
    "OFFICER",
    "STAFF",
    "SYSTEM",
    "Machine",
    "StateConflict",
    "Transition",
    "roles_of",
]


def roles_of(kind: str, roles: Iterable[str]) -> frozenset[str]:
    """What an actor may do as: staff by their roles, the service itself as `system`."""
    return frozenset({SYSTEM}) if kind == "SYSTEM" else frozenset(roles)
