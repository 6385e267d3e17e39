"""The outcomes nobody was told of: access refused or back at a prison, a clearance on hold,
back, withdrawn or ended, an exclusion's review due. Each reaches the volunteer and the
coordinator once, even delivered twice by RabbitMQ; a refusal never gives a reason; the
active access repeats its terms; the security inbox is sent to the request itself."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from email.header import decode_header, make_header
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from notifications.workers.sender import Sender
from tests.support import wait_for
from tests.support.clock import iso_now, now
from tests.support.delivery_harness import SmtpServer
from tests.support.events import envelope
from tests.support.network import free_port
from tests.support.notifications_harness import Notifications
from tests.support.platforms import ConsumerThread, publish_raw, service_handlers

VOLUNTEER, COORDINATOR = "zoe@example.org", "coordinator@example.org"
CONTACT = "volunteering@justice.example.gov.uk"


def _grant_change(status: str, **extra: Any) -> Callable[[str], dict[str, Any]]:
    def data(application_id: str) -> dict[str, Any]:
        return {
            "grant_id": str(uuid.uuid4()),
            "application_id": application_id,
            "person_id": str(uuid.uuid4()),
            "establishment_code": "WWI",
            "status": status,
            "by": "ESTABLISHMENT",
            "at": iso_now(),
            **extra,
        }

    return data


def _clearance_change(**extra: Any) -> Callable[[str], dict[str, Any]]:
    def data(application_id: str) -> dict[str, Any]:
        return {
            "clearance_id": str(uuid.uuid4()),
            "application_id": application_id,
            "person_id": str(uuid.uuid4()),
            **extra,
        }

    return data


def _refused(application_id: str) -> dict[str, Any]:
    return {
        "grant_id": str(uuid.uuid4()),
        "application_id": application_id,
        "person_id": str(uuid.uuid4()),
        "establishment_code": "WWI",
        "access_type": None,
        "valid_until": None,
        "decided_at": iso_now(),
    }


def _suspension_announced(application_id: str) -> dict[str, Any]:
    return {
        "clearance_id": str(uuid.uuid4()),
        "application_id": application_id,
        "suspended_at": iso_now(),
    }


# event type -> (its data for an application, its template, a phrase its emails carry)
NEWS: dict[str, tuple[Callable[[str], dict[str, Any]], str, str]] = {
    "access.refused": (_refused, "access_refused", "decided not to give"),
    "access.reinstated": (_grant_change("ACTIVE"), "access_reinstated", "no longer on hold"),
    "access.exclusion_review_due": (
        _grant_change("EXCLUDED", review_on=now().date().isoformat()),
        "exclusion_review_due",
        "will now review it",
    ),
    "vetting.clearance_suspension_announced": (
        _suspension_announced,
        "clearance_suspended",
        "must not visit any prison",
    ),
    "vetting.clearance_reinstated": (
        _clearance_change(reinstated_at=iso_now(), suspension_id=str(uuid.uuid4())),
        "clearance_reinstated",
        "no longer on hold",
    ),
    "vetting.clearance_revoked": (
        _clearance_change(revoked_at=iso_now()),
        "clearance_revoked",
        "withdrawn",
    ),
    "vetting.clearance_expired": (
        _clearance_change(expired_at=iso_now()),
        "clearance_expired",
        "ended on",
    ),
}


def _subject(message: Any) -> str:
    return str(make_header(decode_header(message["Subject"] or "")))


@pytest.fixture
def smtp():
    server, port = SmtpServer(), free_port()
    controller = Controller(server, hostname="127.0.0.1", port=port)
    controller.start()
    yield server, port
    controller.stop()


@pytest.mark.parametrize("event_type", sorted(NEWS))
def test_each_outcome_reaches_the_volunteer_and_coordinator_once_on_a_real_broker(
    real_env, smtp, event_type
):
    """Published twice to RabbitMQ (a relay replaying its outbox): the inbox runs the handler
    once, and the SMTP server receives one email each."""
    server, port = smtp
    harness = Notifications(
        real_env["notifications"],
        NOTIFICATIONS_QUIET_HOURS="",
        NOTIFICATIONS_CONTACT_EMAIL=CONTACT,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(port),
    )
    platform = harness.platform
    try:
        application_id = harness.submitted()
        build, template, phrase = NEWS[event_type]
        event = envelope(platform.registry, event_type, build(application_id))
        with ConsumerThread(platform, service_handlers("notifications", platform)) as consumer:
            publish_raw(platform, [event, event], event_type=event_type)
            wait_for(
                lambda: consumer.dispatcher.stats["duplicates"] >= 1, message="both deliveries"
            )
        sender = Sender(platform)
        while sender.send_due():
            pass
        rows = [r for r in harness.rows(application_id) if r.template == template]
        assert sorted((r.recipient_kind, r.channel, r.status) for r in rows) == [
            ("coordinator", "EMAIL", "SENT"),
            ("volunteer", "EMAIL", "SENT"),
        ]
        subjects = {r.subject for r in rows}
        sent = [m for m in server.messages if _subject(m) in subjects]
        assert sorted(m["To"] for m in sent) == [COORDINATOR, VOLUNTEER]
        for row in rows:
            assert phrase in row.body and CONTACT in row.body, row.body
            assert "Mutual Aid Clearance" in row.body
    finally:
        platform.engine.dispose()


@pytest.fixture
def notes(backend_env):
    harness = Notifications(backend_env["notifications"], NOTIFICATIONS_QUIET_HOURS="")
    yield harness
    harness.platform.engine.dispose()


def test_a_refusal_is_neutral_and_reaches_no_one_else(notes):
    application_id = notes.submitted(channel="SMS")
    notes.event("access.refused", _refused(application_id))
    rows = [r for r in notes.rows(application_id) if r.template == "access_refused"]
    assert sorted((r.recipient_kind, r.channel) for r in rows) == [
        ("coordinator", "EMAIL"),
        ("volunteer", "SMS"),
    ]
    [sms] = [r for r in rows if r.channel == "SMS"]
    assert "Wandsworth" not in sms.body and "refus" not in sms.body.lower()
    [email] = [r for r in rows if r.channel == "EMAIL"]
    assert "reason" not in email.body.lower() and "Wandsworth" in email.body


def test_the_active_access_email_repeats_the_terms(notes):
    application_id = notes.submitted()
    notes.event(
        "access.activated",
        _grant_change(
            "ACTIVE",
            access_type="ESCORTED",
            valid_until=(now() + timedelta(days=300)).isoformat(),
            permitted_days=["SAT", "TUE"],
            permitted_areas=["Chapel", "Education block"],
        )(application_id),
    )
    [active] = [r for r in notes.rows(application_id) if r.template == "access_active"]
    for phrase in (
        "Access: escorted",
        "Days: Tuesday and Saturday",
        "Areas: Chapel, Education block",
    ):
        assert phrase in active.body, active.body


def test_the_security_inbox_is_sent_to_the_request_not_the_console_home(notes):
    application_id = notes.submitted()
    grant_id = str(uuid.uuid4())
    notes.event(
        "access.request_opened",
        {
            "grant_id": grant_id,
            "application_id": application_id,
            "person_id": str(uuid.uuid4()),
            "establishment_code": "WWI",
            "clearance_id": str(uuid.uuid4()),
            "level": "ENHANCED",
            "max_access": "ESCORTED",
            "clearance_expires_at": (now() + timedelta(days=300)).isoformat(),
            "renewal": False,
            "opened_at": iso_now(),
        },
    )
    [inbox] = [r for r in notes.rows(application_id) if r.template == "access_request_waiting"]
    assert f"http://127.0.0.1:8003/console/grants/{grant_id}" in inbox.body.splitlines()
