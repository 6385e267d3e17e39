"""A queue receives whole messages: notifications' inbox is bound to the small events made for it
(application.received, vetting.clearance_announced), never to application.submitted (the
applicant document) or vetting.clearance_granted (the conditions); applications' never gets why
vetting asks or who a cleared person is, access's never the organisation's reason for a
withdrawal; an inbox a broker kept from before, still bound to what it no longer consumes, is
unbound when the topology is declared. On both run modes."""

from __future__ import annotations

from typing import Any

import pytest
from kombu import Connection
from sqlalchemy import select

from notifications.models import Notification
from shared.events.envelope import Envelope
from shared.events.vocabulary import publisher_of
from shared.messaging.topology import RETIRED_SUBSCRIPTIONS
from shared.outbox import OutboxRelay
from shared.platform import Platform
from tests.support import wait_for
from tests.support.applications_api import GOOD, organisations_api
from tests.support.clock import iso_now, now
from tests.support.platforms import (
    ConsumerThread,
    platform_for,
    publish_raw,
    service_handlers,
    submitted_envelope,
)


def relay_all(platform: Platform) -> None:
    with platform.connection() as connection:
        platform.topology.declare_all(connection)
        relay = OutboxRelay(
            platform.engine, clock=platform.clock, publisher=platform.publisher(connection)
        )
        while relay.publish_once():
            pass


def submit_and_relay(env: dict[str, str], *, withdraw: str | None = None) -> str:
    """Submit an application through the applications API (and withdraw it, with `withdraw`
    as the reason) and publish what it emitted."""
    client, applications = organisations_api(env)
    draft = client.draft(GOOD)
    assert client.call("POST", f"/applications/{draft['id']}/submit").status_code == 200
    if withdraw is not None:
        assert (
            client.call(
                "POST", f"/applications/{draft['id']}/withdraw", json={"reason": withdraw}
            ).status_code
            == 200
        )
    relay_all(applications)
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
    assert types(received) == {
        "application.received",
        "application.contacts_recorded",
        "application.contact_confirmation_requested",
    }
    [ack] = [m for m in received if m["type"] == "application.received"]
    assert set(ack["data"]) == {"application_id", "establishments", "submitted_at"}
    assert ack["data"]["application_id"] == application_id
    # Vetting has the applicant document, and only vetting.
    assert "application.submitted" in types(drain(notes, "vetting"))


def test_a_withdrawal_reaches_access_without_the_reason(backend_env):
    reason = "The volunteer told us about a conviction he had not declared"
    application_id = submit_and_relay(backend_env["applications"], withdraw=reason)
    access = platform_for("access", backend_env["access"])
    received = drain(access, "access")
    assert "application.withdrawn" not in types(received)
    [notice] = [m for m in received if m["type"] == "application.withdrawal_announced"]
    assert set(notice["data"]) == {"application_id", "withdrawn_at"}
    assert notice["data"]["application_id"] == application_id
    assert reason not in str(received)
    # Vetting reads the reason, and only vetting receives it.
    [withdrawn] = [m for m in drain(access, "vetting") if m["type"] == "application.withdrawn"]
    assert withdrawn["data"]["reason"] == reason
    access.engine.dispose()


def vetting_envelope(event_type: str, application_id: str, **data: Any) -> Envelope:
    return Envelope(
        type=event_type,
        version=1,
        source="vetting",
        subject=application_id,
        data={"application_id": application_id, **data},
        correlation_id="test",
        occurred_at=now(),
    )


