"""The application's lifecycle: every allowed move in one table, free of any framework.

A row names the states it starts from, the action, the state it leads to, who may take it and
the events it emits. An organisation's action missing from the table is refused, naming the
state (a 409 at the door). News from another service is never refused: the event already
happened, so every state has a row for it, most of them "history only" (the state stays and
the timeline records it). That is what keeps an old event arriving late from dragging an
application back, and a withdrawal or an ended sponsorship from being revived.

Roles: COORDINATOR is the owning organisation's API key; SYSTEM is the applications consumer
acting on another service's event.
"""

from __future__ import annotations

from dataclasses import dataclass

DRAFT, SUBMITTED, IN_VETTING, INFO_REQUESTED = "DRAFT", "SUBMITTED", "IN_VETTING", "INFO_REQUESTED"
REFUSED, CLEARED, WITHDRAWN = "REFUSED", "CLEARED", "WITHDRAWN"
SPONSORSHIP_ENDED = "SPONSORSHIP_ENDED"
STATES = (
    DRAFT,
    SUBMITTED,
    IN_VETTING,
    INFO_REQUESTED,
    REFUSED,
    CLEARED,
    WITHDRAWN,
    SPONSORSHIP_ENDED,
)
# Nothing moves out of these (news about them is history only).
FINAL = (WITHDRAWN, SPONSORSHIP_ENDED)
IN_PROGRESS = (SUBMITTED, IN_VETTING, INFO_REQUESTED)

COORDINATOR, SYSTEM = "coordinator", "system"

# Marks a row whose to-state is the from-state (the action moves nothing).
STAY = "STAY"


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    action: str
    target: str
    roles: tuple[str, ...]
    emits: tuple[str, ...] = ()

    def to(self, state: str) -> str:
        return state if self.target == STAY else self.target


def _others(*states: str) -> tuple[str, ...]:
    return tuple(s for s in STATES if s not in states)


TABLE: tuple[Transition, ...] = (
    # The organisation's actions.
    Transition((DRAFT,), "edit", STAY, (COORDINATOR,)),
    Transition(
        (DRAFT,),
        "submit",
        SUBMITTED,
        (COORDINATOR,),
        (
            "application.submitted",
            "application.received",
            "application.contacts_recorded",
            "application.contact_confirmation_requested",
        ),
    ),
    Transition((DRAFT,), "withdraw", WITHDRAWN, (COORDINATOR,)),
    Transition(
        IN_PROGRESS,
        "withdraw",
        WITHDRAWN,
        (COORDINATOR,),
        ("application.withdrawn", "application.withdrawal_announced"),
    ),
    # Vetting may ask during a review of a cleared person, or while it reconsiders a refusal:
    # the answer must get through in those states too, or both sides wait on each other.
    # "answer_last" answers the last open request: an application waiting on it goes back to
    # vetting; "answer" leaves others open.
    Transition(
        (INFO_REQUESTED,), "answer_last", IN_VETTING, (COORDINATOR,), ("application.info_provided",)
    ),
    Transition(
        (SUBMITTED, IN_VETTING, REFUSED, CLEARED),
        "answer_last",
        STAY,
        (COORDINATOR,),
        ("application.info_provided",),
    ),
    Transition(
        (SUBMITTED, IN_VETTING, INFO_REQUESTED, REFUSED, CLEARED),
        "answer",
        STAY,
        (COORDINATOR,),
        ("application.info_provided",),
    ),
    Transition((CLEARED,), "renew", STAY, (COORDINATOR,)),
    Transition(
        (CLEARED,), "report_change", STAY, (COORDINATOR,), ("application.circumstances_changed",)
    ),
    Transition(
        (REFUSED,),
        "request_reconsideration",
        STAY,
        (COORDINATOR,),
        ("application.reconsideration_requested",),
    ),
    Transition(
        (CLEARED,),
        "end_sponsorship",
        SPONSORSHIP_ENDED,
        (COORDINATOR,),
        ("application.sponsorship_ended",),
    ),
    # The volunteer's own contact details (confirmation, opt-out) do not move the application;
    # the organisation may have a new link or code sent while the application is alive.
    Transition(
        _others(DRAFT),
        "record_contacts",
        STAY,
        (SYSTEM, COORDINATOR),
        ("application.contacts_recorded",),
    ),
    Transition(
        (*IN_PROGRESS, REFUSED, CLEARED),
        "confirm_contact",
        STAY,
        (COORDINATOR,),
        ("application.contact_confirmation_requested",),
    ),
    # News from vetting.
    Transition((SUBMITTED,), "case_opened", IN_VETTING, (SYSTEM,)),
    Transition(_others(SUBMITTED), "case_opened", STAY, (SYSTEM,)),
    Transition((SUBMITTED, IN_VETTING), "info_requested", INFO_REQUESTED, (SYSTEM,)),
    Transition(_others(SUBMITTED, IN_VETTING), "info_requested", STAY, (SYSTEM,)),
    # A sensitive request goes to the volunteer: the organisation has nothing to answer.
    Transition(STATES, "sensitive_info_requested", STAY, (SYSTEM,)),
    Transition((*IN_PROGRESS, REFUSED), "cleared", CLEARED, (SYSTEM,)),
    # A withdrawal that crossed the clearance on its way: the organisation had asked to stop,
    # so the clearance it did not hear of in time becomes an ended sponsorship.
    Transition(
        (WITHDRAWN,), "cleared", SPONSORSHIP_ENDED, (SYSTEM,), ("application.sponsorship_ended",)
    ),
    Transition((DRAFT, CLEARED, SPONSORSHIP_ENDED), "cleared", STAY, (SYSTEM,)),
    Transition(IN_PROGRESS, "refused", REFUSED, (SYSTEM,)),
    Transition(_others(*IN_PROGRESS), "refused", STAY, (SYSTEM,)),
    # Later news about the clearance (suspended, reinstated, revoked, expiring, expired): the
    # application's outcome follows it; the status stays.
    Transition(STATES, "clearance_changed", STAY, (SYSTEM,)),
    # What access and notifications did: history only.
    Transition(STATES, "history", STAY, (SYSTEM,)),
)


class IllegalTransition(Exception):
    """The action is not allowed from this state (or not for this role)."""

    def __init__(self, state: str, action: str) -> None:
        self.state, self.action = state, action
        super().__init__(
            f"The application is {describe(state)}, so it cannot "
            f"{ACTION_WORDS.get(action, action.replace('_', ' '))}."
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


def transition(state: str, action: str, role: str) -> Transition:
    """The row for `action` from `state` by `role`, or IllegalTransition."""
    for row in TABLE:
        if row.action == action and state in row.sources and role in row.roles:
            return row
    raise IllegalTransition(state, action)


def allowed_actions(state: str, role: str) -> list[str]:
    """The actions `role` may take from `state` (for the API and for the deadlock test)."""
    return sorted({row.action for row in TABLE if state in row.sources and role in row.roles})
