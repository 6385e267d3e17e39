"""The lifecycles the applications service keeps, as `shared.lifecycle.Machine` tables.

The application's: a row names the state it starts from, the action, the state it leads to, who
may take it and the events it emits. An organisation's action missing from the table is refused,
naming the state (a 409 at the door). News from another service is never refused: the event
already happened, so every state has a row for it, most of them "history only" (the state stays
and the timeline records it). That is what keeps an old event arriving late from dragging an
application back, and a withdrawal or an ended sponsorship from being revived.

Also here: the information requests vetting sends, the clearance an application follows once
cleared (vetting's, mirrored), and each service's part of an erasure request.

Roles: COORDINATOR is the owning organisation's API key; SYSTEM is the applications consumer
acting on another service's event.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from shared.errors import Conflict, Forbidden
from shared.lifecycle import Machine, StateConflict, Transition, transitions


class ApplicationState(StrEnum):
    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    IN_VETTING = "IN_VETTING"
    INFO_REQUESTED = "INFO_REQUESTED"
    CLEARED = "CLEARED"
    REFUSED = "REFUSED"
    WITHDRAWN = "WITHDRAWN"
    SPONSORSHIP_ENDED = "SPONSORSHIP_ENDED"


DRAFT, SUBMITTED, IN_VETTING = (
    ApplicationState.DRAFT,
    ApplicationState.SUBMITTED,
    ApplicationState.IN_VETTING,
)
INFO_REQUESTED, REFUSED, CLEARED = (
    ApplicationState.INFO_REQUESTED,
    ApplicationState.REFUSED,
    ApplicationState.CLEARED,
)
WITHDRAWN, SPONSORSHIP_ENDED = ApplicationState.WITHDRAWN, ApplicationState.SPONSORSHIP_ENDED
STATES = tuple(ApplicationState)
# Nothing moves out of these (news about them is history only).
FINAL = (WITHDRAWN, SPONSORSHIP_ENDED)
IN_PROGRESS = (SUBMITTED, IN_VETTING, INFO_REQUESTED)
# Decided: retention's clock runs from here; CLOSED ones also lose the applicant document.
DECIDED = (CLEARED, REFUSED, WITHDRAWN, SPONSORSHIP_ENDED)
CLOSED = (REFUSED, WITHDRAWN, SPONSORSHIP_ENDED)

COORDINATOR, SYSTEM = "coordinator", "system"
_ORG, _SYS = frozenset({COORDINATOR}), frozenset({SYSTEM})


def _others(*states: str) -> tuple[ApplicationState, ...]:
    return tuple(s for s in ApplicationState if s not in states)


def _stay(
    sources: Iterable[str], action: str, roles: frozenset[str], events: tuple[str, ...] = ()
) -> list[Transition]:
    """The action moves nothing: one row per state, each leading back to itself."""
    return [Transition(source, action, source, roles, events) for source in sources]


SUBMIT_EVENTS = (
    "application.submitted",
    "application.received",
    "application.contacts_recorded",
    "application.contact_confirmation_requested",
)
WITHDRAW_EVENTS = ("application.withdrawn", "application.withdrawal_announced")
INFO_PROVIDED = ("application.info_provided",)
SPONSORSHIP_ENDED_EVENTS = ("application.sponsorship_ended",)

APPLICATION = Machine(
    "application",
    STATES,
    FINAL,
    [
        # The organisation's actions.
        *_stay((DRAFT,), "edit", _ORG),
        *transitions((DRAFT,), "submit", SUBMITTED, _ORG, SUBMIT_EVENTS),
        *transitions((DRAFT,), "withdraw", WITHDRAWN, _ORG),
        *transitions(IN_PROGRESS, "withdraw", WITHDRAWN, _ORG, WITHDRAW_EVENTS),
        # Vetting may ask during a review of a cleared person, or while it reconsiders a
        # refusal: the answer must get through in those states too, or both sides wait on each
        # other. "answer_last" answers the last open request: an application waiting on it goes
        # back to vetting; "answer" leaves others open.
        *transitions((INFO_REQUESTED,), "answer_last", IN_VETTING, _ORG, INFO_PROVIDED),
        *_stay((SUBMITTED, IN_VETTING, REFUSED, CLEARED), "answer_last", _ORG, INFO_PROVIDED),
        *_stay(
            (SUBMITTED, IN_VETTING, INFO_REQUESTED, REFUSED, CLEARED), "answer", _ORG, INFO_PROVIDED
        ),
        *_stay((CLEARED,), "renew", _ORG),
        *_stay((CLEARED,), "report_change", _ORG, ("application.circumstances_changed",)),
        *_stay(
            (REFUSED,), "request_reconsideration", _ORG, ("application.reconsideration_requested",)
        ),
        *transitions(
            (CLEARED,), "end_sponsorship", SPONSORSHIP_ENDED, _ORG, SPONSORSHIP_ENDED_EVENTS
        ),
        # The volunteer's own contact details (confirmation, opt-out) do not move the
        # application; the organisation may have a new link or code sent while it is alive.
        *_stay(
            _others(DRAFT),
            "record_contacts",
            _ORG | _SYS,
            ("application.contacts_recorded",),
        ),
        *_stay(
            (*IN_PROGRESS, REFUSED, CLEARED),
            "confirm_contact",
            _ORG,
            ("application.contact_confirmation_requested",),
        ),
        # News from vetting.
        *transitions((SUBMITTED,), "case_opened", IN_VETTING, _SYS),
        *_stay(_others(SUBMITTED), "case_opened", _SYS),
        *transitions((SUBMITTED, IN_VETTING), "info_requested", INFO_REQUESTED, _SYS),
        *_stay(_others(SUBMITTED, IN_VETTING), "info_requested", _SYS),
        # A sensitive request goes to the volunteer: the organisation has nothing to answer.
        *_stay(STATES, "sensitive_info_requested", _SYS),
        *transitions((*IN_PROGRESS, REFUSED), "cleared", CLEARED, _SYS),
        # A withdrawal that crossed the clearance on its way: the organisation had asked to
        # stop, so the clearance it did not hear of in time becomes an ended sponsorship.
        *transitions((WITHDRAWN,), "cleared", SPONSORSHIP_ENDED, _SYS, SPONSORSHIP_ENDED_EVENTS),
        *_stay((DRAFT, CLEARED, SPONSORSHIP_ENDED), "cleared", _SYS),
        *transitions(IN_PROGRESS, "refused", REFUSED, _SYS),
        *_stay(_others(*IN_PROGRESS), "refused", _SYS),
        # Later news about the clearance (suspended, reinstated, revoked, expiring, expired):
        # the application's outcome follows it; the status stays.
        *_stay(STATES, "clearance_changed", _SYS),
        # What access and notifications did: history only.
        *_stay(STATES, "history", _SYS),
    ],
)

ACTION_WORDS = {
    "edit": "be changed (use /responses or /changes instead)",
    "submit": "be submitted again: it is not a draft",
    "withdraw": "be withdrawn (a cleared one: end the sponsorship instead)",
    "answer": "take an answer to vetting's request",
    "answer_last": "take an answer to vetting's request",
    "renew": "be renewed (only a cleared application can)",
    "report_change": "take a change of circumstances (only a cleared application can)",
    "request_reconsideration": "be reconsidered: only a refused application can",
    "end_sponsorship": "have its sponsorship ended (only a cleared application can)",
    "confirm_contact": "send the volunteer a confirmation (only a submitted one can)",
}


def describe(state: str) -> str:
    return state.lower().replace("_", " ")


class ApplicationStateConflict(StateConflict):
    """The action is not allowed from this state (or not for this role), in the words the
    organisation reads: the state, and what it rules out (the 409 body's `state` names it)."""

    def __init__(self, state: str, action: str) -> None:
        # Not StateConflict's wording (the states an action is allowed from): organisations
        # have always been told what the state rules out and what to do instead.
        Conflict.__init__(
            self,
            f"The application is {describe(state)}, so it cannot "
            f"{ACTION_WORDS.get(action, action.replace('_', ' '))}.",
        )
        self.state, self.action = state, action


def step(state: str, action: str, role: str) -> Transition:
    """The row for `action` from `state` by `role`, or ApplicationStateConflict."""
    try:
        return APPLICATION.step(state, action, (role,))
    except (StateConflict, Forbidden) as exc:
        raise ApplicationStateConflict(state, action) from exc


class RequestState(StrEnum):
    """An information request from vetting, as the organisation sees it."""

    OPEN = "OPEN"
    ANSWERED = "ANSWERED"
    # A sensitive request: vetting asked the volunteer directly; nothing to answer here.
    VOLUNTEER_ASKED = "VOLUNTEER_ASKED"


INFORMATION_REQUEST = Machine(
    "information request",
    tuple(RequestState),
    (RequestState.ANSWERED, RequestState.VOLUNTEER_ASKED),
    transitions((RequestState.OPEN,), "answer", RequestState.ANSWERED, _ORG),
)


class ClearanceStatus(StrEnum):
    """The clearance a cleared application follows (vetting's, as vetting reports it)."""

    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"


# ACTIVE -> SUSPENDED <-> ACTIVE -> REVOKED | EXPIRED: nothing moves out of the final two.
FINAL_CLEARANCE = (ClearanceStatus.REVOKED, ClearanceStatus.EXPIRED)
# A sponsorship is live while the clearance it rests on is: a revoked or expired clearance
# already ended every grant on it.
LIVE_CLEARANCE = (ClearanceStatus.ACTIVE, ClearanceStatus.SUSPENDED)
FOLLOWED_CLEARANCE = Machine(
    "clearance",
    tuple(ClearanceStatus),
    FINAL_CLEARANCE,
    [
        transition
        for target in ClearanceStatus
        for transition in transitions(LIVE_CLEARANCE, "reported", target, _SYS)
    ],
)


class ErasureProgress(StrEnum):
    """One service's part of an erasure request."""

    PENDING = "PENDING"
    ERASED = "ERASED"


class ErasureStatus(StrEnum):
    """An erasure request as a whole: complete once every service has erased."""

    IN_PROGRESS = "IN_PROGRESS"
    COMPLETE = "COMPLETE"


# A repeated report (a redelivery) notes its counts again; nothing goes back to PENDING.
SERVICE_ERASURE = Machine(
    "erasure",
    tuple(ErasureProgress),
    (ErasureProgress.ERASED,),
    transitions(tuple(ErasureProgress), "reported", ErasureProgress.ERASED, _SYS),
)
