"""The lifecycles access keeps, as `shared.lifecycle.Machine` tables: the grant's (every way its
state may change, who may take it, the events it emits), and the review item's. Framework-free:
the service layer asks before changing a grant (`require` for staff, raising 403 or a 409
naming the state; `permits` for vetting's and the organisations' news, which is ignored, and
audited, where it does not apply; `moved` for the state a change leaves it in).

States (DESIGN §3): PENDING_REVIEW → APPROVED → (induction complete) ACTIVE ⇄ SUSPENDED →
REVOKED | ENDED | EXCLUDED; REFUSED from review. A new grant starts PENDING_REVIEW. The closed
states take no transition: news that would reopen one opens a new request beside it instead
(`supersede` leaves the closed grant as the establishment left it).

Also here: the copy of vetting's clearance status a grant carries (vetting's lifecycle, not
ours: it is told, never decided here).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from shared.errors import Conflict, Forbidden
from shared.lifecycle import Machine, StateConflict, Transition, transitions


class GrantState(StrEnum):
    PENDING_REVIEW = "PENDING_REVIEW"
    APPROVED = "APPROVED"
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    REFUSED = "REFUSED"
    REVOKED = "REVOKED"
    ENDED = "ENDED"
    EXCLUDED = "EXCLUDED"


PENDING, APPROVED, ACTIVE = GrantState.PENDING_REVIEW, GrantState.APPROVED, GrantState.ACTIVE
SUSPENDED, REFUSED, REVOKED = GrantState.SUSPENDED, GrantState.REFUSED, GrantState.REVOKED
ENDED, EXCLUDED = GrantState.ENDED, GrantState.EXCLUDED
STATES = tuple(GrantState)
LIVE = frozenset({APPROVED, ACTIVE, SUSPENDED})
OPEN = frozenset({PENDING}) | LIVE
FINAL = frozenset({REFUSED, REVOKED, ENDED, EXCLUDED})
# Where a grant a clearance opens starts (there is no state before it to move from).
INITIAL = PENDING

OFFICER, HEAD = "security_officer", "head_of_security"
TEAM = (OFFICER, HEAD)
# Vetting's news, the organisations' news, erasure: the service acting on events.
SYSTEM = "system"
_TEAM, _HEAD, _SYS = frozenset(TEAM), frozenset({HEAD}), frozenset({SYSTEM})

APPROVED_EVENTS = ("access.approved",)
REINSTATED_EVENTS = ("access.reinstated",)
ENDED_EVENTS = ("access.ended",)


def _stay(
    sources: Iterable[str], action: str, roles: frozenset[str], events: tuple[str, ...] = ()
) -> list[Transition]:
    """The action leaves the state as it is: one row per state, back to itself."""
    return [Transition(source, action, source, roles, events) for source in sources]


def _resumes(action: str, roles: frozenset[str], events: tuple[str, ...]) -> list[Transition]:
    """A suspension lifted: back to where the grant was (approved, or active)."""
    return [
        *transitions((SUSPENDED,), action, APPROVED, roles, events),
        *transitions((SUSPENDED,), action, ACTIVE, roles, events),
    ]


GRANT = Machine(
    "grant",
    STATES,
    FINAL,
    [
        # The security team (routes and console).
        *transitions((PENDING,), "approve", APPROVED, _TEAM, APPROVED_EVENTS),
        *_stay(LIVE, "approve_renewal", _TEAM, APPROVED_EVENTS),
        *transitions((PENDING,), "refuse", REFUSED, _TEAM, ("access.refused",)),
        *_stay(LIVE, "induct", _TEAM),
        # The last item of the induction (or an approval or a reinstatement finding it done).
        *transitions((APPROVED,), "activate", ACTIVE, _TEAM | _SYS, ("access.activated",)),
        # A grant vetting suspended may be suspended here too (it stays SUSPENDED).
        *transitions(LIVE, "suspend", SUSPENDED, _TEAM, ("access.suspended",)),
        # Lifting this establishment's suspension leaves one vetting made (it stays SUSPENDED).
        *_resumes("reinstate", _TEAM, REINSTATED_EVENTS),
        *_stay((SUSPENDED,), "reinstate", _TEAM),
        *transitions(OPEN, "exclude", EXCLUDED, _HEAD, ("access.excluded",)),
        *transitions(LIVE, "revoke", REVOKED, _HEAD, ("access.revoked",)),
        *transitions(OPEN, "end", ENDED, _TEAM, ENDED_EVENTS),
        # Vetting's news (the consumer). A renewal keeps the state (a suspension that came
        # with the clearance is lifted: `clearance_reinstated`); a closed grant is superseded
        # by a new request beside it, and keeps its state.
        *_stay(OPEN, "renew", _SYS, ("access.request_opened",)),
        *_stay(FINAL, "supersede", _SYS, ("access.request_opened",)),
        *transitions(
            (APPROVED, ACTIVE), "clearance_suspended", SUSPENDED, _SYS, ("access.suspended",)
        ),
        *_resumes("clearance_reinstated", _SYS, REINSTATED_EVENTS),
        *transitions(OPEN, "clearance_ended", ENDED, _SYS, ENDED_EVENTS),
        # The organisations' news, and erasure.
        *transitions(OPEN, "sponsorship_ended", ENDED, _SYS, ENDED_EVENTS),
        *transitions(OPEN | {EXCLUDED}, "erase", ENDED, _SYS),
    ],
)

# "Cannot {doing} a grant that is X.": what staff read when the state rules an action out.
DOING = {
    "approve": "approve",
    "approve_renewal": "approve the renewal of",
    "refuse": "refuse",
    "induct": "record induction for",
    "suspend": "suspend",
    "reinstate": "reinstate",
    "exclude": "exclude",
    "revoke": "revoke",
    "end": "end",
}


def _rows(action: str) -> list[Transition]:
    rows = [t for t in GRANT.transitions if t.action == action]
    if not rows:
        raise KeyError(action)
    return rows


def sources(action: str) -> frozenset[GrantState]:
    """Every state the action starts from."""
    return frozenset(GrantState(t.source) for t in _rows(action))


def permits(action: str, state: str) -> bool:
    """Whether the grant's state allows the action (the news-driven paths ask this)."""
    return state in sources(action)


