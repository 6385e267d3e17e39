"""Which events become which notifications, to whom, by which channel, on both run modes;
opt-outs; the operator API; and a duplicated event on a real broker sending once."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from notifications.domain.messages import MESSAGES
from notifications.models import Notification
from notifications.service_layer.erasure import EVENT_TYPES as ERASURE_EVENTS
from notifications.workers.sender import Sender
from shared.audit.log import audit_log_table
from shared.messaging.subscriptions import subscriptions
from tests.support import wait_for
from tests.support.clock import iso_now, now
from tests.support.delivery_harness import SmtpServer
from tests.support.events import deliver, envelope
from tests.support.network import free_port
from tests.support.notifications_harness import Notifications
from tests.support.platforms import ConsumerThread, publish_raw, service_handlers


@pytest.fixture
def notes(backend_env):
    harness = Notifications(backend_env["notifications"], NOTIFICATIONS_QUIET_HOURS="")
    yield harness
    harness.platform.engine.dispose()


def approved(application_id: str) -> dict:
    return {
        "grant_id": str(uuid.uuid4()),
        "application_id": application_id,
        "person_id": str(uuid.uuid4()),
        "establishment_code": "WWI",
        "access_type": "ESCORTED",
        "valid_until": (now() + timedelta(days=300)).isoformat(),
        "decided_at": iso_now(),
    }


def test_it_listens_to_exactly_the_events_it_has_messages_or_erasure_handlers_for():
    assert not set(MESSAGES) & set(ERASURE_EVENTS)
    assert set(subscriptions("notifications")) == set(MESSAGES) | set(ERASURE_EVENTS) | {
        "application.contacts_recorded"
    }


def test_submission_tells_the_volunteer_and_the_coordinator(notes):
    application_id = notes.submitted()
    rows = notes.rows(application_id)
    assert sorted((r.recipient_kind, r.channel, r.recipient) for r in rows) == [
        ("coordinator", "EMAIL", "coordinator@example.org"),
        ("volunteer", "EMAIL", "zoe@example.org"),
    ]
    assert {r.template for r in rows} == {"application_received"}
    volunteer = next(r for r in rows if r.recipient_kind == "volunteer")
    assert "Zoë" in volunteer.body and volunteer.subject and volunteer.status == "QUEUED"


def test_sms_preference_is_followed_and_opting_out_falls_back_to_email(notes):
    application_id = notes.submitted(channel="SMS")
    [sms] = [r for r in notes.rows(application_id) if r.recipient_kind == "volunteer"]
    assert sms.channel == "SMS" and sms.recipient == "07700900123"
    response = notes.call(
        "PUT", f"/recipients/{application_id}/opt-outs", "operator", json={"sms_opt_out": True}
    )
    assert response.status_code == 200 and response.json["sms_opt_out"] is True
    notes.event("access.approved", approved(application_id))
    latest = [r for r in notes.rows(application_id) if r.template == "access_approved"]
    assert {(r.recipient_kind, r.channel) for r in latest} == {
        ("volunteer", "EMAIL"),
        ("coordinator", "EMAIL"),
    }


def test_opted_out_of_everything_means_nothing_is_sent_and_that_is_recorded(notes):
    application_id = notes.submitted(mobile=None, coordinator=None)
    notes.call(
        "PUT",
        f"/recipients/{application_id}/opt-outs",
        "operator",
        json={"email_opt_out": True, "sms_opt_out": True},
    )
    notes.event("access.approved", approved(application_id))
    assert [r.template for r in notes.rows(application_id)] == ["application_received"]
    with notes.platform.engine.connect() as connection:
        actions = [row.action for row in connection.execute(select(audit_log_table))]
    assert "notification.not_sent_opted_out" in actions


def test_a_new_access_request_goes_to_the_establishments_security_inbox(notes):
    application_id = notes.submitted()
    notes.event(
        "access.request_opened",
        {
            "grant_id": str(uuid.uuid4()),
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
    assert inbox.recipient_kind == "security_inbox" and inbox.channel == "EMAIL"
    assert inbox.recipient == "security-wwi@establishments.example"
    assert "/console" in inbox.body


def test_news_before_the_contact_details_waits_for_them(notes):
    from shared.handlers import RetryLater

    with pytest.raises(RetryLater):
        notes.event("access.approved", approved(str(uuid.uuid4())))


def test_the_same_event_twice_queues_once(notes):
    application_id = notes.submitted()
    envelope = notes.event("access.approved", approved(application_id))
    deliver(notes.platform, "notifications", envelope)
    assert len([r for r in notes.rows(application_id) if r.template == "access_approved"]) == 2


def test_operators_list_by_application_recipient_and_state_and_resend_failures(notes):
    application_id = notes.submitted()
    listed = notes.call(
        "GET", "/notifications", "operator", query_string={"application_id": application_id}
    ).json
    assert len(listed) == 2
    mine = notes.call(
        "GET",
        "/notifications",
        "operator",
        query_string={"recipient": "coordinator@example.org", "status": "QUEUED"},
    ).json
    assert {n["recipient_kind"] for n in mine} == {"coordinator"}
    target = listed[0]["id"]
    assert notes.call("POST", f"/notifications/{target}/resend", "operator").status_code == 409
    with notes.platform.session_factory() as session:
        row = session.get(Notification, target)
        row.status, row.attempts = "PERMANENT_FAILURE", 8
        session.commit()
    resent = notes.call("POST", f"/notifications/{target}/resend", "operator")
    assert resent.status_code == 200 and resent.json["status"] == "QUEUED"
    assert resent.json["attempts"] == 0


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/notifications"),
        ("POST", "/notifications/00000000-0000-4000-8000-000000000000/resend"),
        ("PUT", "/recipients/00000000-0000-4000-8000-000000000000/opt-outs"),
    ],
)
def test_only_operators_may_read_or_act(notes, method, path):
    body = {"sms_opt_out": True} if method == "PUT" else None
    assert notes.call(method, path, None, json=body).status_code == 401
    assert notes.call(method, path, "officer", json=body).status_code == 403
    allowed = notes.call(method, path, "operator", json=body)
    assert allowed.status_code == (200 if method == "GET" else 404)


def test_bad_input_is_a_422_with_the_field(notes):
    bad = notes.call("PUT", f"/recipients/{uuid.uuid4()}/opt-outs", "operator", json={})
    assert bad.status_code == 422 and "email_opt_out" in bad.json["errors"]
    bad = notes.call("GET", "/notifications", "operator", query_string={"status": "LOST"})
    assert bad.status_code == 422 and "status" in bad.json["errors"]


def test_a_duplicated_event_on_a_real_broker_is_sent_once(real_env):
    """Published twice to RabbitMQ (as a relay replaying its outbox would): one notification
    per recipient, and the SMTP server receives one email each."""
    server, port = SmtpServer(), free_port()
    controller = Controller(server, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        harness = Notifications(
            real_env["notifications"],
            NOTIFICATIONS_QUIET_HOURS="",
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=str(port),
        )
        platform = harness.platform
        application_id = harness.submitted()
        event = envelope(
            platform.registry, "access.approved", approved(application_id), correlation_id="dup"
        )
        with ConsumerThread(platform, service_handlers("notifications", platform)) as consumer:
            publish_raw(platform, [event, event], event_type="access.approved")
            wait_for(
                lambda: consumer.dispatcher.stats["duplicates"] >= 1, message="both deliveries"
            )
        sender = Sender(platform)
        while sender.send_due():
            pass
        approvals = [m for m in server.messages if "approved" in (m["Subject"] or "").lower()]
        assert sorted(m["To"] for m in approvals) == ["coordinator@example.org", "zoe@example.org"]
        rows = [r for r in harness.rows(application_id) if r.template == "access_approved"]
        assert {r.status for r in rows} == {"SENT"} and len(rows) == 2
        platform.engine.dispose()
    finally:
        controller.stop()
