"""Delivery on both run modes (SQLite + filesystem, PostgreSQL + RabbitMQ): the sender's state
machine against a real SMTP server (aiosmtpd) and a double of GOV.UK Notify's HTTP API, Notify's
delivery receipts through the web app, and quiet hours. The clock is the sender's own, so
retries need no sleeping."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from notifications.models import Notification
from notifications.service import definition
from shared.audit.log import audit_log_table
from shared.web.app import create_web_app
from tests.support.delivery_harness import (
    NOON,
    TOKEN,
    Delivery,
    SmtpServer,
    notify_env,
)
from tests.support.network import free_port
from tests.support.notify_double import NotifyDouble
from tests.support.platforms import platform_for


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpServer, int]]:
    handler, port = SmtpServer(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture
def notify() -> Iterator[NotifyDouble]:
    with NotifyDouble() as double:
        yield double


@pytest.fixture
def make(backend_env: dict[str, dict[str, str]]) -> Iterator[Any]:
    made: list[Delivery] = []

    def factory(**env: str) -> Delivery:
        made.append(Delivery({**backend_env["notifications"], **env}))
        return made[-1]

    yield factory
    for delivery in made:
        delivery.platform.engine.dispose()


def test_smtp_refusing_then_recovering_ends_sent_after_growing_delays(make, smtp):
    server, port = smtp
    server.refuse_data = 2
    d = make(SMTP_HOST="127.0.0.1", SMTP_PORT=str(port))
    notification_id = d.add()
    waits = []
    for _attempt in (1, 2):
        tried_at = d.clock.now()
        assert d.send_at(tried_at) == 1
        row = d.row(notification_id)
        assert row.status == "TEMPORARY_FAILURE" and "451" in (row.last_error or "")
        assert d.send_at(row.next_attempt_at - timedelta(seconds=1)) == 0  # not due yet
        waits.append(row.next_attempt_at - tried_at)
        d.clock.set(row.next_attempt_at)
    assert timedelta(seconds=30) <= waits[0] <= timedelta(seconds=33)
    assert timedelta(seconds=60) <= waits[1] <= timedelta(seconds=66)
    assert d.send_at(d.clock.now()) == 1
    row = d.row(notification_id)
    assert (row.status, row.attempts, row.provider, row.sent_at) == (
        "SENT",
        3,
        "smtp",
        d.clock.now(),
    )
    assert [m["X-Notification-ID"] for m in server.messages] == [notification_id]
    assert server.messages[0]["To"] == "jo@example.org"
    assert [e["notification_id"] for e in d.events("notification.sent")] == [notification_id]
    assert d.send_at(d.clock.now() + timedelta(days=1)) == 0 and len(server.messages) == 1
    assert d.events("notification.failed") == []


def test_recipient_refused_fails_at_once_with_one_failed_event(make, smtp):
    server, port = smtp
    server.unknown.add("gone@example.org")
    d = make(SMTP_HOST="127.0.0.1", SMTP_PORT=str(port))
    refused, fine = d.add(to="gone@example.org"), d.add(to="jo@example.org")
    assert d.send_at(NOON) == 2
    row = d.row(refused)
    assert (row.status, row.attempts, row.failed_at) == ("PERMANENT_FAILURE", 1, NOON)
    assert "550" in (row.last_error or "")
    assert d.row(fine).status == "SENT"  # the conversation went on after the refusal
    assert d.send_at(NOON + timedelta(days=2)) == 0
    failed = d.events("notification.failed")
    assert [e["notification_id"] for e in failed] == [refused]
    assert failed[0]["channel"] == "EMAIL" and failed[0]["failed_at"].startswith("2026-06-10")


def test_max_attempts_reached_is_a_permanent_failure(make):
    d = make(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(free_port()),  # nobody listening
        NOTIFICATIONS_MAX_ATTEMPTS="3",
        NOTIFICATIONS_RETRY_BASE_S="1",
    )
    notification_id = d.add()
    for _attempt in range(3):
        assert d.send_at(d.clock.now()) == 1
        d.clock.set(d.row(notification_id).next_attempt_at)
    row = d.row(notification_id)
    assert (row.status, row.attempts) == ("PERMANENT_FAILURE", 3)
    assert row.last_error.startswith("gave up after 3 attempts")
    assert d.send_at(d.clock.now() + timedelta(days=1)) == 0
    assert len(d.events("notification.failed")) == 1


def test_sms_through_notify_is_sent_with_our_text_and_notify_id(make, notify):
    d = make(**notify_env(notify))
    notification_id = d.add("SMS")
    assert d.send_at(NOON) == 1
    [request] = notify.sends()
    assert request.path == "/v2/notifications/sms"
    assert request.claims is not None and request.claims["iss"] == notify.service_id
    assert request.body["phone_number"] == "07700 900123"
    assert request.body["reference"] == notification_id
    assert request.body["template_id"] == notify.sms_template_id
    row = d.row(notification_id)
    assert request.response["content"]["body"] == row.body
    assert (row.status, row.provider, row.provider_reference) == (
        "SENT",
        "notify",
        request.response["id"],
    )
    assert d.events("notification.sent")[0]["channel"] == "SMS"


def test_email_through_notify_carries_subject_and_body(make, notify):
    d = make(**notify_env(notify, NOTIFICATIONS_EMAIL_CHANNEL="notify"))
    notification_id = d.add("EMAIL")
    assert d.send_at(NOON) == 1
    [request] = notify.sends()
    assert request.path == "/v2/notifications/email"
    assert request.response["content"]["subject"] == "Your application is being checked"
    assert d.row(notification_id).provider_reference == request.response["id"]


def test_notify_500_is_retried_and_400_is_permanent(make, notify):
    d = make(**notify_env(notify))
    retried = d.add("SMS")
    notify.fail_next(500)
    assert d.send_at(NOON) == 1
    row = d.row(retried)
    assert row.status == "TEMPORARY_FAILURE" and "Notify 500" in (row.last_error or "")
    assert d.send_at(row.next_attempt_at) == 1
    assert d.row(retried).status == "SENT"
    invalid = d.add("SMS", to="not a phone", due=d.clock.now())
    assert d.send_at(d.clock.now()) == 1
    row = d.row(invalid)
    assert row.status == "PERMANENT_FAILURE" and "Not a UK mobile" in (row.last_error or "")
    assert [e["notification_id"] for e in d.events("notification.failed")] == [invalid]
    assert len(notify.sends()) == 1


def test_a_key_notify_refuses_is_retried_not_failed(make, notify):
    # The double checks the client's JWT: signed with another secret, it is refused (403).
    wrong_key = f"ma-clearance-test-{notify.service_id}-{uuid.uuid4()}"
    d = make(**notify_env(notify, NOTIFICATIONS_NOTIFY_API_KEY=wrong_key))
    notification_id = d.add("SMS")
    assert d.send_at(NOON) == 1
    row = d.row(notification_id)
    assert row.status == "TEMPORARY_FAILURE" and "Notify 403" in (row.last_error or "")
    assert notify.sends() == [] and notify.received[0].claims is None


def receipt(row: Notification, status: str, **more: Any) -> dict[str, Any]:
    return {
        "id": row.provider_reference or str(uuid.uuid4()),
        "reference": row.id,
        "to": row.recipient,
        "status": status,
        "created_at": "2026-06-10T11:00:00.000000Z",
        "completed_at": "2026-06-10T11:00:05.000000Z",
        "sent_at": "2026-06-10T11:00:01.000000Z",
        "notification_type": "sms",
        **more,
    }


def test_notify_receipts_move_states_once_and_never_back(make, notify):
    d = make(**notify_env(notify, NOTIFICATIONS_NOTIFY_CALLBACK_TOKEN=TOKEN))
    client = create_web_app(definition(), d.platform).test_client()
    ids = {
        status: d.add("SMS")
        for status in ("delivered", "permanent-failure", "temporary-failure", "technical-failure")
    }
    assert d.send_at(NOON) == 4
    d.clock.advance(minutes=1)  # the receipts arrive after Notify concluded

    def post(body: dict[str, Any], token: str | None = TOKEN) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.post("/callbacks/notify", json=body, headers=headers)

    rows = {status: d.row(i) for status, i in ids.items()}
    assert post(receipt(rows["delivered"], "delivered"), token=None).status_code == 401
    assert post(receipt(rows["delivered"], "delivered"), token="wrong").status_code == 401
    for status, row in rows.items():
        for _repeat in (1, 2):  # Notify may send a receipt again: nothing changes
            assert post(receipt(row, status)).status_code == 204
    delivered = d.row(ids["delivered"])
    assert (delivered.status, delivered.delivered_at) == (
        "DELIVERED",
        datetime(2026, 6, 10, 11, 0, 5, tzinfo=UTC),
    )
    assert post(receipt(delivered, "permanent-failure")).status_code == 204
    assert d.row(ids["delivered"]).status == "DELIVERED"  # never goes back
    assert d.row(ids["permanent-failure"]).status == "PERMANENT_FAILURE"
    final = d.row(ids["temporary-failure"])
    assert final.status == "TEMPORARY_FAILURE" and final.failed_at is not None
    assert sorted(e["notification_id"] for e in d.events("notification.failed")) == sorted(
        [ids["permanent-failure"], ids["temporary-failure"]]
    )
    retry = d.row(ids["technical-failure"])
    assert retry.status == "TEMPORARY_FAILURE" and retry.failed_at is None
    assert d.send_at(retry.next_attempt_at) == 1  # only the technical failure is sent again
    resent = d.row(ids["technical-failure"])
    assert (
        resent.status == "SENT"
        and resent.provider_reference
        == notify.sends()[-1].response["id"]
        != retry.provider_reference
    )
    with d.platform.engine.connect() as connection:
        audited = (
            connection.execute(
                select(audit_log_table.c.detail).where(audit_log_table.c.actor == "notify")
            )
            .scalars()
            .all()
        )
    assert len(audited) == 9 and sum(entry["changed"] for entry in audited) == 4


def test_receipt_errors_unknown_ids_and_bad_bodies(make, notify):
    d = make(**notify_env(notify, NOTIFICATIONS_NOTIFY_CALLBACK_TOKEN=TOKEN))
    client = create_web_app(definition(), d.platform).test_client()
    headers = {"Authorization": f"Bearer {TOKEN}"}
    unknown = {"id": str(uuid.uuid4()), "reference": str(uuid.uuid4()), "status": "delivered"}
    response = client.post("/callbacks/notify", json=unknown, headers=headers)
    assert response.status_code == 404 and "errors" not in response.get_json()
    response = client.post("/callbacks/notify", json={"id": "x", "status": "lost"}, headers=headers)
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"id", "status"}
    # A receipt that outruns the sender's record of the send is matched by our reference.
    sending = d.add("SMS", status="SENDING")
    notify_id = str(uuid.uuid4())
    body = {"id": notify_id, "reference": sending, "status": "delivered"}
    assert client.post("/callbacks/notify", json=body, headers=headers).status_code == 204
    row = d.row(sending)
    assert (row.status, row.provider_reference) == ("DELIVERED", notify_id)


def test_callbacks_are_off_without_a_token(make):
    d = make()
    client = create_web_app(definition(), d.platform).test_client()
    body = {"id": str(uuid.uuid4()), "status": "delivered"}
    response = client.post("/callbacks/notify", json=body, headers={"Authorization": "Bearer x"})
    assert response.status_code == 404


def test_quiet_hours_hold_sms_until_morning_and_log_channel_writes_it(make, smtp):
    server, port = smtp
    d = make(SMTP_HOST="127.0.0.1", SMTP_PORT=str(port))
    evening = datetime(2026, 3, 28, 22, 30, tzinfo=UTC)  # 22:30 GMT; BST from 01:00 UTC
    sms, email = d.add("SMS", due=evening), d.add("EMAIL", due=evening)
    assert d.send_at(evening) == 1  # the email only
    assert d.row(email).status == "SENT" and len(server.messages) == 1
    held = d.row(sms)
    assert (held.status, held.attempts) == ("QUEUED", 0)
    assert held.next_attempt_at == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)  # 08:00 BST
    assert d.send_at(datetime(2026, 3, 29, 6, 59, tzinfo=UTC)) == 0
    assert d.send_at(held.next_attempt_at) == 1
    row = d.row(sms)
    assert (row.status, row.provider) == ("SENT", "log")
    [line] = (d.platform.settings.var_dir / "messages.jsonl").read_text().splitlines()
    logged = json.loads(line)
    assert {k: logged[k] for k in ("id", "channel", "to", "body")} == {
        "id": sms,
        "channel": "SMS",
        "to": "07700 900123",
        "body": row.body,
    }


def test_a_bad_delivery_configuration_stops_the_service(backend_env):
    env = {
        **backend_env["notifications"],
        "NOTIFICATIONS_SMS_CHANNEL": "notify",
        "NOTIFICATIONS_QUIET_HOURS": "late",
    }
    platform = platform_for("notifications", env)
    try:
        with pytest.raises(SystemExit) as stopped:
            definition().workers["send"](platform)
        message = str(stopped.value)
        assert "NOTIFICATIONS_NOTIFY_API_KEY" in message and "QUIET_HOURS" in message
        with pytest.raises(SystemExit):
            create_web_app(definition(), platform)
    finally:
        platform.engine.dispose()
