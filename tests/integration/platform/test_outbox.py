"""The transactional outbox and its relay, on both run modes."""

from __future__ import annotations

import pytest

from shared.db import outbox_table
from shared.messaging.publisher import BrokerPublisher
from shared.outbox import OutboxRelay, relay_lag, replay_since
from tests.support import wait_for
from tests.support.platforms import (
    ConsumerThread,
    count,
    platform_for,
    service_handlers,
    submitted_envelope,
)
from vetting.models import VettingCase


class Boom(Exception):
    pass


def emit_submitted(platform, envelope=None):
    envelope = envelope or submitted_envelope()
    with platform.unit_of_work() as uow:
        uow.emit("application.submitted", subject=envelope.subject, data=envelope.data)
        uow.commit()


def test_a_failed_transaction_publishes_nothing(backend_env):
    platform = platform_for("applications", backend_env["applications"])
    with pytest.raises(Boom), platform.unit_of_work() as uow:
        uow.emit("application.submitted", subject="s", data=submitted_envelope().data)
        raise Boom
    assert count(platform, outbox_table) == 0
    with platform.connection() as connection:
        relay = OutboxRelay(
            platform.engine, clock=platform.clock, publisher=platform.publisher(connection)
        )
        assert relay.publish_once() == 0


def test_a_service_cannot_emit_another_services_events(backend_env):
    platform = platform_for("applications", backend_env["applications"])
    with pytest.raises(ValueError, match="may not publish"), platform.unit_of_work() as uow:
        uow.emit("vetting.case_opened", subject="s", data={})


class CrashAfterPublish(BrokerPublisher):
    """Publishes (and waits for confirms), then dies before the relay can mark the rows sent."""

    def __init__(self, connection, crashes: int, user_id: str) -> None:
        super().__init__(connection, user_id=user_id)
        self.crashes = crashes

    def publish_batch(self, messages):
        super().publish_batch(messages)
        if self.crashes:
            self.crashes -= 1
            raise Boom("killed between publish and mark")


def test_relay_killed_between_publish_and_mark_republishes_and_consumer_dedupes(backend_env):
    applications = platform_for("applications", backend_env["applications"])
    vetting = platform_for("vetting", backend_env["vetting"])
    for _ in range(5):
        emit_submitted(applications)
    with (
        ConsumerThread(vetting, service_handlers("vetting", vetting)) as consumer,
        applications.connection() as connection,
    ):
        applications.topology.declare_all(connection)
        relay = OutboxRelay(
            applications.engine,
            clock=applications.clock,
            publisher=CrashAfterPublish(
                connection, crashes=1, user_id=applications.settings.broker_principal
            ),
        )
        with pytest.raises(Boom):
            relay.publish_once()
        # Nothing marked:
        assert relay_lag(applications.engine, applications.clock.now())["unpublished"] == 5
        assert relay.publish_once() == 5
        assert relay_lag(applications.engine, applications.clock.now())["unpublished"] == 0
        wait_for(lambda: consumer.dispatcher.stats["duplicates"] >= 5, message="10 deliveries")
    assert count(vetting, VettingCase.__table__) == 5
    assert count(vetting, outbox_table) == 5  # one vetting.case_opened each, not two


def test_replay_since_publishes_again_and_consumers_dedupe(backend_env):
    applications = platform_for("applications", backend_env["applications"])
    vetting = platform_for("vetting", backend_env["vetting"])
    emit_submitted(applications)
    with applications.connection() as connection:
        applications.topology.declare_all(connection)
        relay = OutboxRelay(
            applications.engine,
            clock=applications.clock,
            publisher=applications.publisher(connection),
        )
        assert relay.publish_once() == 1
        with applications.engine.connect() as conn:
            created = conn.execute(outbox_table.select()).one().created_at
        assert replay_since(applications.engine, created) == 1
        assert relay.publish_once() == 1
    with ConsumerThread(vetting, service_handlers("vetting", vetting)) as consumer:
        wait_for(lambda: consumer.dispatcher.stats["duplicates"] >= 1, message="replayed copy")
    assert count(vetting, VettingCase.__table__) == 1


def test_relay_keeps_order_and_sets_message_properties(real_env):
    """On RabbitMQ: persistent messages, message_id = event id, correlation id, in id order."""
    applications = platform_for("applications", real_env["applications"])
    subjects = []
    for _ in range(20):
        envelope = submitted_envelope()
        subjects.append(envelope.subject)
        emit_submitted(applications, envelope)
    with applications.connection() as connection:
        applications.topology.declare_all(connection)
        relay = OutboxRelay(
            applications.engine,
            clock=applications.clock,
            publisher=applications.publisher(connection),
            batch_size=7,
        )
        while relay.publish_once():
            pass
        queue = applications.topology.inbox_queue("vetting")(connection.default_channel)
        received = []
        while (message := queue.get(no_ack=True)) is not None:
            received.append(message)
    assert [m.properties["correlation_id"] for m in received]  # set
    assert [m.payload["subject"] for m in received] == subjects
    first = received[0]
    assert first.properties["message_id"] == first.payload["id"]
    assert first.delivery_info["routing_key"] == "application.submitted"
    assert first.properties["delivery_mode"] == 2
    # The broker checked it: the consumers trust an event by it.
    assert first.properties["user_id"] == applications.settings.broker_principal


def test_outbox_replay_recovers_a_message_the_embedded_transport_lost(embedded):
    """The filesystem transport drops a message whose consumer dies holding it; replaying the
    outbox is the documented recovery."""
    applications = platform_for("applications", embedded["applications"])
    vetting = platform_for("vetting", embedded["vetting"])
    emit_submitted(applications)
    with applications.connection() as connection:
        applications.topology.declare_all(connection)
        relay = OutboxRelay(
            applications.engine,
            clock=applications.clock,
            publisher=applications.publisher(connection),
        )
        assert relay.publish_once() == 1
        messages = applications.settings.var_dir / "broker" / "messages"
        [lost] = list(messages.glob("*.vetting.inbox.msg"))
        lost.unlink()  # what a consumer SIGKILLed mid-message leaves behind: nothing
        with applications.engine.connect() as conn:
            created = conn.execute(outbox_table.select()).one().created_at
        assert replay_since(applications.engine, created) == 1
        assert relay.publish_once() == 1
    with ConsumerThread(vetting, service_handlers("vetting", vetting)):
        wait_for(lambda: count(vetting, VettingCase.__table__) == 1, message="recovered")
