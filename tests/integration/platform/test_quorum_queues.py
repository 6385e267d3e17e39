"""BROKER_QUEUE_TYPE=quorum on the real RabbitMQ: the topology declares quorum queues, the
retry queue's TTL still brings a message back to the inbox, a consumer with a prefetch reads
them, and a classic queue cannot be redeclared as quorum in place (hence the runbook's drain,
delete, redeclare). Everything is under a unique prefix and deleted afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from amqp.exceptions import PreconditionFailed
from kombu import Connection, Consumer, Queue

from shared.config import load_settings
from shared.messaging.publisher import BrokerPublisher, OutgoingMessage
from shared.messaging.topology import Topology
from tests.support import wait_for


@pytest.fixture
def quorum_topology(amqp_url: str) -> Iterator[Topology]:
    prefix = f"t{uuid.uuid4().hex[:10]}q."
    topology = Topology(
        load_settings(
            "vetting",
            {"BROKER_URL": amqp_url, "BROKER_PREFIX": prefix, "BROKER_QUEUE_TYPE": "quorum"},
        )
    )
    yield topology
    with Connection(amqp_url) as conn:
        topology.delete_all(conn)


def test_every_queue_is_declared_as_quorum_and_redeclared_idempotently(
    quorum_topology: Topology, amqp_url: str
):
    with Connection(amqp_url) as conn:
        quorum_topology.declare_all(conn)
        quorum_topology.declare_all(conn)  # every process declares on start: must be equivalent
        for queue in (
            quorum_topology.inbox_queue("vetting"),
            quorum_topology.retry_queue("vetting"),
            quorum_topology.dead_letter_queue("vetting"),
        ):
            # The broker says what the queue is by refusing a classic redeclaration of it.
            classic = Queue(
                queue.name,
                durable=True,
                queue_arguments={**(queue.queue_arguments or {}), "x-queue-type": "classic"},
            )
            with pytest.raises(PreconditionFailed, match="x-queue-type"):
                classic(conn.channel()).declare()


def test_a_retried_message_comes_back_to_the_quorum_inbox_and_is_consumed(
    quorum_topology: Topology, amqp_url: str
):
    with Connection(amqp_url) as conn:
        quorum_topology.declare_all(conn)
        retry = quorum_topology.retry_queue("vetting").name
        BrokerPublisher(conn.clone()).publish_batch(
            [
                OutgoingMessage(
                    exchange="",
                    routing_key=retry,
                    body='{"hello": 1}',
                    message_id="m1",
                    correlation_id="c1",
                    event_type="application.submitted",
                    headers={"x-attempts": 1},
                    expiration_s=0.2,
                )
            ]
        )
        received: list[str | bytes] = []
        channel = conn.channel()
        # As EventConsumer consumes: a per-consumer prefetch (quorum queues refuse a global one).
        with Consumer(
            channel,
            queues=[quorum_topology.inbox_queue("vetting")],
            prefetch_count=50,
            accept=["json"],
            callbacks=[lambda body, message: (received.append(message.body), message.ack())],
        ):

            def drained() -> bool:
                try:
                    conn.drain_events(timeout=0.2)
                except TimeoutError:
                    pass
                return bool(received)

            wait_for(drained, timeout=15)
    body = received[0]
    assert '"hello"' in (body.decode() if isinstance(body, bytes) else body)


def test_a_classic_queue_cannot_become_quorum_in_place(amqp_url: str):
    prefix = f"t{uuid.uuid4().hex[:10]}c."
    classic = Topology(load_settings("access", {"BROKER_URL": amqp_url, "BROKER_PREFIX": prefix}))
    quorum = Topology(
        load_settings(
            "access",
            {"BROKER_URL": amqp_url, "BROKER_PREFIX": prefix, "BROKER_QUEUE_TYPE": "quorum"},
        )
    )
    try:
        with Connection(amqp_url) as conn:
            classic.declare_all(conn)
            with pytest.raises(PreconditionFailed, match="x-queue-type"):
                quorum.inbox_queue("access")(conn.channel()).declare()
            # After the queue is deleted (drained first, in the runbook) it declares as quorum.
            conn.channel().queue_delete(quorum.inbox_name("access"))
            quorum.inbox_queue("access")(conn.channel()).declare()
    finally:
        with Connection(amqp_url) as conn:
            classic.delete_all(conn)
