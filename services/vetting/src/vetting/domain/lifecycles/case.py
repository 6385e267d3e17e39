"""The vetting case's lifecycle, in one table.

OPEN (checks running) → AWAITING_DECISION → CLEARED | REFUSAL_PENDING → REFUSED; a decision
against the risk summary waits in CLEARANCE_PENDING for a manager; INFO_REQUESTED interrupts
OPEN, AWAITING_DECISION, RECONSIDERATION or REVIEW and returns there when answered; a cleared
case reopens as REVIEW after a change of circumstances, a refused one as RECONSIDERATION when
the organisation asks. WITHDRAWN and REFUSED-without-reconsideration are where cases end.
"""

from __future__ import annotations

from enum import StrEnum

from shared.lifecycle import Machine, Transition
from vetting.domain.actors import GOVERNOR, MANAGER, STAFF, SYSTEM


class CaseState(StrEnum):
    OPEN = "OPEN"
    AWAITING_DECISION = "AWAITING_DECISION"
    INFO_REQUESTED = "INFO_REQUESTED"
    REFUSAL_PENDING = "REFUSAL_PENDING"
    CLEARANCE_PENDING = "CLEARANCE_PENDING"
    RECONSIDERATION = "RECONSIDERATION"
    REVIEW = "REVIEW"
    CLEARED = "CLEARED"
    REFUSED = "REFUSED"
    WITHDRAWN = "WITHDRAWN"


STATES = tuple(CaseState)
# Where a case rests once decided. CLEARED and REFUSED still reopen (review, reconsideration)
# on news from the organisation; WITHDRAWN never does.
FINAL = (CaseState.CLEARED, CaseState.REFUSED, CaseState.WITHDRAWN)
# What an information request may interrupt, and so where its answer returns the case.
INTERRUPTIBLE = (
    CaseState.OPEN,
    CaseState.AWAITING_DECISION,
    CaseState.RECONSIDERATION,
    CaseState.REVIEW,
)
DECIDABLE = (CaseState.AWAITING_DECISION, CaseState.RECONSIDERATION)
UNDECIDED = (
    CaseState.OPEN,
    CaseState.AWAITING_DECISION,
    CaseState.INFO_REQUESTED,
    CaseState.REFUSAL_PENDING,
    CaseState.CLEARANCE_PENDING,
    CaseState.RECONSIDERATION,
)

_SYS = frozenset({SYSTEM})
_MGR = frozenset({MANAGER})
GRANTED = (
    "vetting.clearance_granted",
    "vetting.application_cleared",
    "vetting.clearance_announced",
)
ASKED = ("vetting.info_requested", "vetting.info_request_announced")
REFUSED = ("vetting.clearance_refused",)
_CLEARANCE_CHANGES = (
    "vetting.clearance_suspended",
    "vetting.clearance_reinstated",
    "vetting.clearance_revoked",
)
# A report of a change: its outcome to the organisation that made it; a suspension at once
# only for a change the policy names as immediate.
_REVIEWED = ("vetting.circumstances_reviewed",)


def _t(
    source: str, action: str, target: str, roles: frozenset[str], events: tuple[str, ...] = ()
) -> Transition:
    return Transition(source, action, target, roles, events)


