"""The application's lifecycle table read as a whole: news is never refused, nothing is
ambiguous, every state but the final ones has a way out, and what it emits is in the
catalogue."""

from __future__ import annotations

import pytest

from applications.domain.lifecycle import (
    APPLICATION,
    COORDINATOR,
    FINAL,
    STATES,
    SYSTEM,
    ApplicationStateConflict,
    step,
)
from shared.events.catalogue import build_registry
from shared.lifecycle import StateConflict

EVENT_ACTIONS = (
    "case_opened",
    "info_requested",
    "sensitive_info_requested",
    "cleared",
    "refused",
    "clearance_changed",
    "history",
)
TABLE = APPLICATION.transitions


@pytest.mark.parametrize("action", EVENT_ACTIONS)
def test_news_from_another_service_has_exactly_one_row_in_every_state(action):
    for state in STATES:
        rows = [r for r in TABLE if r.action == action and r.source == state and SYSTEM in r.roles]
        assert len(rows) == 1, (action, state, rows)


def test_no_two_rows_answer_the_same_state_action_and_role():
    seen = set()
    for row in TABLE:
        for role in row.roles:
            assert (row.source, row.action, role) not in seen, (row.source, row.action, role)
            seen.add((row.source, row.action, role))


def test_every_state_but_the_final_ones_has_a_way_out_and_the_final_ones_none():
    for state in STATES:
        exits = {r.target for r in APPLICATION.exits(state)}
        if state in FINAL:
            assert exits <= set(FINAL), state  # a crossed withdrawal becomes an ended one
        else:
            assert exits, f"{state} has no way out"


def test_the_organisation_always_has_something_to_do_or_someone_else_does():
    """No deadlock: in every state before the end, the organisation can act or vetting's news
    moves it."""
    for state in set(STATES) - set(FINAL):
        ours = [
            r
            for r in APPLICATION.from_state(state)
            if COORDINATOR in r.roles and r.action != "edit"
        ]
        theirs = [r for r in APPLICATION.exits(state) if SYSTEM in r.roles]
        assert ours or theirs, state


def test_what_the_table_emits_is_in_the_catalogue():
    for row in TABLE:
        for event_type in row.events:
            assert build_registry().latest(event_type), event_type


def test_an_action_not_in_the_table_is_refused_naming_the_state():
    with pytest.raises(ApplicationStateConflict) as refused:
        step("SPONSORSHIP_ENDED", "withdraw", COORDINATOR)
    assert refused.value.state == "SPONSORSHIP_ENDED"
    assert "sponsorship ended" in str(refused.value)
    assert isinstance(refused.value, StateConflict)  # the shared web layer's 409
    with pytest.raises(ApplicationStateConflict):
        step("CLEARED", "cleared", COORDINATOR)  # news is the system's, not theirs
