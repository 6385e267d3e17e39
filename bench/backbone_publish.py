"""The backbone's publishing figures: a backlog of outbox rows drained by our relay beside raw
kombu publishes (one confirm wait per message, and windowed confirms), and the bare broker hop
that the end-to-end figure is compared with. Every publish carries the same valid
`application.submitted` envelope the relay sends in production."""

from __future__ import annotations

import statistics
import threading
import time
import uuid
from typing import Any

from harness import AMQP_URL, percentile
from kombu import Connection, Consumer, Producer, Queue
from sqlalchemy import func, insert, select

from shared.clock import process_clock
from shared.config import Settings
from shared.db import outbox_table
from shared.events import Envelope
from shared.events.catalogue import build_registry
from shared.messaging.publisher import BrokerPublisher
from shared.messaging.topology import Topology
from shared.outbox import OutboxRelay
from shared.platform import build_platform

EVENT_TYPE = "application.submitted"  # published by applications, consumed by vetting alone
HOP_QUEUE = "bench.hop"  # the bare hop's own queue, deleted with the prefix's objects
REGISTRY = build_registry()


def submitted_envelope(run: str, index: int) -> Envelope:
    """A valid `application.submitted` envelope (a unique application id and email)."""
    application_id = str(uuid.uuid4())
    data = {
        "application_id": application_id,
        "organisation_id": str(uuid.UUID(int=1)),
        "applicant": {
            "forenames": "Bench",
            "surname": f"Mark{index}",
            "email": f"bench-{run}-{index}@example.org",
            "mobile": None,
            "preferred_channel": "EMAIL",
        },
        "role": "GROUP_FACILITATOR",
        "establishments": ["WWI", "BMI"],
        "requested_access": "ESCORTED",
        "frequency": "REGULAR",
        "submitted_at": process_clock().now().isoformat(),
    }
    if index == 0:  # the shape is the same for all: validate it once against the catalogue
        REGISTRY.validate(EVENT_TYPE, 1, data)
    return Envelope(
        type=EVENT_TYPE,
        version=1,
        source="applications",
        subject=application_id,
        data=data,
        correlation_id=f"bench-{run}-{index}",
        occurred_at=process_clock().now(),
    )


def bodies(run: str, count: int) -> list[Envelope]:
    return [submitted_envelope(run, i) for i in range(count)]


def publish_kwargs(envelope: Envelope, exchange: str) -> dict[str, Any]:
    """What BrokerPublisher sends for an outbox row, so the baselines carry the same load."""
    return dict(
        exchange=exchange,
        routing_key=envelope.type,
        content_type="application/json",
        content_encoding="utf-8",
        delivery_mode=2,
        message_id=envelope.id,
        correlation_id=envelope.correlation_id,
        type=envelope.type,
        headers={},
        retry=False,
    )


def queue_depth(connection: Connection, name: str) -> int:
    return connection.default_channel.queue_declare(name, passive=True).message_count


def purge(connection: Connection, *names: str) -> None:
    for name in names:
        connection.default_channel.queue_purge(name)


# ------------------------------------------------------------------------------------------
# Publishing
# ------------------------------------------------------------------------------------------


def bench_raw_confirm(settings: Settings, envelopes: list[Envelope]) -> float:
    """kombu Producer.publish on a connection with confirm_publish=True: one wait per message."""
    exchange = Topology(settings).exchange_for(EVENT_TYPE).name
    payloads = [(e.to_json(), publish_kwargs(e, exchange)) for e in envelopes]
    with Connection(AMQP_URL, transport_options={"confirm_publish": True}) as conn:
        producer = Producer(conn.channel(), auto_declare=False)
        producer.publish(payloads[0][0], **payloads[0][1])  # warm the channel up
        started = time.perf_counter()
        for body, kwargs in payloads[1:]:
            producer.publish(body, **kwargs)
        elapsed = time.perf_counter() - started
    return (len(payloads) - 1) / elapsed