TRANSITIONS = (
    # The checks: all results in (a late answer that disagrees after a decision reopens the
    # assessment as a review: below).
    _t(CaseState.OPEN, "checks_completed", CaseState.AWAITING_DECISION, _SYS),
    # Served at once by the person's clearance that already covers the request.
    _t(CaseState.OPEN, "served_by_clearance", CaseState.CLEARED, _SYS, GRANTED),
    # ... or once an officer links the applicant to the person who holds it.
    _t(CaseState.OPEN, "linked_to_clearance_holder", CaseState.CLEARED, STAFF, GRANTED),
    _t(
        CaseState.AWAITING_DECISION, "linked_to_clearance_holder", CaseState.CLEARED, STAFF, GRANTED
    ),
    # Information: asked by an officer, answered by the organisation (through the applications
    # service), or by the volunteer directly to vetting for a sensitive request (an officer
    # records it). Another request still open keeps the case waiting.
    *(
        _t(state, "information_requested", CaseState.INFO_REQUESTED, STAFF, ASKED)
        for state in (*INTERRUPTIBLE, CaseState.INFO_REQUESTED)
    ),
    *(_t(CaseState.INFO_REQUESTED, "information_provided", state, _SYS) for state in INTERRUPTIBLE),
    *(
        _t(CaseState.INFO_REQUESTED, "information_received", state, STAFF)
        for state in (*INTERRUPTIBLE, CaseState.INFO_REQUESTED)
    ),
    # Decisions. Clearing against the risk summary, or overturning a refusal a manager
    # countersigned, is a proposal a second person (a manager) confirms.
    _t(CaseState.AWAITING_DECISION, "clear", CaseState.CLEARED, STAFF, GRANTED),
    _t(CaseState.RECONSIDERATION, "clear", CaseState.CLEARED, STAFF, GRANTED),
    _t(
        CaseState.RECONSIDERATION,
        "overturn_countersigned_refusal",
        CaseState.CLEARED,
        _MGR,
        GRANTED,
    ),
    _t(CaseState.AWAITING_DECISION, "clearance_proposed", CaseState.CLEARANCE_PENDING, STAFF),
    _t(CaseState.RECONSIDERATION, "clearance_proposed", CaseState.CLEARANCE_PENDING, STAFF),
    _t(CaseState.CLEARANCE_PENDING, "clearance_countersigned", CaseState.AWAITING_DECISION, _MGR),
    _t(CaseState.CLEARANCE_PENDING, "clearance_countersigned", CaseState.RECONSIDERATION, _MGR),
    _t(CaseState.CLEARANCE_PENDING, "clearance_rejected", CaseState.AWAITING_DECISION, _MGR),
    _t(CaseState.CLEARANCE_PENDING, "clearance_rejected", CaseState.RECONSIDERATION, _MGR),
    _t(CaseState.AWAITING_DECISION, "refusal_proposed", CaseState.REFUSAL_PENDING, STAFF),
    _t(CaseState.REFUSAL_PENDING, "refusal_countersigned", CaseState.REFUSED, _MGR, REFUSED),
    _t(CaseState.REFUSAL_PENDING, "refusal_rejected", CaseState.AWAITING_DECISION, _MGR),
    _t(CaseState.RECONSIDERATION, "refusal_upheld", CaseState.REFUSED, STAFF, REFUSED),
    _t(CaseState.REFUSED, "reconsideration_requested", CaseState.RECONSIDERATION, _SYS),
    # ... by the organisation (through the applications service), or by the governor of an
    # establishment the case concerns.
    _t(
        CaseState.REFUSED,
        "reconsideration_requested_by_governor",
        CaseState.RECONSIDERATION,
        frozenset({GOVERNOR}),
    ),
    # After clearance: a change of circumstances, or a provider's late answer that disagrees,
    # is reviewed by an officer.
    _t(
        CaseState.CLEARED,
        "review_opened",
        CaseState.REVIEW,
        _SYS,
        (*_REVIEWED, *_CLEARANCE_CHANGES[:1]),
    ),
    _t(
        CaseState.REVIEW,
        "review_completed",
        CaseState.CLEARED,
        STAFF,
        (*_REVIEWED, *_CLEARANCE_CHANGES),
    ),
    # The organisation withdraws an undecided case; erasure stops any case that is not over.
    *(_t(state, "withdrawn", CaseState.WITHDRAWN, _SYS) for state in UNDECIDED),
    *(_t(state, "erased", CaseState.WITHDRAWN, _SYS) for state in (*UNDECIDED, CaseState.REVIEW)),
    # A manager's acknowledgement of the person's history changes no state.
    *(_t(state, "history_acknowledged", state, _MGR) for state in (*UNDECIDED, CaseState.REVIEW)),
)

CASE = Machine("case", STATES, FINAL, TRANSITIONS)

# Who the case waits on in each state (None: nobody, it is decided or over). OPEN waits on
# the providers unless only manual or exhausted checks remain (service_layer.checks); a
# decision waits on a manager while the person's history is unacknowledged
# (service_layer.case_moves.party_for).
WAITING_ON = {
    CaseState.OPEN: "PROVIDER",
    CaseState.AWAITING_DECISION: "OFFICER",
    CaseState.INFO_REQUESTED: "APPLICANT",
    # A countersignature is a manager's (waiting_reason COUNTERSIGNATURE).
    CaseState.REFUSAL_PENDING: "MANAGER",
    CaseState.CLEARANCE_PENDING: "MANAGER",
    CaseState.RECONSIDERATION: "OFFICER",
    CaseState.REVIEW: "OFFICER",
    CaseState.CLEARED: None,
    CaseState.REFUSED: None,
    CaseState.WITHDRAWN: None,
}
# Where a case waits on nobody: decided, or over.
CLOSED = frozenset(state for state, party in WAITING_ON.items() if party is None)
