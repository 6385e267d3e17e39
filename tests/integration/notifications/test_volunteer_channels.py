"""Messages meant for the volunteer, on both run modes: they go only to a channel the volunteer
confirmed, never to the coordinator's address; with none confirmed they are held (and go once
the volunteer confirms); an opt-out cancels what is queued, held or retrying on that channel;
the contacts come from application.contacts_recorded, the newest recorded_at winning; the
request to confirm goes to the address it names; a sensitive information request reaches the
volunteer alone."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from notifications.adapters.channels.log import LogChannel
from notifications.models import Notification
from notifications.workers.sender import Sender
from shared.audit.log import audit_log_table
from shared.consumer import RetryLater
from tests.support.clock import iso_now, now
from tests.support.notifications_harness import Notifications

COORDINATOR = "coordinator@example.org"


@pytest.fixture
def notes(backend_env):  # type: ignore[no-untyped-def]
    harness = Notifications(backend_env["notifications"], NOTIFICATIONS_QUIET_HOURS="")
    yield harness
    harness.platform.engine.dispose()


def send_all(notes: Notifications) -> list[str]:
    """Every due message handed to a log channel; the addresses they went to."""
    channel = LogChannel.under(notes.platform.settings.var_dir, notes.platform.clock)
    sender = Sender(notes.platform, channels={"EMAIL": channel, "SMS": channel})
    while sender.send_due():
        pass
    return [n.recipient for n in notes.rows() if n.status == "SENT"]


def volunteer_rows(notes: Notifications, application_id: str) -> list[Notification]:
    return [r for r in notes.rows(application_id) if r.recipient_kind == "volunteer"]


def actions(notes: Notifications) -> list[str]:
    with notes.platform.engine.connect() as connection:
        return [row.action for row in connection.execute(select(audit_log_table))]


def test_the_coordinators_address_never_gets_the_volunteers_messages(notes):
    # The organisation typed its own address as the volunteer's (and it was even confirmed).
    same = notes.submitted(email=COORDINATOR, mobile=None)
    texted = notes.submitted(email=COORDINATOR.upper(), mobile="07700900555")
    notes.case_opened(same)
    notes.case_opened(texted)
    sent = send_all(notes)
    mine = [r for r in notes.rows() if r.recipient.casefold() == COORDINATOR]
    assert {r.recipient_kind for r in mine} == {"coordinator"} and len(mine) == 2
    assert volunteer_rows(notes, same) == []
    assert {(r.channel, r.recipient) for r in volunteer_rows(notes, texted)} == {
        ("SMS", "07700900555")
    }
    assert sent.count(COORDINATOR) == 2
    assert "notification.not_sent_no_channel" in actions(notes)


def test_unconfirmed_channels_hold_the_volunteers_messages_until_confirmed(notes):
    application_id = notes.submitted(confirmed=())
    notes.case_opened(application_id)
    held = volunteer_rows(notes, application_id)
    assert {(r.status, r.channel, r.template) for r in held} == {
        ("HELD", "EMAIL", "application_received"),
        ("HELD", "EMAIL", "vetting_started"),
    }
    assert send_all(notes) == [COORDINATOR]  # the coordinator's own message only
    listed = notes.call(
        "GET",
        "/notifications",
        "operator",
        query_string={"status": "HELD", "application_id": application_id},
    )
    assert listed.status_code == 200 and len(listed.json) == 2
    # The volunteer confirms the email: what was held goes, to that address only.
    notes.contacts(application_id, confirmed=("EMAIL",))
    assert {r.status for r in volunteer_rows(notes, application_id)} == {"QUEUED"}
    assert sorted(send_all(notes)) == sorted([COORDINATOR, "zoe@example.org", "zoe@example.org"])


def test_a_confirmed_mobile_carries_what_an_unconfirmed_email_cannot(notes):
    application_id = notes.submitted(confirmed=("SMS",))
    [row] = volunteer_rows(notes, application_id)
    assert (row.channel, row.recipient, row.status) == ("SMS", "07700900123", "QUEUED")


def test_an_opt_out_cancels_queued_held_and_retrying_messages(notes):
    application_id = notes.submitted()
    notes.case_opened(application_id)
    notes.event(
        "vetting.clearance_refused",
        {"case_id": str(uuid.uuid4()), "application_id": application_id, "refused_at": iso_now()},
    )
    rows = volunteer_rows(notes, application_id)
    assert len(rows) == 3
    with notes.platform.session_factory.begin() as session:
        retrying = session.get(Notification, rows[0].id)
        retrying.status, retrying.attempts, retrying.last_error = "TEMPORARY_FAILURE", 2, "451"
        sent = session.get(Notification, rows[1].id)
        sent.status, sent.sent_at = "SENT", now()
    notes.contacts(application_id, opted_out=("EMAIL",))
    after = {r.id: r for r in volunteer_rows(notes, application_id)}
    assert after[rows[0].id].status == "CANCELLED" and after[rows[2].id].status == "CANCELLED"
    assert after[rows[0].id].last_error == "Cancelled: the volunteer opted out of EMAIL."
    assert after[rows[1].id].status == "SENT"  # already gone: nothing to cancel
    assert "notification.cancelled_opted_out" in actions(notes)
    # Only the one sent before the opt-out was ever sent to the volunteer.
    assert [r for r in send_all(notes) if r != COORDINATOR] == ["zoe@example.org"]
    # What comes next goes by the confirmed mobile instead.
    notes.event(
        "vetting.clearance_expiring",
        {
            "clearance_id": str(uuid.uuid4()),
            "application_id": application_id,
            "person_id": str(uuid.uuid4()),
            "expires_at": (now() + timedelta(days=30)).isoformat(),
            "days_before": 30,
        },
    )
    assert {
        r.channel
        for r in volunteer_rows(notes, application_id)
        if r.template == "clearance_expiring"
    } == {"SMS"}


def test_an_operators_opt_out_cancels_what_waits_too(notes):
    application_id = notes.submitted(confirmed=())
    assert {r.status for r in volunteer_rows(notes, application_id)} == {"HELD"}
    response = notes.call(
        "PUT", f"/recipients/{application_id}/opt-outs", "operator", json={"email_opt_out": True}
    )
    assert response.status_code == 200 and response.json["email_confirmed"] is False
    assert {r.status for r in volunteer_rows(notes, application_id)} == {"CANCELLED"}


def test_older_contacts_arriving_late_change_nothing(notes):
    application_id = notes.submitted(confirmed=("EMAIL",))
    notes.contacts(
        application_id, confirmed=(), opted_out=("EMAIL",), at=now() - timedelta(hours=1)
    )
    [row] = volunteer_rows(notes, application_id)
    assert row.status == "QUEUED"
    notes.case_opened(application_id)
    assert {r.status for r in volunteer_rows(notes, application_id)} == {"QUEUED"}


def test_news_before_the_contacts_waits_for_them(notes):
    with pytest.raises(RetryLater):
        notes.received(str(uuid.uuid4()))


@pytest.mark.parametrize("channel", ["EMAIL", "SMS"])
def test_the_request_to_confirm_goes_to_the_address_it_names_and_nowhere_else(notes, channel):
    application_id = str(uuid.uuid4())
    notes.contacts(application_id, confirmed=(), email="new@example.org", mobile="07700900999")
    notes.event(
        "application.contact_confirmation_requested",
        {
            "application_id": application_id,
            "channel": channel,
            "forenames": "Zoë",
            "email": "new@example.org" if channel == "EMAIL" else None,
            "mobile": "07700900999" if channel == "SMS" else None,
            "link": "http://127.0.0.1:8001/contacts/confirm/abc123",
            "code": "493027" if channel == "SMS" else None,
            "expires_at": (now() + timedelta(days=1)).isoformat(),
            "requested_at": iso_now(),
        },
    )
    [row] = notes.rows(application_id)
    assert (row.recipient_kind, row.channel, row.status) == ("volunteer", channel, "QUEUED")
    assert row.recipient == ("new@example.org" if channel == "EMAIL" else "07700900999")
    assert "http://127.0.0.1:8001/contacts/confirm/abc123" in row.body
    assert ("493027" in row.body) is (channel == "SMS")
    assert "D'Arcy" not in row.body or channel == "EMAIL"


def test_a_sensitive_information_request_reaches_the_volunteer_alone(notes):
    application_id = notes.submitted()
    for sensitive in (True, False):
        notes.event(
            "vetting.info_requested",
            {
                "case_id": str(uuid.uuid4()),
                "application_id": application_id,
                "request_id": str(uuid.uuid4()),
                "items": [{"question": "Q?", "field": None}],
                "reason": "The checks found an undeclared conviction.",
                "due_by": None,
                "requested_at": iso_now(),
                "sensitive": sensitive,
            },
        )
    asked = [r for r in notes.rows(application_id) if r.template == "information_requested"]
    assert sorted(r.recipient_kind for r in asked) == ["coordinator", "volunteer", "volunteer"]
    [told] = [r for r in asked if r.recipient_kind == "coordinator"]
    assert "undeclared" not in told.body


def test_the_volunteer_answers_a_sensitive_request_to_the_configured_vetting_team(backend_env):
    notes = Notifications(
        backend_env["notifications"],
        NOTIFICATIONS_QUIET_HOURS="",
        NOTIFICATIONS_VETTING_CONTACT_EMAIL="vetting@prisons.example",
        NOTIFICATIONS_VETTING_CONTACT_PHONE="0113 496 0777",
    )
    try:
        application_id = notes.submitted()
        notes.event(
            "vetting.info_requested",
            {
                "case_id": str(uuid.uuid4()),
                "application_id": application_id,
                "request_id": str(uuid.uuid4()),
                "items": [{"question": "Q?", "field": None}],
                "reason": "The checks found an undeclared conviction.",
                "due_by": "2027-01-04",
                "requested_at": iso_now(),
                "sensitive": True,
            },
        )
        [row] = [r for r in notes.rows(application_id) if r.template == "information_requested"]
        assert row.recipient_kind == "volunteer"
        for phrase in (
            "vetting@prisons.example",
            "0113 496 0777",
            "4 January 2027",
            application_id[:8].upper(),
        ):
            assert phrase in row.body, row.body
        assert "coordinator" not in row.body
    finally:
        notes.platform.engine.dispose()
