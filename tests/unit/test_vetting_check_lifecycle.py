"""A check's lifecycle as a table: every state short of a result has a way forward for someone,
the automatic checks own their results, and what the table does not list is refused naming
the state."""

from __future__ import annotations

import pytest

from shared.errors import Forbidden
from shared.lifecycle import StateConflict
from vetting.domain.actors import MANAGER, OFFICER, SYSTEM
from vetting.domain.lifecycles.check import CHECK, RECORD_CHECKS, late_status, manual_action


def test_every_state_short_of_a_result_has_an_exit_some_role_can_take():
    for state in CHECK.states:
        exits = CHECK.exits(state)
        if state in CHECK.final:
            assert all(t.roles == {SYSTEM} for t in exits)  # only a late answer moves it
            continue
        assert exits, f"check {state} has no way out"
        assert {t.target for t in exits} & {*CHECK.final, "IN_PROGRESS", "PENDING"}


def test_only_the_provider_moves_a_check_it_is_working_on():
    for state in ("PENDING", "IN_PROGRESS", "ERROR"):
        staff = [t for t in CHECK.from_state(state) if t.roles & {OFFICER, MANAGER}]
        # PENDING: only a manual-provider check, recorded by hand.
        assert all(
            t.action in ("recorded_by_hand", "record_check_recorded_by_hand") for t in staff
        ), (state, staff)


@pytest.mark.parametrize("state", ["PENDING", "IN_PROGRESS", "ERROR", "PASSED", "ADVERSE"])
def test_a_hand_result_for_an_automatic_check_needs_it_to_have_failed_for_good(state):
    for name in ("IDENTITY", "DBS"):
        with pytest.raises(StateConflict) as refused:
            CHECK.step(state, manual_action(name, "simulated"), {MANAGER}, "PASSED")
        assert refused.value.errors == {"status": [f"The check is {state}."]}
        assert "FAILED" in str(refused.value)


def test_a_record_check_by_hand_needs_a_manager():
    for name in RECORD_CHECKS:
        for provider, state in (("manual", "PENDING"), ("simulated", "FAILED")):
            with pytest.raises(Forbidden):
                CHECK.step(state, manual_action(name, provider), {OFFICER}, "PASSED")
            assert CHECK.step(
                state, manual_action(name, provider), {MANAGER}, "ADVERSE"
            ).events == ("vetting.check_completed",)
    assert (
        CHECK.step("FAILED", manual_action("IDENTITY", "simulated"), {OFFICER}, "PASSED").target
        == "PASSED"
    )


def test_a_late_answer_keeps_the_adverse_one():
    assert late_status("PASSED", "ADVERSE") == "ADVERSE"
    assert late_status("ADVERSE", "PASSED") == "ADVERSE"
    assert late_status("PASSED", "PASSED") == "PASSED"
    with pytest.raises(StateConflict):
        CHECK.step("ADVERSE", "late_answer", {SYSTEM}, "PASSED")
    with pytest.raises(Forbidden):
        CHECK.step("PASSED", "late_answer", {MANAGER}, "PASSED")
