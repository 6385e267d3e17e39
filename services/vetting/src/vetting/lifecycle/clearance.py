"""The clearance's lifecycle, in one table.

ACTIVE ⇄ SUSPENDED → REVOKED | EXPIRED; SUPERSEDED when a new clearance for the same person
replaces an active one. ACTIVE and SUSPENDED are "live": a person has at most one live
clearance (the database says so too: migration 0014).
"""

from __future__ import annotations

from vetting.lifecycle import MANAGER, STAFF, SYSTEM, Machine, Transition

STATES = ("ACTIVE", "SUSPENDED", "REVOKED", "EXPIRED", "SUPERSEDED")
LIVE = ("ACTIVE", "SUSPENDED")
FINAL = ("REVOKED", "EXPIRED", "SUPERSEDED")

_SYS = frozenset({SYSTEM})
_MGR = frozenset({MANAGER})

TRANSITIONS = (
    Transition("ACTIVE", "suspend", "SUSPENDED", STAFF | _SYS, ("vetting.clearance_suspended",)),
    # A suspension whose review assessed REFUSE is lifted only by a manager: the service
    # layer asks for `reinstate_against_assessment` then.
    Transition("SUSPENDED", "reinstate", "ACTIVE", STAFF, ("vetting.clearance_reinstated",)),
    Transition(
        "SUSPENDED",
        "reinstate_against_assessment",
        "ACTIVE",
        _MGR,
        ("vetting.clearance_reinstated",),
    ),
    Transition("ACTIVE", "revoke", "REVOKED", _MGR, ("vetting.clearance_revoked",)),
    Transition("SUSPENDED", "revoke", "REVOKED", _MGR, ("vetting.clearance_revoked",)),
    Transition(
        "ACTIVE",
        "supersede",
        "SUPERSEDED",
        STAFF | _SYS,
        ("vetting.clearance_granted", "vetting.application_cleared", "vetting.clearance_announced"),
    ),
    # Erasure of the person ends the clearance as a revocation would, told by its own event.
    Transition("ACTIVE", "erase", "REVOKED", _SYS, ("vetting.person_erased",)),
    Transition("SUSPENDED", "erase", "REVOKED", _SYS, ("vetting.person_erased",)),
    Transition("ACTIVE", "expire", "EXPIRED", _SYS, ("vetting.clearance_expired",)),
    Transition("SUSPENDED", "expire", "EXPIRED", _SYS, ("vetting.clearance_expired",)),
)

CLEARANCE = Machine("clearance", STATES, FINAL, TRANSITIONS)
