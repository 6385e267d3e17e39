"""An invitation to an organisation's coordinators' portal (organisation.member_invited), on
both run modes: one email to the address the event names, with the organisation's name, the
role and the portal's sign-in address, about no application; sent like any other email."""

from __future__ import annotations

import uuid

import pytest

from notifications.adapters.channels.log import LogChannel
from notifications.workers.sender import Sender
from tests.support.clock import iso_now
from tests.support.events import hand
from tests.support.notifications_harness import Notifications


@pytest.fixture
def notes(backend_env):
    harness = Notifications(backend_env["notifications"], NOTIFICATIONS_QUIET_HOURS="")
    yield harness
    harness.platform.engine.dispose()


def invited(notes: Notifications, email: str, role: str) -> None:
    organisation_id = str(uuid.uuid4())
    hand(
        notes.platform,
        "notifications",
        "organisation.member_invited",
        {
            "member_id": str(uuid.uuid4()),
            "organisation_id": organisation_id,
            "organisation_name": "Recovery Friends",
            "email": email,
            "role": role,
            "sign_in_url": "http://127.0.0.1:8001/portal",
            "invited_at": iso_now(),
        },
        subject=organisation_id,
    )


def test_the_invitee_is_emailed_the_portals_address(notes):
    invited(notes, "new.coordinator@example.org", "coordinator")
    invited(notes, "new.admin@example.org", "organisation_admin")
    rows = notes.rows()
    assert {(r.recipient, r.channel, r.recipient_kind, r.application_id) for r in rows} == {
        ("new.coordinator@example.org", "EMAIL", "coordinator", None),
        ("new.admin@example.org", "EMAIL", "coordinator", None),
    }
    by_address = {r.recipient: r for r in rows}
    coordinator = by_address["new.coordinator@example.org"]
    assert coordinator.template == "member_invited" and coordinator.status == "QUEUED"
    assert "Recovery Friends" in coordinator.subject
    assert "http://127.0.0.1:8001/portal" in coordinator.body
    assert "as a coordinator" in coordinator.body
    assert "as an admin" in by_address["new.admin@example.org"].body
    channel = LogChannel.under(notes.platform.settings.var_dir, notes.platform.clock)
    sender = Sender(notes.platform, channels={"EMAIL": channel, "SMS": channel})
    while sender.send_due():
        pass
    assert {r.status for r in notes.rows()} == {"SENT"}
