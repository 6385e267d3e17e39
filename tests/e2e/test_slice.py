"""One application travels through all four services, as real processes, on the embedded mode
that `make run` starts (the journeys, faults and sentinels run on PostgreSQL + RabbitMQ). The
stack is the mode's shared one: the scenario's organisation and volunteer are its own."""

from __future__ import annotations

import uuid

from tests.support import wait_for
from tests.support.stack_client import (
    confirm_email,
    get,
    organisation_key,
    staff_token,
    submit,
)
from tests.support.stack_world import person, stack_modes

stack_mode = stack_modes("embedded")


def about(emails: list, invitation: bool) -> list:
    """The portal invitations among `emails` (or the others)."""
    return [e for e in emails if ("invited" in e["Subject"]) is invitation]


def test_submitted_application_reaches_every_service_and_the_applicant_by_email(module_stack):
    stack, inbox = module_stack
    tag = uuid.uuid4().hex[:8]
    volunteer, coordinator_email = f"siobhan-{tag}@example.org", f"c-{tag}@example.org"
    key = organisation_key(stack, coordinator_email=coordinator_email)
    body = person(f"O'Connor-{tag}", passport=f"SL{tag}", email=volunteer)
    created = submit(stack, key, body)
    assert created.status_code == 200, created.text
    application_id = created.json()["id"]

    # Nothing meant for the volunteer goes to an address they have not confirmed: first the
    # link to confirm it, then, once they have, what was held for them.
    confirm_email(stack, inbox, volunteer)
    emails = wait_for(
        lambda: (lambda found: found if len(found) == 3 else None)(inbox.to(volunteer)),
        message="the volunteer's three emails",
    )
    assert {email["Subject"] for email in emails} == {
        "Confirm your email address",
        "We have received your application to volunteer",
        "Your application is being checked",
    }
    for email in emails:
        assert "Siobhán" in email.get_payload(decode=True).decode()
    # The coordinator's address is also the organisation's first admin, invited to the portal.
    [invitation] = wait_for(lambda: about(inbox.to(coordinator_email), True), message="invited")
    assert "/portal" in invitation.get_payload(decode=True).decode()
    [coordinator] = wait_for(
        lambda: about(inbox.to(coordinator_email), False), message="the coordinator's"
    )
    assert "Siobhán O'Connor" in coordinator.get_payload(decode=True).decode()

    officer = staff_token(stack, "vetting", "vetting_officer")
    [case] = get(stack, "vetting", f"/cases?application_id={application_id}", officer).json()[
        "items"
    ]
    assert case["status"] in ("OPEN", "AWAITING_DECISION")  # the checks run meanwhile
    assert case["establishments"] == ["WWI", "BMI"]

    security = staff_token(stack, "access", "security_officer", "WWI")
    incoming = get(stack, "access", "/establishments/WWI/incoming", security).json()
    assert [row["case_id"] for row in incoming].count(case["id"]) == 1
    # The same officer has no scope at BMI: it does not exist for them.
    assert get(stack, "access", "/establishments/BMI/incoming", security).status_code == 404

    operator = staff_token(stack, "notifications", "operator")
    notes = wait_for(
        lambda: (lambda sent: sent if len(sent) == 5 else None)(
            [
                n
                for n in get(
                    stack,
                    "notifications",
                    f"/notifications?application_id={application_id}",
                    operator,
                ).json()
                if n["status"] == "SENT"
            ]
        ),
        message="five SENT notifications",
    )
    assert sorted((n["template"], n["recipient_kind"], n["channel"]) for n in notes) == [
        ("application_received", "coordinator", "EMAIL"),
        ("application_received", "volunteer", "EMAIL"),
        ("contact_confirmation", "volunteer", "EMAIL"),
        ("contact_confirmation", "volunteer", "SMS"),
        ("vetting_started", "volunteer", "EMAIL"),
    ]

    def timeline_complete():
        view = get(stack, "applications", f"/applications/{application_id}", key).json()
        kinds = [entry["kind"] for entry in view["timeline"]]
        return view if kinds.count("notification_sent") == 5 else None

    view = wait_for(timeline_complete, message="timeline")
    assert view["status"] == "IN_VETTING"
    kinds = [e["kind"] for e in view["timeline"]]
    assert kinds[:2] == ["draft_created", "submitted"] and "checks_started" in kinds
    # Exactly one email per message, however long we wait for stragglers.
    assert len(inbox.to(volunteer)) == 3 and len(inbox.to(coordinator_email)) == 2

    # The real processes refuse missing, wrong and insufficient tokens (one stack serves both
    # checks: starting one is most of an end-to-end test's time).
    assert get(stack, "vetting", "/cases", "").status_code == 401
    assert get(stack, "vetting", "/cases", officer + "x").status_code == 401
    refused = get(
        stack, "vetting", "/cases", staff_token(stack, "vetting", "security_officer", "WWI")
    )
    assert refused.status_code == 403 and refused.json() == {
        "status": 403,
        "message": "You do not have permission to do this.",
    }
    assert (
        get(
            stack,
            "notifications",
            "/notifications",
            staff_token(stack, "notifications", "vetting_officer"),
        ).status_code
        == 403
    )
    # A token for one service is refused by another, whatever its roles.
    assert get(stack, "vetting", "/cases", security).status_code == 401
    assert get(stack, "notifications", "/notifications", officer).status_code == 401