def test_vettings_news_reaches_the_organisation_without_the_reason_or_the_person(backend_env):
    """As vetting publishes them (service_layer.decisions and .clearances): each event with
    the organisation's copy."""
    applications = platform_for("applications", backend_env["applications"])
    app_id, case_id, request_id, clearance_id = (
        "5d1f6e0a-0000-4000-8000-000000000001",
        "5d1f6e0a-0000-4000-8000-000000000002",
        "r-1",
        "5d1f6e0a-0000-4000-8000-000000000003",
    )
    asked = {
        "case_id": case_id,
        "request_id": request_id,
        "due_by": None,
        "requested_at": iso_now(),
        "sensitive": False,
    }
    secret = "The record check found a caution for assault, not declared"
    cleared = {
        "case_id": case_id,
        "clearance_id": clearance_id,
        "level": "STANDARD",
        "access": "ESCORTED",
        "issued_at": iso_now(),
        "expires_at": iso_now(),
    }
    for envelope in (
        vetting_envelope(
            "vetting.info_requested", app_id, items=[{"question": "Q?"}], reason=secret, **asked
        ),
        vetting_envelope(
            "vetting.info_request_announced", app_id, items=[{"question": "Q?"}], **asked
        ),
        vetting_envelope(
            "vetting.clearance_granted",
            app_id,
            forenames="Zoë",
            surname="D'Arcy",
            date_of_birth="1980-01-02",
            establishments=[],
            conditions=["EXCLUDE_ESTABLISHMENT:WWI"],
            **cleared,
        ),
        vetting_envelope(
            "vetting.application_cleared",
            app_id,
            conditions=["ESTABLISHMENT_RESTRICTIONS_APPLY"],
            **cleared,
        ),
    ):
        publish_raw(applications, [envelope])
    received = drain(applications, "applications")
    assert types(received) == {"vetting.info_request_announced", "vetting.application_cleared"}
    assert secret not in str(received) and "D'Arcy" not in str(received)
    assert "EXCLUDE_ESTABLISHMENT" not in str(received)
    # The volunteer's message has the reason; the gate has the name and the exclusion.
    assert secret in str(drain(applications, "notifications"))
    assert "D'Arcy" in str(drain(applications, "access"))
    applications.engine.dispose()


def test_the_acknowledgement_still_goes_out_once_the_contacts_are_known(backend_env):
    application_id = submit_and_relay(backend_env["applications"])
    notes = platform_for("notifications", backend_env["notifications"])

    def acknowledgements() -> dict[str, str]:
        with notes.session_factory() as session:
            return {
                row.recipient_kind: row.status
                for row in session.execute(
                    select(Notification).where(
                        Notification.application_id == application_id,
                        Notification.template == "application_received",
                    )
                ).scalars()
            }

    with ConsumerThread(notes, service_handlers("notifications", notes)):
        wait_for(lambda: len(acknowledgements()) == 2, message="application_received x2")
    # The volunteer has confirmed no channel yet: held for them; the coordinator's goes.
    assert acknowledgements() == {"volunteer": "HELD", "coordinator": "QUEUED"}
    notes.engine.dispose()


def bind_as_before(
    platform: Platform, connection: Connection, service: str = "notifications"
) -> None:
    """The inbox as an earlier release declared it, bound to what it no longer consumes."""
    topology = platform.topology
    inbox = topology.inbox_queue(service)(connection.default_channel)
    for event_type in RETIRED_SUBSCRIPTIONS[service]:
        inbox.bind_to(topology.exchange_for(event_type), routing_key=event_type)


def test_declaring_the_topology_unbinds_what_an_inbox_no_longer_consumes(backend_env):
    assert set(RETIRED_SUBSCRIPTIONS["notifications"]) == {
        "application.submitted",
        "vetting.clearance_granted",
    }
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


@pytest.mark.parametrize("service", ["applications", "access"])
def test_declaring_the_topology_unbinds_the_organisations_and_the_gates_retired_types(
    backend_env, service
):
    assert RETIRED_SUBSCRIPTIONS == {
        "applications": ("vetting.info_requested", "vetting.clearance_granted"),
        "access": ("application.withdrawn",),
        "notifications": ("application.submitted", "vetting.clearance_granted"),
    }
    platform = platform_for("applications", backend_env["applications"])
    with platform.connection() as connection:
        platform.topology.declare_all(connection)
        bind_as_before(platform, connection, service)
    retired = RETIRED_SUBSCRIPTIONS[service]

    def publish_retired() -> None:
        for event_type in retired:
            publish_raw(
                platform,
                [
                    Envelope(
                        type=event_type,
                        version=1,
                        source=publisher_of(event_type),
                        subject="x",
                        data={"application_id": "x"},
                        correlation_id="test",
                        occurred_at=now(),
                    )
                ],
                declare=False,
            )

    publish_retired()
    assert types(drain(platform, service)) == set(retired)
    with platform.connection() as connection:
        platform.topology.declare_all(connection)  # a new release starts
    publish_retired()
    assert drain(platform, service) == []
    platform.engine.dispose()
