"""The access grant's lifecycle as one table: every way a grant's state may change, who may
take it, and the events it emits. Framework-free: the service layer asks it before changing a
grant (`require` for staff, raising 403 or a 409 naming the state; `permits` for vetting's and
the organisations' news, which is ignored, and audited, where it does not apply).

States (DESIGN §3): PENDING_REVIEW → APPROVED → (induction complete) ACTIVE ⇄ SUSPENDED →
REVOKED | ENDED | EXCLUDED; REFUSED from review. The closed states take no transition: news
that would reopen one opens a new request beside it instead (SUPERSEDE), and the closed grant
stays as the establishment left it.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.errors import Conflict, Forbidden

PENDING, APPROVED, ACTIVE, SUSPENDED = "PENDING_REVIEW", "APPROVED", "ACTIVE", "SUSPENDED"
REFUSED, REVOKED, ENDED, EXCLUDED = "REFUSED", "REVOKED", "ENDED", "EXCLUDED"
STATES = (PENDING, APPROVED, ACTIVE, SUSPENDED, REFUSED, REVOKED, ENDED, EXCLUDED)
LIVE = frozenset({APPROVED, ACTIVE, SUSPENDED})
OPEN = frozenset({PENDING}) | LIVE
FINAL = frozenset({REFUSED, REVOKED, ENDED, EXCLUDED})
# A new grant has no state yet: the table's "from" for opening one. SAME: the grant keeps its
# state (a closed one superseded by a new request beside it).
NEW, SAME = "NEW", "SAME"

OFFICER, HEAD = "security_officer", "head_of_security"
TEAM = (OFFICER, HEAD)
# Vetting's news, the organisations' news, erasure: the service acting on events.
SYSTEM = "system"


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    # The states it may leave the grant in (a suspension resumes where it was).
    targets: frozenset[str]
    roles: tuple[str, ...]
    events: tuple[str, ...]
    doing: str  # "Cannot {doing} a grant that is X."


def _t(
    action: str,
    sources: frozenset[str] | set[str],
    targets: set[str],
    roles: tuple[str, ...],
    events: tuple[str, ...],
    doing: str,
) -> Transition:
    return Transition(action, frozenset(sources), frozenset(targets), roles, events, doing)


TABLE: dict[str, Transition] = {
    t.action: t
    for t in (
        # The security team (routes and console).
        _t(
            "approve",
            {PENDING},
            {APPROVED, ACTIVE},
            TEAM,
            ("access.approved", "access.activated"),
            "approve",
        ),
        _t(
            "approve_renewal",
            LIVE,
            LIVE,
            TEAM,
            ("access.approved", "access.activated"),
            "approve the renewal of",
        ),
        _t("refuse", {PENDING}, {REFUSED}, TEAM, ("access.refused",), "refuse"),
        _t("induct", LIVE, LIVE, TEAM, ("access.activated",), "record induction for"),
        _t("suspend", LIVE, {SUSPENDED}, TEAM, ("access.suspended",), "suspend"),
        _t(
            "reinstate",
            {SUSPENDED},
            LIVE,
            TEAM,
            ("access.reinstated", "access.activated"),
            "reinstate",
        ),
        _t("exclude", OPEN, {EXCLUDED}, (HEAD,), ("access.excluded",), "exclude"),
        _t("revoke", LIVE, {REVOKED}, (HEAD,), ("access.revoked",), "revoke"),
        _t("end", OPEN, {ENDED}, TEAM, ("access.ended",), "end"),
        # Vetting's news (the consumer).
        _t("open", {NEW}, {PENDING}, (SYSTEM,), ("access.request_opened",), "open"),
        _t(
            "renew",
            OPEN,
            OPEN,
            (SYSTEM,),
            ("access.request_opened", "access.reinstated", "access.activated"),
            "renew",
        ),
        _t("supersede", FINAL, {SAME}, (SYSTEM,), ("access.request_opened",), "supersede"),
        _t("clearance_suspended", OPEN, OPEN, (SYSTEM,), ("access.suspended",), "suspend"),
        _t(
            "clearance_reinstated",
            OPEN,
            OPEN,
            (SYSTEM,),
            ("access.reinstated", "access.activated"),
            "reinstate",
        ),
        _t("clearance_ended", OPEN, {ENDED}, (SYSTEM,), ("access.ended",), "end"),
        # The organisations' news, and erasure.
        _t("sponsorship_ended", OPEN, {ENDED}, (SYSTEM,), ("access.ended",), "end"),
        _t("erase", OPEN | {EXCLUDED}, {ENDED}, (SYSTEM,), (), "erase"),
    )
}


def permits(action: str, status: str) -> bool:
    """Whether the grant's state allows the action (the news-driven paths ask this)."""
    return status in TABLE[action].sources


def require(
    action: str, status: str, roles: frozenset[str] | set[str], system: bool = False
) -> Transition:
    """For a member of staff: 403 without a role the transition names, then 409 naming the
    state when the grant is not in one it starts from."""
    transition = TABLE[action]
    if not system and not set(roles).intersection(transition.roles):
        raise Forbidden("You do not have permission to do this.")
    if status not in transition.sources:
        raise Conflict(f"Cannot {transition.doing} a grant that is {status}.")
    return transition


def exits(status: str) -> list[Transition]:
    """Every transition out of a state (the test that no open state is a dead end asks it)."""
    return [t for t in TABLE.values() if status in t.sources and t.targets - {status, SAME}]