def require(action: str, state: str, roles: Iterable[str]) -> None:
    """For a member of staff: 403 without a role the action names, then 409 naming the state
    when the grant is not in one it starts from."""
    rows = _rows(action)
    if not {role for t in rows for role in t.roles} & set(roles):
        raise Forbidden("You do not have permission to do this.")
    if state not in {t.source for t in rows}:
        raise Conflict(f"Cannot {DOING.get(action, action)} a grant that is {state}.")


def moved(state: str, action: str, target: GrantState) -> GrantState:
    """`target`, if the table has `action` lead from `state` to it (who may take the action is
    `require`'s business, asked before; the system's news asks `permits`)."""
    if not any(t.source == state and t.target == target for t in _rows(action)):
        raise StateConflict(GRANT.aggregate, state, action, (t.source for t in _rows(action)))
    return target


def exits(state: str) -> list[Transition]:
    """Every way out of a state (the test that no open state is a dead end asks it)."""
    return GRANT.exits(state)


class ClearanceStatus(StrEnum):
    """The clearance a grant rests on, as vetting last reported it (a copy: the gate reads it)."""

    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"


# Vetting closed it: news of it arriving late serves nothing any more.
CLOSED_CLEARANCE = (ClearanceStatus.REVOKED, ClearanceStatus.EXPIRED)


class ReviewItemState(StrEnum):
    """News held for the security team: open until they accept or dismiss it."""

    OPEN = "OPEN"
    ACCEPTED = "ACCEPTED"
    DISMISSED = "DISMISSED"


REVIEW_ITEM = Machine(
    "review item",
    tuple(ReviewItemState),
    (ReviewItemState.ACCEPTED, ReviewItemState.DISMISSED),
    [
        # Accepting changes who the grant is for: heads of security only.
        *transitions((ReviewItemState.OPEN,), "ACCEPT", ReviewItemState.ACCEPTED, _HEAD),
        *transitions((ReviewItemState.OPEN,), "DISMISS", ReviewItemState.DISMISSED, _TEAM),
    ],
)