def bench_raw_windowed(settings: Settings, envelopes: list[Envelope], window: int) -> float:
    """The same publishes on a channel in confirm mode (py-amqp `confirm_select`), `window` at
    a time, then drain until the broker's `basic_ack` covers the window's last delivery tag."""
    exchange = Topology(settings).exchange_for(EVENT_TYPE).name
    payloads = [(e.to_json(), publish_kwargs(e, exchange)) for e in envelopes]
    acked = [0]
    nacked = [0]
    with Connection(AMQP_URL) as conn:
        channel = conn.channel()
        channel.confirm_select()
        # A baseline: RabbitMQ acks in order in practice, so the highest tag acked will do.
        channel.events["basic_ack"].add(
            lambda tag, multiple: acked.__setitem__(0, max(acked[0], tag))
        )
        channel.events["basic_nack"].add(lambda tag, multiple: nacked.__setitem__(0, tag))
        producer = Producer(channel, auto_declare=False)
        tag = 0
        started = time.perf_counter()
        for start in range(0, len(payloads), window):
            for body, kwargs in payloads[start : start + window]:
                producer.publish(body, **kwargs)
                tag += 1
            while acked[0] < tag:
                conn.drain_events(timeout=10)
        elapsed = time.perf_counter() - started
    if nacked[0]:
        raise RuntimeError("the broker nacked a baseline publish")
    return len(payloads) / elapsed


def bench_relay(settings: Settings, envelopes: list[Envelope]) -> dict[str, Any]:
    """A backlog of committed outbox rows, drained by OutboxRelay.publish_once loops."""
    platform = build_platform(settings)
    topology = platform.topology
    exchange = topology.exchange_for(EVENT_TYPE).name
    rows = [
        {
            "event_id": e.id,
            "event_type": e.type,
            "exchange": exchange,
            "routing_key": e.type,
            "subject": e.subject,
            "correlation_id": e.correlation_id,
            "body": e.to_json(),
            "created_at": process_clock().now(),
            "published_at": None,
        }
        for e in envelopes
    ]
    with platform.engine.begin() as conn:
        for start in range(0, len(rows), 2000):
            conn.execute(insert(outbox_table), rows[start : start + 2000])
        conn.exec_driver_sql("ANALYZE outbox")
    with Connection(AMQP_URL) as connection:
        publisher = BrokerPublisher(connection, user_id=settings.broker_principal)
        relay = OutboxRelay(
            platform.engine,
            publisher,
            clock=platform.clock,
            batch_size=settings.relay_batch_size,
            idle_wait_s=settings.relay_idle_wait_s,
        )
        batches = []
        started = time.perf_counter()
        while True:
            batch_started = time.perf_counter()
            published = relay.publish_once()
            if not published:
                break
            batches.append(time.perf_counter() - batch_started)
        elapsed = time.perf_counter() - started
    with platform.engine.connect() as conn:
        unsent = conn.execute(
            select(func.count()).where(outbox_table.c.published_at.is_(None))
        ).scalar_one()
    platform.engine.dispose()
    if unsent or relay.published_total != len(rows):
        raise RuntimeError(
            f"relay left {unsent} rows unsent (published {relay.published_total} of {len(rows)})"
        )
    return {
        "per_s": len(rows) / elapsed,
        "batches": len(batches),
        "batch_ms_p50": statistics.median(batches) * 1000,
    }


def bench_hop(settings: Settings, count: int) -> dict[str, float]:
    """Publish one persistent message (confirmed) and time until another connection has it."""
    name = settings.name(HOP_QUEUE)
    received = threading.Event()
    samples = []
    with (
        Connection(AMQP_URL, transport_options={"confirm_publish": True}) as pub,
        Connection(AMQP_URL) as sub,
    ):
        queue = Queue(name, durable=True)
        queue(pub.default_channel).declare()
        producer = Producer(pub.channel(), auto_declare=False)

        def on_message(_body: Any, message: Any) -> None:
            message.ack()
            received.set()

        with Consumer(sub.channel(), queues=[queue], callbacks=[on_message], accept=["json"]):
            for i in range(count):
                received.clear()
                started = time.perf_counter()
                producer.publish({"i": i}, routing_key=name, delivery_mode=2, retry=False)
                while not received.is_set():
                    sub.drain_events(timeout=5)
                samples.append((time.perf_counter() - started) * 1000)
    p50, p99 = percentile(samples, 50), percentile(samples, 99)
    assert p50 is not None and p99 is not None, "no hop measured"
    return {"p50": p50, "p99": p99}
