"""Moving a case between states: the case's table says whether an actor may take an action,
and every move is one the table lists, closes the current waiting spell into the case's
service-level totals and says who the case waits on next."""

from __future__ import annotations

from datetime import datetime

from vetting.domain.actors import Actor
from vetting.domain.identity import IdentityStatus
from vetting.domain.lifecycles.case import CASE, CLOSED, DECIDABLE, WAITING_ON, CaseState
from vetting.domain.service_levels import add_wait
from vetting.models import VettingCase


def take(case: VettingCase, action: str, actor: Actor, target: str | None = None) -> CaseState:
    """The case's table says whether `actor` may take `action` now (409 naming the state,
    403 naming the role): the state it leads to."""
    return CaseState(CASE.step(case.status, action, actor.acts_as, target).target)


def history_pending(case: VettingCase) -> bool:
    """The person's history shown on the case has something no manager has acknowledged."""
    acknowledged = set((case.history_acknowledged or {}).get("keys") or ())
    return any(f"{flag['kind']}:{flag['ref']}" not in acknowledged for flag in case.history or ())


def party_for(case: VettingCase, status: str, party: str | None) -> str | None:
    """Who truly moves the case on: an officer's turn is a manager's while a countersignature
    is due, or while the decision waits for a manager to see the person's history (a possible
    match is the officer's to settle first: linking may change that history)."""
    if party != "OFFICER":
        return party
    if WAITING_ON[CaseState(status)] == "MANAGER":
        return "MANAGER"
    if (
        status in DECIDABLE
        and case.identity_status != IdentityStatus.POSSIBLE_MATCH
        and history_pending(case)
    ):
        return "MANAGER"
    return party


def move(
    case: VettingCase, status: str, moment: datetime, waiting_on: str | bool | None = True
) -> None:
    """Change state, closing the current waiting spell into the case's totals. `waiting_on`
    True means the state's usual party."""
    case.waited_s = add_wait(case.waited_s or {}, case.waiting_on, case.waiting_since, moment)
    # Whatever moves a case, the move is one its lifecycle table lists.
    CASE.check_move(case.status, status)
    state = CaseState(status)
    party = party_for(case, state, WAITING_ON[state] if waiting_on is True else waiting_on or None)
    case.status = state
    case.waiting_on = party
    case.waiting_since = moment if party else None
    case.closed_at = moment if state in CLOSED else None
    if state in CLOSED:
        # Decided or over: nobody works it any more (service_layer.assignment).
        case.assigned_to = case.assigned_at = None
    case.updated_at = moment


def wait_on(case: VettingCase, party: str | None, moment: datetime) -> None:
    """Same state, different party (e.g. only a manual check is left: the officer)."""
    if case.waiting_on != party_for(case, case.status, party):
        move(case, case.status, moment, waiting_on=party)


def rewait(case: VettingCase, moment: datetime) -> None:
    """The person's history, or its acknowledgement, changed: who a decision waits on now."""
    if case.status in DECIDABLE:
        wait_on(case, "OFFICER", moment)
