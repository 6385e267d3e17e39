"""Events carry the minimum each consumer needs: every personal field of every contract says
who reads it (shared/src/shared/events/readers.py), each reader subscribes to the event and its
code names the field, and no personal field is read by nobody — except those declared as no
longer sent, which the publisher indeed leaves out. A queue receives whole messages, so no
subscriber may receive a personal field it does not read."""

from __future__ import annotations

import ast
import functools
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from applications.models import Application
from applications.schemas.examples import sample_application
from applications.service_layer.outgoing import submitted_event
from shared.events.catalogue import build_registry
from shared.events.readers import (
    NOT_SENT,
    READERS,
    is_personal,
    readers_of,
    walk,
)
from shared.messaging.subscriptions import subscriptions
from shared.messaging.topology import RETIRED_SUBSCRIPTIONS, SERVICES

REPO = Path(__file__).resolve().parents[2]
PERSONAL = [
    (spec.type, path, name)
    for spec in build_registry()
    for path, name, field in walk(spec.schema())
    if is_personal(name, field)
]


@functools.cache
def names_in_code(service: str) -> frozenset[str]:
    """Every string literal and attribute name in the service's code (not its migrations):
    a field it reads is named there, as `data["reason"]` or `.get("reason")`."""
    found: set[str] = set()
    for path in (REPO / "services" / service / "src" / service).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
            elif isinstance(node, ast.Attribute):
                found.add(node.attr)
    return frozenset(found)


def test_there_are_personal_fields_to_check():
    assert len(PERSONAL) > 20


@pytest.mark.parametrize(
    ("event_type", "path", "name"), PERSONAL, ids=[f"{e}:{p}" for e, p, _ in PERSONAL]
)
def test_every_personal_field_is_read_by_the_services_declared(event_type, path, name):
    readers = readers_of(event_type, path)
    assert readers is not None, (
        f"{event_type} {path} is personal: declare who reads it in shared/events/readers.py"
    )
    subscribers = {
        s for s, types in ((s, subscriptions(s)) for s in SERVICES) if event_type in types
    }
    assert set(readers) <= subscribers, f"{event_type} {path}: {readers} do not all subscribe"
    for service in readers:
        assert name in names_in_code(service), (
            f"{service} is declared to read {event_type} {path}, but its code never names {name!r}"
        )
    assert readers or (event_type, path) in NOT_SENT, (
        f"{event_type} {path} is personal and nobody reads it: stop sending it"
    )


@pytest.mark.parametrize(
    ("event_type", "path", "name"), PERSONAL, ids=[f"{e}:{p}" for e, p, _ in PERSONAL]
)
def test_no_subscriber_receives_a_personal_field_it_does_not_read(event_type, path, name):
    if (event_type, path) in NOT_SENT:
        return
    subscribers = {
        s for s, types in ((s, subscriptions(s)) for s in SERVICES) if event_type in types
    }
    unread = subscribers - set(readers_of(event_type, path) or ())
    assert unread == set(), (
        f"{event_type} {path} reaches {sorted(unread)}, which do not read it: give them a "
        "smaller event of their own"
    )


def test_notifications_receives_neither_the_applicant_nor_the_conditions():
    """The acknowledgement and the clearance's news come in events of their own."""
    assert "application.submitted" not in subscriptions("notifications")
    assert "vetting.clearance_granted" not in subscriptions("notifications")
    assert {"application.received", "vetting.clearance_announced"} <= set(
        subscriptions("notifications")
    )


def test_the_organisation_receives_neither_the_reason_nor_who_the_person_is():
    """Why vetting asks, and the clearance's names and exclusions, stay off applications'
    inbox; the organisation's reason for a withdrawal stays off access's."""
    assert not {"vetting.info_requested", "vetting.clearance_granted"} & set(
        subscriptions("applications")
    )
    assert {"vetting.info_request_announced", "vetting.application_cleared"} <= set(
        subscriptions("applications")
    )
    assert "application.withdrawn" not in subscriptions("access")
    assert "application.withdrawal_announced" in subscriptions("access")


def test_a_retired_subscription_is_no_longer_a_subscription():
    for service, retired in RETIRED_SUBSCRIPTIONS.items():
        assert not set(retired) & subscriptions(service), service


def test_every_declaration_is_of_a_personal_field_that_exists():
    personal = {(event_type, path) for event_type, path, _ in PERSONAL}
    declared = {(event_type, path) for event_type, paths in READERS.items() for path in paths}
    assert declared - personal == set()
    assert NOT_SENT <= declared


def test_the_fields_declared_not_sent_are_not_sent():
    body = sample_application("vol@example.org")
    applicant = {
        **body["applicant"],
        "contact": {**body["applicant"]["contact"], "mobile": "07700900123"},
    }
    application = Application(
        id=str(uuid.uuid4()),
        applicant=applicant,
        role=body["role"],
        establishments=body["establishments"],
        requested_access=body["requested_access"],
        frequency=body["frequency"],
        submitted_at=datetime(2026, 12, 1, tzinfo=UTC),
        renewal_of=None,
    )
    data = build_registry().validate(
        "application.submitted", 1, submitted_event(application, str(uuid.uuid4()))
    )
    assert data["applicant"]["mobile"] is None and data["coordinator_email"] is None
    for event_type, path in NOT_SENT:
        assert event_type == "application.submitted"
        value = data
        for part in path.split("."):
            value = value[part]
        assert value is None, path
