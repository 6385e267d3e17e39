"""The vetting case's lifecycle, in one table.

OPEN (checks running) → AWAITING_DECISION → CLEARED | REFUSAL_PENDING → REFUSED; a decision
against the risk summary waits in CLEARANCE_PENDING for a manager; INFO_REQUESTED interrupts
OPEN, AWAITING_DECISION, RECONSIDERATION or REVIEW and returns there when answered; a cleared
case reopens as REVIEW after a change of circumstances, a refused one as RECONSIDERATION when
the organisation asks. WITHDRAWN and REFUSED-without-reconsideration are where cases end.
"""

from __future__ import annotations

from vetting.lifecycle import MANAGER, STAFF, SYSTEM, Machine, Transition

STATES = (
    "OPEN",
    "AWAITING_DECISION",
    "INFO_REQUESTED",
    "REFUSAL_PENDING",
    "CLEARANCE_PENDING",
    "RECONSIDERATION",
    "REVIEW",
    "CLEARED",
    "REFUSED",
    "WITHDRAWN",
)
# Where a case rests once decided. CLEARED and REFUSED still reopen (review, reconsideration)
# on news from the organisation; WITHDRAWN never does.
FINAL = ("CLEARED", "REFUSED", "WITHDRAWN")
# What an information request may interrupt, and so where its answer returns the case.
INTERRUPTIBLE = ("OPEN", "AWAITING_DECISION", "RECONSIDERATION", "REVIEW")
DECIDABLE = ("AWAITING_DECISION", "RECONSIDERATION")
UNDECIDED = (
    "OPEN",
    "AWAITING_DECISION",
    "INFO_REQUESTED",
    "REFUSAL_PENDING",
    "CLEARANCE_PENDING",
    "RECONSIDERATION",
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
    _t("OPEN", "checks_completed", "AWAITING_DECISION", _SYS),
    # Served at once by the person's clearance that already covers the request.
    _t("OPEN", "served_by_clearance", "CLEARED", _SYS, GRANTED),
    # ... or once an officer links the applicant to the person who holds it.
    _t("OPEN", "linked_to_clearance_holder", "CLEARED", STAFF, GRANTED),
    _t("AWAITING_DECISION", "linked_to_clearance_holder", "CLEARED", STAFF, GRANTED),
    # Information: asked by an officer, answered by the organisation (through the applications
    # service), or by the volunteer directly to vetting for a sensitive request (an officer
    # records it). Another request still open keeps the case waiting.
    *(
        _t(state, "information_requested", "INFO_REQUESTED", STAFF, ASKED)
        for state in (*INTERRUPTIBLE, "INFO_REQUESTED")
    ),
    *(_t("INFO_REQUESTED", "information_provided", state, _SYS) for state in INTERRUPTIBLE),
    *(
        _t("INFO_REQUESTED", "information_received", state, STAFF)
        for state in (*INTERRUPTIBLE, "INFO_REQUESTED")
    ),
    # Decisions. Clearing against the risk summary, or overturning a refusal a manager
    # countersigned, is a proposal a second person (a manager) confirms.
    _t("AWAITING_DECISION", "clear", "CLEARED", STAFF, GRANTED),
    _t("RECONSIDERATION", "clear", "CLEARED", STAFF, GRANTED),
    _t("RECONSIDERATION", "overturn_countersigned_refusal", "CLEARED", _MGR, GRANTED),
    _t("AWAITING_DECISION", "clearance_proposed", "CLEARANCE_PENDING", STAFF),
    _t("RECONSIDERATION", "clearance_proposed", "CLEARANCE_PENDING", STAFF),
    _t("CLEARANCE_PENDING", "clearance_countersigned", "AWAITING_DECISION", _MGR),
    _t("CLEARANCE_PENDING", "clearance_countersigned", "RECONSIDERATION", _MGR),
    _t("CLEARANCE_PENDING", "clearance_rejected", "AWAITING_DECISION", _MGR),
    _t("CLEARANCE_PENDING", "clearance_rejected", "RECONSIDERATION", _MGR),
    _t("AWAITING_DECISION", "refusal_proposed", "REFUSAL_PENDING", STAFF),
    _t("REFUSAL_PENDING", "refusal_countersigned", "REFUSED", _MGR, REFUSED),
    _t("REFUSAL_PENDING", "refusal_rejected", "AWAITING_DECISION", _MGR),
    _t("RECONSIDERATION", "refusal_upheld", "REFUSED", STAFF, REFUSED),
    _t("REFUSED", "reconsideration_requested", "RECONSIDERATION", _SYS),
    # After clearance: a change of circumstances, or a provider's late answer that disagrees,
    # is reviewed by an officer.
    _t("CLEARED", "review_opened", "REVIEW", _SYS, (*_REVIEWED, *_CLEARANCE_CHANGES[:1])),
    _t("REVIEW", "review_completed", "CLEARED", STAFF, (*_REVIEWED, *_CLEARANCE_CHANGES)),
    # The organisation withdraws an undecided case; erasure stops any case that is not over.
    *(_t(state, "withdrawn", "WITHDRAWN", _SYS) for state in UNDECIDED),
    *(_t(state, "erased", "WITHDRAWN", _SYS) for state in (*UNDECIDED, "REVIEW")),
    # A manager's acknowledgement of the person's history changes no state.
    *(_t(state, "history_acknowledged", state, _MGR) for state in (*UNDECIDED, "REVIEW")),
)

CASE = Machine("case", STATES, FINAL, TRANSITIONS)

# Who the case waits on in each state (None: nobody, it is decided or over). OPEN waits on
# the providers unless only manual or exhausted checks remain (service_layer.checks); a
# decision waits on a manager while the person's history is unacknowledged
# (service_layer.common.party_for).
WAITING_ON = {
    "OPEN": "PROVIDER",
    "AWAITING_DECISION": "OFFICER",
    "INFO_REQUESTED": "APPLICANT",
    # A countersignature is a manager's (waiting_reason COUNTERSIGNATURE).
    "REFUSAL_PENDING": "MANAGER",
    "CLEARANCE_PENDING": "MANAGER",
    "RECONSIDERATION": "OFFICER",
    "REVIEW": "OFFICER",
    "CLEARED": None,
    "REFUSED": None,
    "WITHDRAWN": None,
}
