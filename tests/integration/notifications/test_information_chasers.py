"""vetting.information_chased reminds the coordinator by email and the volunteer by their
channels (never with the questions); a request to the volunteer alone reminds only them, to
reply to vetting directly. The same event twice queues once. On both run modes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.clock import iso_now, now
from tests.support.events import deliver
from tests.support.notifications_harness import Notifications


@pytest.fixture
def notes(backend_env):
    harness = Notifications(backend_env["notifications"], NOTIFICATIONS_QUIET_HOURS="")
    yield harness
    harness.platform.engine.dispose()


def chased(application_id: str, *, sensitive: bool) -> dict:
    return {
        "case_id": "7a7d3c57-5b0c-4a2a-9d0e-7d3a4f1c2b10",
        "application_id": application_id,
        "request_id": "req-1",
        "due_by": (now() - timedelta(days=1)).date().isoformat(),
        "requested_at": (now() - timedelta(days=15)).isoformat(),
        "chased_at": iso_now(),
        "sensitive": sensitive,
        "lapses_on": (now() + timedelta(days=10)).date().isoformat(),
    }


def test_a_chaser_reminds_the_coordinator_and_the_volunteer_once(notes):
    application_id = notes.submitted()
    event = notes.event("vetting.information_chased", chased(application_id, sensitive=False))
    deliver(notes.platform, "notifications", event)  # the same event again
    rows = [r for r in notes.rows(application_id) if r.template == "information_chased"]
    assert sorted((r.recipient_kind, r.channel, r.recipient) for r in rows) == [
        ("coordinator", "EMAIL", "coordinator@example.org"),
        ("volunteer", "EMAIL", "zoe@example.org"),  # the channel they chose
    ]
    [coordinator] = [r for r in rows if r.recipient_kind == "coordinator"]
    assert "Zoë D'Arcy" in coordinator.subject
    assert "through the applications service" in coordinator.body


def test_a_sensitive_requests_chaser_reminds_the_volunteer_alone(notes):
    application_id = notes.submitted()
    notes.event("vetting.information_chased", chased(application_id, sensitive=True))
    rows = [r for r in notes.rows(application_id) if r.template == "information_chased"]
    assert [(r.recipient_kind, r.channel) for r in rows] == [("volunteer", "EMAIL")]
    assert "reply to the vetting team directly" in rows[0].body
    texted = notes.submitted(channel="SMS")
    notes.event("vetting.information_chased", chased(texted, sensitive=True))
    rows = [r for r in notes.rows(texted) if r.template == "information_chased"]
    assert [(r.recipient_kind, r.channel) for r in rows] == [("volunteer", "SMS")]
    assert "still waiting" in rows[0].body and "Where did you live" not in rows[0].body
