"""A queue receives whole messages: notifications' inbox is bound to the small events made for it
(application.received, vetting.clearance_announced), never to application.submitted (the
applicant document) or vetting.clearance_granted (the conditions); an inbox a broker kept from
before, still bound to them, is unbound when the topology is declared. On both run modes."""

from __future__ import annotations

from typing import Any

from kombu import Connection
from sqlalchemy import select

from notifications.models import Notification
from shared.messaging.topology import RETIRED_SUBSCRIPTIONS
from shared.outbox import OutboxRelay
from shared.platform import Platform
from tests.support import wait_for
from tests.support.applications_api import GOOD, organisations_api
from tests.support.platforms import (
    ConsumerThread,
    platform_for,
    publish_raw,
    service_handlers,
    submitted_envelope,
)


def submit_and_relay(env: dict[str, str]) -> str:
    """Submit an application through the applications API and publish what it emitted."""
    client, applications = organisations_api(env)
    draft = client.draft(GOOD)
    assert client.call("POST", f"/applications/{draft['id']}/submit").status_code == 200
    with applications.connection() as connection:
        applications.topology.declare_all(connection)
        relay = OutboxRelay(applications.engine, clock=applications.clock,
                            publisher=applications.publisher(connection))
        while relay.publish_once():
            pass
    applications.engine.dispose()
    return draft["id"]


def drain(platform: Platform, service: str) -> list[dict[str, Any]]:
    """Every message waiting in a service's inbox, taken off it."""
    with platform.connection() as connection:
        queue = platform.topology.inbox_queue(service)(connection.default_channel)
        found = []
        while (message := queue.get(no_ack=True)) is not None:
            found.append(message.payload)
        return found


def types(messages: list[dict[str, Any]]) -> set[str]:
    return {message["type"] for message in messages}


def test_a_submission_reaches_notifications_as_the_acknowledgement_alone(backend_env):
    application_id = submit_and_relay(backend_env["applications"])
    notes = platform_for("notifications", backend_env["notifications"])
    received = drain(notes, "notifications")
    assert types(received) == {"application.received", "application.contacts_recorded",
                               "application.contact_confirmation_requested"}
    [ack] = [m for m in received if m["type"] == "application.received"]
    assert set(ack["data"]) == {"application_id", "establishments", "submitted_at"}
    assert ack["data"]["application_id"] == application_id
    # Vetting has the applicant document, and only vetting.
    assert "application.submitted" in types(drain(notes, "vetting"))


def test_the_acknowledgement_still_goes_out_once_the_contacts_are_known(backend_env):
    application_id = submit_and_relay(backend_env["applications"])
    notes = platform_for("notifications", backend_env["notifications"])

    def acknowledgements() -> dict[str, str]:
        with notes.session_factory() as session:
            return {row.recipient_kind: row.status for row in session.execute(
                select(Notification).where(Notification.application_id == application_id,
                                           Notification.template == "application_received"))
                .scalars()}

    with ConsumerThread(notes, service_handlers("notifications", notes)):
        wait_for(lambda: len(acknowledgements()) == 2, message="application_received x2")
    # The volunteer has confirmed no channel yet: held for them; the coordinator's goes.
    assert acknowledgements() == {"volunteer": "HELD", "coordinator": "QUEUED"}
    notes.engine.dispose()


def bind_as_before(platform: Platform, connection: Connection) -> None:
    """The inbox as an earlier release declared it, bound to what it no longer consumes."""
    topology = platform.topology
    inbox = topology.inbox_queue("notifications")(connection.default_channel)
    for event_type in RETIRED_SUBSCRIPTIONS["notifications"]:
        inbox.bind_to(topology.exchange_for(event_type), routing_key=event_type)


def test_declaring_the_topology_unbinds_what_an_inbox_no_longer_consumes(backend_env):
    assert set(RETIRED_SUBSCRIPTIONS["notifications"]) == {
        "application.submitted", "vetting.clearance_granted"}
    applications = platform_for("applications", backend_env["applications"])
    with applications.connection() as connection:
        applications.topology.declare_all(connection)
        bind_as_before(applications, connection)
    publish_raw(applications, [submitted_envelope()], declare=False)
    assert types(drain(applications, "notifications")) == {"application.submitted"}

    with applications.connection() as connection:
        applications.topology.declare_all(connection)  # a new release starts
    publish_raw(applications, [submitted_envelope()], declare=False)
    assert drain(applications, "notifications") == []
    assert types(drain(applications, "vetting")) == {"application.submitted"}
    applications.engine.dispose()
