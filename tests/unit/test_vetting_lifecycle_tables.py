"""The case and clearance lifecycles as tables: every state an officer can reach has a way
forward for someone, and the tables refuse what they do not list (naming the state)."""

from __future__ import annotations

import pytest

from shared.errors import Forbidden
from shared.lifecycle import StateConflict
from vetting.domain.actors import MANAGER, OFFICER, SYSTEM
from vetting.domain.lifecycles.case import CASE, WAITING_ON
from vetting.domain.lifecycles.clearance import CLEARANCE


def reachable(machine, start):  # type: ignore[no-untyped-def]
    seen, todo = {start}, [start]
    while todo:
        state = todo.pop()
        for transition in machine.from_state(state):
            if transition.target not in seen:
                seen.add(transition.target)
                todo.append(transition.target)
    return seen


@pytest.mark.parametrize("machine", [CASE, CLEARANCE], ids=lambda m: m.aggregate)
def test_every_non_final_state_has_an_exit_some_role_can_take(machine):
    for state in machine.states:
        if state in machine.final:
            continue
        exits = machine.exits(state)
        assert exits, f"{machine.aggregate} {state} has no way out"
        assert all(t.roles <= {SYSTEM, OFFICER, MANAGER} for t in exits)


def test_every_case_state_is_reachable_from_open_and_waits_on_someone_until_final():
    assert reachable(CASE, "OPEN") == set(CASE.states)
    for state in CASE.states:
        assert (WAITING_ON[state] is None) == (state in CASE.final), state
    # A decided case still reopens on the organisation's news; a withdrawn one never does.
    assert CASE.exits("CLEARED") and CASE.exits("REFUSED") and not CASE.exits("WITHDRAWN")


def test_every_transition_names_roles_and_what_a_decision_publishes():
    for machine in (CASE, CLEARANCE):
        for transition in machine.transitions:
            assert transition.roles, transition
    granted = {t.action for t in CASE.transitions if "vetting.clearance_granted" in t.events}
    assert granted == {
        "clear",
        "overturn_countersigned_refusal",
        "served_by_clearance",
        "linked_to_clearance_holder",
    }


def test_a_move_the_table_does_not_list_names_the_state():
    with pytest.raises(StateConflict) as refused:
        CASE.step("OPEN", "clear", {OFFICER})
    assert refused.value.errors == {"status": ["The case is OPEN."]}
    assert "AWAITING_DECISION" in str(refused.value)
    with pytest.raises(StateConflict):
        CASE.check_move("WITHDRAWN", "AWAITING_DECISION")
    with pytest.raises(Forbidden):
        CLEARANCE.step("SUSPENDED", "reinstate_against_assessment", {OFFICER})
    with pytest.raises(Forbidden):
        CASE.step("RECONSIDERATION", "overturn_countersigned_refusal", {OFFICER})
    assert CLEARANCE.step("SUSPENDED", "reinstate", {OFFICER}).target == "ACTIVE"


def test_every_event_a_transition_names_is_in_the_catalogue():
    from shared.events.catalogue import _SPECS

    catalogued = {spec[0] for spec in _SPECS}
    for machine in (CASE, CLEARANCE):
        for transition in machine.transitions:
            assert set(transition.events) <= catalogued, transition
