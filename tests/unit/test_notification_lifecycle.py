"""A notification's lifecycle table (notifications.domain.lifecycle): the moves the sender,
Notify's receipts, the volunteer's contacts, erasure and operators make, and no others."""

from __future__ import annotations

import pytest

from notifications.domain.lifecycle import NOTIFICATION, OPERATOR, SYSTEM, NotificationState
from shared.errors import Forbidden
from shared.lifecycle import StateConflict

S = NotificationState


@pytest.mark.parametrize("source", [S.QUEUED, S.TEMPORARY_FAILURE, S.SENDING])
def test_the_sender_claims_what_is_due_and_a_lease_run_out(source):
    assert NOTIFICATION.step(source, "claim", {SYSTEM}).target == S.SENDING


@pytest.mark.parametrize("source", [S.HELD, S.CANCELLED, S.DELIVERED, S.PERMANENT_FAILURE])
def test_the_sender_never_claims_a_held_or_finished_notification(source):
    with pytest.raises(StateConflict):
        NOTIFICATION.step(source, "claim", {SYSTEM})


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (S.SENDING, S.SENT),
        (S.SENT, S.DELIVERED),
        (S.TEMPORARY_FAILURE, S.DELIVERED),
        (S.SENT, S.PERMANENT_FAILURE),
        (S.SENDING, S.TEMPORARY_FAILURE),
        (S.HELD, S.QUEUED),
        (S.HELD, S.CANCELLED),
        (S.HELD, S.PERMANENT_FAILURE),
    ],
)
def test_the_moves_delivery_makes_are_in_the_table(source, target):
    NOTIFICATION.check_move(source, target)


@pytest.mark.parametrize(
    ("source", "target"),
    [(S.DELIVERED, S.PERMANENT_FAILURE), (S.CANCELLED, S.QUEUED), (S.QUEUED, S.SENT)],
)
def test_a_move_the_table_does_not_list_is_refused(source, target):
    with pytest.raises(StateConflict):
        NOTIFICATION.check_move(source, target)


def test_only_an_operator_resends_and_only_a_failed_notification():
    assert NOTIFICATION.step(S.PERMANENT_FAILURE, "resend", {OPERATOR}).target == S.QUEUED
    with pytest.raises(Forbidden):
        NOTIFICATION.step(S.PERMANENT_FAILURE, "resend", {SYSTEM})
    with pytest.raises(StateConflict):
        NOTIFICATION.step(S.CANCELLED, "resend", {OPERATOR})
