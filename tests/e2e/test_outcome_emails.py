"""Every outcome that concerns them reaches the volunteer and their coordinator, once, as real
processes on PostgreSQL + RabbitMQ: a prison refusing access, access put on hold and given back,
a clearance withdrawn, a clearance that runs out (vetting's daily sweep), an exclusion's review
date come (access's). Counted at the SMTP server:
one email each, whatever the broker redelivers; each says who is writing and how to reach
them. The stack is the scenario's own: the sweeps it runs, far ahead, touch everyone on it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from email.header import decode_header, make_header
from email.message import Message
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from devstack.stack import Stack
from tests.support import wait_for
from tests.support.backends import SqliteTemplates
from tests.support.clock import today
from tests.support.running_stacks import running_stack
from tests.support.smtp import Inbox
from tests.support.stack_client import confirm_email, get, organisation_key, post, staff_token
from tests.support.stack_world import admitted_at_wandsworth, cleared, person

CONTACT = "volunteering@ma-clearance.example.gov.uk"
WANDSWORTH, BIRMINGHAM = "Wandsworth (HMP & YOI)", "Birmingham (HMP)"


@pytest.fixture(scope="module")
def stack(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_templates: SqliteTemplates,
    postgres_admin_url: str,
    amqp_url: str,
) -> Iterator[tuple[Stack, Inbox]]:
    extra = {"notifications": {"NOTIFICATIONS_CONTACT_EMAIL": CONTACT}}
    with running_stack(request, "real", tmp_path_factory, sqlite_templates, extra) as running:
        yield running


def subject(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"] or "")))


def body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def emails(inbox: Inbox, address: str, about: str) -> list[Message]:
    return [m for m in inbox.to(address) if about in subject(m)]


def arrives(inbox: Inbox, address: str, about: str) -> Message:
    """The one email to `address` whose subject has `about`, once it has come."""
    found = wait_for(
        lambda: emails(inbox, address, about) or None, timeout=60, message=f"{about} to {address}"
    )
    return found[0]


def world(stack: Stack, tag: str) -> dict[str, Any]:
    return {
        "stack": stack,
        "a": organisation_key(stack, f"Intergroup {tag}", coordinator_email=f"c-{tag}@example.org"),
        "officer": staff_token(stack, "vetting", "vetting_officer", staff_id="ann"),
        "manager": staff_token(stack, "vetting", "vetting_manager", staff_id="cat"),
        "security": staff_token(stack, "access", "security_officer", "WWI"),
        "birmingham": staff_token(stack, "access", "security_officer", "BMI"),
        "head": staff_token(stack, "access", "head_of_security", "WWI", staff_id="hos"),
    }


def volunteer_cleared(stack: Stack, inbox: Inbox, tag: str) -> tuple[dict[str, Any], dict, str]:
    """A volunteer of an organisation of their own, cleared, their email confirmed."""
    w = world(stack, tag)
    volunteer = f"v-{tag}@example.org"
    body = person(f"Outcome-{tag}", passport=f"OE{tag}", email=volunteer)
    _app_id, clearance = cleared(w, "a", body)
    confirm_email(stack, inbox, volunteer)
    return w, clearance, volunteer


def test_refusal_reinstatement_revocation_and_expiry_each_reach_both_once(stack):
    stack_, inbox = stack
    first, second = uuid.uuid4().hex[:8], uuid.uuid4().hex[:8]
    w, clearance, volunteer = volunteer_cleared(stack_, inbox, first)
    coordinator = f"c-{first}@example.org"

    # Birmingham refuses; Wandsworth admits, puts the access on hold and gives it back.
    def request_at(code: str, token: str) -> dict[str, Any] | None:
        items = get(stack_, "access", f"/establishments/{code}/queue", token).json()["items"]
        return next((g for g in items if g["clearance"]["id"] == clearance["id"]), None)

    refused = wait_for(lambda: request_at("BMI", w["birmingham"]), message="BMI request")
    post(
        stack_,
        "access",
        f"/grants/{refused['id']}/refusal",
        w["birmingham"],
        {"reason": "Known associate of a prisoner on B wing."},
    )
    grant_id = admitted_at_wandsworth(w, clearance["person_id"], f"WWI-{first}")
    post(stack_, "access", f"/grants/{grant_id}/suspension", w["security"], {"reason": "Incident."})
    post(stack_, "access", f"/grants/{grant_id}/reinstatement", w["security"], {"reason": "Done."})
    # Vetting withdraws the clearance.
    post(
        stack_,
        "vetting",
        f"/clearances/{clearance['id']}/revocation",
        w["manager"],
        {"reason": "Conviction for conveying items into a prison."},
    )
    # A third volunteer is excluded from Wandsworth until a review date; the access sweep on
    # that date announces the review is due (run twice: announced once).
    third = uuid.uuid4().hex[:8]
    w3, clearance3, volunteer3 = volunteer_cleared(stack_, inbox, third)
    coordinator3 = f"c-{third}@example.org"
    excluded = admitted_at_wandsworth(w3, clearance3["person_id"], f"WWI-{third}")
    review_on = today() + timedelta(days=30)
    post(
        stack_,
        "access",
        f"/grants/{excluded}/exclusion",
        w3["head"],
        {"reason": "Passed a note to a prisoner.", "review_on": review_on.isoformat()},
    )
    on_the_day = datetime.combine(review_on, time(9), tzinfo=ZoneInfo("Europe/London"))
    for _ in range(2):
        swept = stack_.cli("access", "sweep", "--at", on_the_day.isoformat())
        assert swept.returncode == 0, swept.stderr
    # A second volunteer's clearance runs out: the daily sweep, the day after it ends.
    _w2, clearance2, volunteer2 = volunteer_cleared(stack_, inbox, second)
    coordinator2 = f"c-{second}@example.org"
    after = datetime.fromisoformat(clearance2["expires_at"]) + timedelta(minutes=1)
    swept = stack_.cli("vetting", "sweep", "--at", after.isoformat())
    # The second volunteer's and the third's (same expiry day); the first's was withdrawn.
    assert '"expired": 2' in swept.stdout, swept.stdout + swept.stderr

    expected = [
        (volunteer, f"Your access request for {BIRMINGHAM}", "decided not to give"),
        (coordinator, "Access request for", "decided not to give"),
        (volunteer, f"Your access to {WANDSWORTH} is back", "no longer on hold"),
        (coordinator, "Access back for", "no longer on hold"),
        (volunteer, "Your security clearance has ended", "withdrawn"),
        (coordinator, "Clearance withdrawn for", "withdrawn"),
        (volunteer2, "Your security clearance ended on", "until you have a new clearance"),
        (coordinator2, "ended on", "until they have a new clearance"),
        (volunteer3, f"The review of your exclusion from {WANDSWORTH} is due", "still cannot"),
        (coordinator3, "Exclusion review due for", "still cannot visit"),
    ]
    for address, about, phrase in expected:
        message = arrives(inbox, address, about)
        text = body(message)
        assert phrase in text and CONTACT in text, (address, about, text)
        assert "Mutual Aid Clearance" in text
    # The refusal is neutral: the prison's reason stays with it.
    refusal = body(arrives(inbox, volunteer, "Your access request for"))
    assert "B wing" not in refusal and "associate" not in refusal
    # Everything has arrived; now nothing may come twice (a redelivery would have by now, as
    # the later messages overtook it).
    for address, about, _phrase in expected:
        assert len(emails(inbox, address, about)) == 1, (address, about)
    # The suspension's email promised to say when access is back: it was said, once.
    assert len(emails(inbox, volunteer, f"Your access to {WANDSWORTH} is on hold")) == 1
