"""The clearance's lifecycle, in one table.

ACTIVE ⇄ SUSPENDED → REVOKED | EXPIRED; SUPERSEDED when a new clearance for the same person
replaces an active one. ACTIVE and SUSPENDED are "live": a person has at most one live
clearance (the database says so too: migration 0014).
"""

from __future__ import annotations

from enum import StrEnum

from shared.lifecycle import Machine, Transition
from vetting.domain.actors import MANAGER, STAFF, SYSTEM


class ClearanceState(StrEnum):
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"
    SUPERSEDED = "SUPERSEDED"


STATES = tuple(ClearanceState)
LIVE = (ClearanceState.ACTIVE, ClearanceState.SUSPENDED)
FINAL = (ClearanceState.REVOKED, ClearanceState.EXPIRED, ClearanceState.SUPERSEDED)

_SYS = frozenset({SYSTEM})
_MGR = frozenset({MANAGER})

TRANSITIONS = (
    Transition(
        ClearanceState.ACTIVE,
        "suspend",
        ClearanceState.SUSPENDED,
        STAFF | _SYS,
        ("vetting.clearance_suspended",),
    ),
    # A suspension whose review assessed REFUSE is lifted only by a manager: the service
    # layer asks for `reinstate_against_assessment` then.
    Transition(
        ClearanceState.SUSPENDED,
        "reinstate",
        ClearanceState.ACTIVE,
        STAFF,
        ("vetting.clearance_reinstated",),
    ),
    Transition(
        ClearanceState.SUSPENDED,
        "reinstate_against_assessment",
        ClearanceState.ACTIVE,
        _MGR,
        ("vetting.clearance_reinstated",),
    ),
    Transition(
        ClearanceState.ACTIVE,
        "revoke",
        ClearanceState.REVOKED,
        _MGR,
        ("vetting.clearance_revoked",),
    ),
    Transition(
        ClearanceState.SUSPENDED,
        "revoke",
        ClearanceState.REVOKED,
        _MGR,
        ("vetting.clearance_revoked",),
    ),
    Transition(
        ClearanceState.ACTIVE,
        "supersede",
        ClearanceState.SUPERSEDED,
        STAFF | _SYS,
        ("vetting.clearance_granted", "vetting.application_cleared", "vetting.clearance_announced"),
    ),
    # Erasure of the person ends the clearance as a revocation would, told by its own event.
    Transition(
        ClearanceState.ACTIVE, "erase", ClearanceState.REVOKED, _SYS, ("vetting.person_erased",)
    ),
    Transition(
        ClearanceState.SUSPENDED, "erase", ClearanceState.REVOKED, _SYS, ("vetting.person_erased",)
    ),
    Transition(
        ClearanceState.ACTIVE,
        "expire",
        ClearanceState.EXPIRED,
        _SYS,
        ("vetting.clearance_expired",),
    ),
    Transition(
        ClearanceState.SUSPENDED,
        "expire",
        ClearanceState.EXPIRED,
        _SYS,
        ("vetting.clearance_expired",),
    ),
)

CLEARANCE = Machine("clearance", STATES, FINAL, TRANSITIONS)
