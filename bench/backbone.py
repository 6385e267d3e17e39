"""The messaging backbone, measured: publishing, consuming and end to end, each beside its bare
baseline, in one run on PostgreSQL + RabbitMQ (and end to end on the embedded default too).

    .venv/bin/python bench/backbone.py [--rate 20] [--duration 20] [--backlog 10000] ...

Everything it measures it starts itself, under a unique name: PostgreSQL databases
`bench_<run>_*`, RabbitMQ objects prefixed `bench<run>m.` / `bench<run>e.`, processes on free
ports, an in-process SMTP sink; all of it is stopped, dropped and deleted at the end, also on
failure or Ctrl-C. The last line printed is one JSON object (every benchmark in bench/ ends so).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import shutil
import signal
import socket
import statistics
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from aiosmtpd.controller import Controller
from harness import AMQP_URL, DEPLOYMENT_ENV, GUEST_FOR_ALL, PG_ADMIN_URL
from kombu import Connection, Consumer, Producer, Queue
from limits_env import raise_rate_limits
from sqlalchemy import func, insert, select

from shared.clock import process_clock
from shared.config import Settings, load_settings
from shared.consumer import Dispatcher, EventConsumer
from shared.db import create_database, inbox_table, outbox_table
from shared.db import drop_database as drop_pg_database
from shared.devstack import Stack
from shared.events import Envelope
from shared.events.catalogue import build_registry
from shared.messaging.publisher import BrokerPublisher
from shared.messaging.topology import SERVICES, Topology
from shared.migrations import upgrade
from shared.outbox import OutboxRelay
from shared.platform import build_platform

raise_rate_limits()  # and every process this benchmark starts

EVENT_TYPE = "application.submitted"  # published by applications, consumed by vetting alone


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------
# Resources: every one registered for cleanup the moment it exists
# ------------------------------------------------------------------------------------------

def make_database(name: str) -> str:
    return create_database(PG_ADMIN_URL, name)


def drop_database(name: str) -> None:
    drop_pg_database(PG_ADMIN_URL, name)


def delete_topology(prefix: str) -> None:
    settings = load_settings("applications", {"BROKER_URL": AMQP_URL, "BROKER_PREFIX": prefix})
    with Connection(AMQP_URL) as conn:
        Topology(settings).delete_all(conn, "bench.hop")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Resources:
    """Databases, broker prefixes, temp dirs and stacks, released in reverse order."""

    def __init__(self, run: str) -> None:
        self.run = run
        self.exit = ExitStack()

    def database(self, label: str) -> str:
        name = f"bench_{self.run}_{label}"
        url = make_database(name)
        self.exit.callback(self._quietly, f"drop database {name}", drop_database, name)
        return url

    def broker_prefix(self, label: str) -> str:
        prefix = f"bench{self.run}{label}."
        self.exit.callback(self._quietly, f"delete broker objects {prefix}*",
                           delete_topology, prefix)
        return prefix

    def temp_dir(self, label: str) -> Path:
        path = Path(tempfile.mkdtemp(prefix=f"bench-{self.run}-{label}-"))
        self.exit.callback(shutil.rmtree, path, ignore_errors=True)
        return path

    def stack(self, stack: Stack) -> Stack:
        self.exit.callback(self._quietly, "stop stack", stack.stop)
        return stack

    def smtp(self, sink: SmtpSink) -> SmtpSink:
        sink.controller.start()
        self.exit.callback(self._quietly, "stop smtp", sink.controller.stop)
        return sink

    @staticmethod
    def _quietly(what: str, fn: Callable[..., Any], *args: Any) -> None:
        try:
            fn(*args)
        except Exception as exc:  # noqa: BLE001 - clean up the rest regardless
            log(f"cleanup: {what} failed: {exc!r}")

    def close(self) -> None:
        self.exit.close()


# ------------------------------------------------------------------------------------------
# Valid events
# ------------------------------------------------------------------------------------------

REGISTRY = build_registry()


def submitted_envelope(run: str, index: int) -> Envelope:
    """A valid `application.submitted` envelope (a unique application id and email)."""
    application_id = str(uuid.uuid4())
    data = {
        "application_id": application_id,
        "organisation_id": str(uuid.UUID(int=1)),
        "applicant": {"forenames": "Bench", "surname": f"Mark{index}",
                      "email": f"bench-{run}-{index}@example.org", "mobile": None,
                      "preferred_channel": "EMAIL"},
        "role": "GROUP_FACILITATOR", "establishments": ["WWI", "BMI"],
        "requested_access": "ESCORTED", "frequency": "REGULAR",
        "submitted_at": process_clock().now().isoformat(),
    }
    if index == 0:  # the shape is the same for all: validate it once against the catalogue
        REGISTRY.validate(EVENT_TYPE, 1, data)
    return Envelope(type=EVENT_TYPE, version=1, source="applications", subject=application_id,
                    data=data, correlation_id=f"bench-{run}-{index}",
                    occurred_at=process_clock().now())


def bodies(run: str, count: int) -> list[Envelope]:
    return [submitted_envelope(run, i) for i in range(count)]


def publish_kwargs(envelope: Envelope, exchange: str) -> dict[str, Any]:
    """What BrokerPublisher sends for an outbox row, so the baselines carry the same load."""
    return dict(exchange=exchange, routing_key=envelope.type, content_type="application/json",
                content_encoding="utf-8", delivery_mode=2, message_id=envelope.id,
                correlation_id=envelope.correlation_id, type=envelope.type, headers={},
                retry=False)


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
            lambda tag, multiple: acked.__setitem__(0, max(acked[0], tag)))
        channel.events["basic_nack"].add(lambda tag, multiple: nacked.__setitem__(0, tag))
        producer = Producer(channel, auto_declare=False)
        tag = 0
        started = time.perf_counter()
        for start in range(0, len(payloads), window):
            for body, kwargs in payloads[start:start + window]:
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
    rows = [{"event_id": e.id, "event_type": e.type, "exchange": exchange,
             "routing_key": e.type, "subject": e.subject, "correlation_id": e.correlation_id,
             "body": e.to_json(), "created_at": process_clock().now(), "published_at": None}
            for e in envelopes]
    with platform.engine.begin() as conn:
        for start in range(0, len(rows), 2000):
            conn.execute(insert(outbox_table), rows[start:start + 2000])
        conn.exec_driver_sql("ANALYZE outbox")
    with Connection(AMQP_URL) as connection:
        publisher = BrokerPublisher(connection, user_id=settings.broker_principal)
        relay = OutboxRelay(platform.engine, publisher, clock=platform.clock,
                            batch_size=settings.relay_batch_size,
                            idle_wait_s=settings.relay_idle_wait_s)
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
        unsent = conn.execute(select(func.count()).where(
            outbox_table.c.published_at.is_(None))).scalar_one()
    platform.engine.dispose()
    if unsent or relay.published_total != len(rows):
        raise RuntimeError(f"relay left {unsent} rows unsent "
                           f"(published {relay.published_total} of {len(rows)})")
    return {"per_s": len(rows) / elapsed, "batches": len(batches),
            "batch_ms_p50": statistics.median(batches) * 1000}


# ------------------------------------------------------------------------------------------
# Consuming
# ------------------------------------------------------------------------------------------

def bench_raw_consume(queue_name: str, count: int, prefetch: int) -> float:
    """A plain kombu Consumer, manual ack, same prefetch as our consumer."""
    seen = [0, 0.0, 0.0]

    def on_message(_body: Any, message: Any) -> None:
        if seen[0] == 0:
            seen[1] = time.perf_counter()
        message.ack()
        seen[0] += 1
        seen[2] = time.perf_counter()

    with Connection(AMQP_URL) as conn:
        channel = conn.channel()
        consumer = Consumer(channel, queues=[Queue(queue_name, no_declare=True)],
                            callbacks=[on_message], accept=["json"], prefetch_count=prefetch)
        with consumer:
            while seen[0] < count:
                conn.drain_events(timeout=10)
    return count / (seen[2] - seen[1])


class TimedConsumer(EventConsumer):
    """Our EventConsumer, unchanged, with a stopwatch around its message callback."""

    def __init__(self, *args: Any, count: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.count = count
        self.done = 0
        self.first = self.last = 0.0

    def on_message(self, body: Any, message: Any) -> None:
        if self.done == 0:
            self.first = time.perf_counter()
        super().on_message(body, message)
        self.done += 1
        self.last = time.perf_counter()
        if self.done >= self.count:
            self.should_stop = True


def noop_handler(_uow: Any, _event: Any) -> None:
    """The trivial handler: what is left is the consumer itself (parse, validate, one
    transaction with the inbox row, commit, ack)."""


def bench_consumer(settings: Settings, count: int, *, real_handler: bool) -> dict[str, Any]:
    """The vetting service's consumer (EventConsumer + Dispatcher) draining its inbox queue,
    with its real handler (`open_case`: a case row, an outbox row and the inbox row in one
    transaction per event) or with `noop_handler` (the inbox row alone)."""
    from vetting.service import definition

    platform = build_platform(settings)
    handlers = (definition().handlers(platform) if real_handler
                else {EVENT_TYPE: [noop_handler]})
    dispatcher = Dispatcher.for_platform(platform, handlers)
    with Connection(AMQP_URL) as connection:
        consumer = TimedConsumer(settings, connection, dispatcher, platform.topology, count=count)
        consumer.run()
    with platform.engine.connect() as conn:
        inbox_rows = conn.execute(select(func.count()).select_from(inbox_table)).scalar_one()
        outbox_rows = conn.execute(select(func.count()).select_from(outbox_table)).scalar_one()
    platform.engine.dispose()
    if dispatcher.stats["processed"] < count or inbox_rows < count:
        raise RuntimeError(f"consumer processed {dispatcher.stats} / inbox {inbox_rows}")
    return {"per_s": consumer.done / (consumer.last - consumer.first),
            "inbox_rows": inbox_rows, "cases_emitted": outbox_rows, "stats": dispatcher.stats}


# ------------------------------------------------------------------------------------------
# The bare broker hop (the end-to-end figure's baseline)
# ------------------------------------------------------------------------------------------

def bench_hop(settings: Settings, count: int) -> dict[str, float]:
    """Publish one persistent message (confirmed) and time until another connection has it."""
    name = settings.name("bench.hop")
    received = threading.Event()
    samples = []
    with Connection(AMQP_URL, transport_options={"confirm_publish": True}) as pub, \
            Connection(AMQP_URL) as sub:
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
    samples.sort()
    return {"p50": percentile(samples, 50), "p99": percentile(samples, 99)}


# ------------------------------------------------------------------------------------------
# End to end
# ------------------------------------------------------------------------------------------

class SmtpSink:
    """An in-process SMTP server noting when each recipient's message arrived."""

    def __init__(self, port: int) -> None:
        self.received: dict[str, tuple[float, float]] = {}  # email -> (perf_counter, wall)
        self.lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=port)

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        now = (time.perf_counter(), time.time())
        with self.lock:
            for recipient in envelope.rcpt_tos:
                self.received.setdefault(recipient.lower(), now)
        return "250 OK"

    def arrived(self, email: str) -> tuple[float, float] | None:
        with self.lock:
            return self.received.get(email.lower())


@dataclass
class E2EResult:
    label: str
    sent: int = 0
    received: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    post_ms: list[float] = field(default_factory=list)
    breakdown: dict[str, list[float]] = field(default_factory=dict)
    crashed: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> count, last
    post_errors: int = 0
    cpu_ms_per_application: dict[str, float] = field(default_factory=dict)
    post_error: str = ""

    def figures(self) -> dict[str, Any]:
        lat = sorted(self.latencies_ms)
        return {"sent": self.sent, "received": self.received,
                "p50": percentile(lat, 50), "p90": percentile(lat, 90),
                "p99": percentile(lat, 99), "max": lat[-1] if lat else None,
                "post_p50": percentile(sorted(self.post_ms), 50)}


# Where the time goes between the POST returning and SMTP, from the rows each service wrote
# (all processes share this machine's clock). Inbox `processed_at` is when a handler started.
HOPS = (
    ("applications relay", "POST returned -> application.submitted confirmed by the broker"),
    ("to vetting", "-> vetting consumer starts open_case"),
    ("vetting + relay", "-> vetting.case_opened committed, published and confirmed"),
    ("to notifications", "-> notifications consumer starts its handler"),
    ("notify + sender", "-> notification committed, sender woken, SMTP DATA received"),
)


def hop_breakdown(db_urls: dict[str, str], posted: dict[str, float],
                  smtp: dict[str, float]) -> dict[str, list[float]]:
    """Per application (id -> POST return / SMTP wall times): the milliseconds of each hop."""
    from notifications.models import Notification

    def rows(service: str, query: Any) -> list[Any]:
        engine = create_engine_for(db_urls[service])
        try:
            with engine.connect() as conn:
                return list(conn.execute(query))
        finally:
            engine.dispose()

    def outbox(service: str, event_type: str) -> dict[str, Any]:
        query = select(outbox_table.c.subject, outbox_table.c.event_id,
                       outbox_table.c.published_at).where(outbox_table.c.event_type == event_type)
        return {row.subject: row for row in rows(service, query)}

    def inbox(service: str, handler_suffix: str) -> dict[str, float]:
        query = select(inbox_table.c.event_id, inbox_table.c.processed_at).where(
            inbox_table.c.handler.endswith(handler_suffix))
        return {row.event_id: row.processed_at.timestamp() for row in rows(service, query)}

    submitted = outbox("applications", "application.submitted")
    opened = outbox("vetting", "vetting.case_opened")
    vetting_started = inbox("vetting", ".open_case")
    notify_started = inbox("notifications", ":vetting.case_opened")  # notify:<event type>
    notified = {row.application_id for row in rows("notifications", select(
        Notification.application_id).where(Notification.template == "vetting_started"))}
    hops: dict[str, list[float]] = {name: [] for name, _ in HOPS}
    for application_id, post_wall in posted.items():
        first, second = submitted.get(application_id), opened.get(application_id)
        if (first is None or second is None or application_id not in smtp
                or application_id not in notified or first.published_at is None
                or second.published_at is None or first.event_id not in vetting_started
                or second.event_id not in notify_started):
            continue
        marks = [post_wall, first.published_at.timestamp(), vetting_started[first.event_id],
                 second.published_at.timestamp(), notify_started[second.event_id],
                 smtp[application_id]]
        for (name, _), start, end in zip(HOPS, marks, marks[1:], strict=False):
            hops[name].append((end - start) * 1000)
    return hops


def create_engine_for(url: str) -> Any:
    from shared.db import make_engine

    return make_engine(url, pool_size=1)


def percentile(sorted_values: list[float], pct: float) -> float | None:
    if not sorted_values:
        return None
    rank = max(1, round(pct / 100 * len(sorted_values) + 0.4999))  # nearest rank
    return sorted_values[min(rank, len(sorted_values)) - 1]


def application_body(email: str) -> dict[str, Any]:
    """A complete, ready application (the same sample the demo uses)."""
    from applications.examples import sample_application

    return sample_application(email)


def run_e2e(label: str, stack: Stack, db_urls: dict[str, str], sink: SmtpSink, run: str,
            rate: float, duration: float, warmup: int, drain_timeout: float) -> E2EResult:
    log(f"{label}: migrating")
    for service in SERVICES:  # in process: what `python -m <service> migrate` does
        module = importlib.import_module(f"{service}.service")
        upgrade(load_settings(service, stack.env_for(service)),
                module.definition().migrations_dir)
    org = json.loads(stack.cli("applications", "create-organisation", "--name", "Bench Org",
                               "--fellowship", "AA", "--coordinator-email",
                               "coordinator@example.org").stdout.strip().splitlines()[-1])
    key = json.loads(stack.cli("applications", "create-api-key", org["organisation_id"])
                     .stdout.strip().splitlines()[-1])["api_key"]
    log(f"{label}: starting 12 processes")
    stack.start(smtp=False)
    stack.wait_ready(timeout=90)
    supervisor = Supervisor(label, stack)
    try:
        url = stack.url("applications") + "/applications"
        local = threading.local()

        def post(email: str) -> tuple[str, float, float]:
            """Create the draft, then submit it: the submit emits application.submitted, so the
            clock starts when that POST returns."""
            session = getattr(local, "session", None)
            if session is None:
                session = local.session = requests.Session()
                session.headers["Authorization"] = f"Bearer {key}"
            response = session.post(url, json=application_body(email), timeout=30)
            if response.status_code != 201:
                raise RuntimeError(f"POST /applications: {response.status_code} {response.text}")
            application_id = response.json()["id"]
            response = session.post(f"{url}/{application_id}/submit", json={}, timeout=30)
            returned, returned_wall = time.perf_counter(), time.time()
            if response.status_code != 200:
                raise RuntimeError(f"POST /applications/{application_id}/submit: "
                                   f"{response.status_code} {response.text}")
            return application_id, returned, returned_wall

        def wait_for(emails: list[str], timeout: float) -> None:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if all(sink.arrived(e) is not None for e in emails):
                    return
                time.sleep(0.05)

        # Warm-up (not counted): imports, pools and channels in every process get going.
        warm = [f"warm-{run}-{label}-{i}@example.org" for i in range(warmup)]
        for email in warm:
            post(email)
        wait_for(warm, 60)
        if all(sink.arrived(e) is None for e in warm):
            raise RuntimeError(f"{label}: no warm-up notification reached SMTP; "
                               f"see {stack.var_dir / 'logs'}")

        log(f"{label}: {rate:g}/s for {duration:g}s")
        total = int(rate * duration)
        emails = [f"e2e-{run}-{label}-{i}@example.org" for i in range(total)]
        futures = []
        cpu_before = cpu_seconds(stack)
        with ThreadPoolExecutor(max_workers=16) as pool:
            t0 = time.perf_counter() + 0.1
            for i, email in enumerate(emails):
                delay = t0 + i / rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                futures.append((email, time.perf_counter(), pool.submit(post, email)))
        wait_for(emails, drain_timeout)
        cpu_after = cpu_seconds(stack)
        result = E2EResult(label, sent=total)
        result.cpu_ms_per_application = {
            name: round((cpu_after[name] - cpu_before.get(name, 0.0)) * 1000 / total, 1)
            for name in cpu_after}
        posted_wall: dict[str, float] = {}
        smtp_wall: dict[str, float] = {}
        for email, started, future in futures:
            try:
                application_id, returned, returned_wall = future.result()
            except (requests.RequestException, RuntimeError) as exc:
                result.post_errors += 1
                result.post_error = result.post_error or str(exc)[:300]
                continue
            result.post_ms.append((returned - started) * 1000)
            arrived = sink.arrived(email)
            if arrived is not None:
                result.received += 1
                result.latencies_ms.append((arrived[0] - returned) * 1000)
                posted_wall[application_id] = returned_wall
                smtp_wall[application_id] = arrived[1]
        try:
            result.breakdown = hop_breakdown(db_urls, posted_wall, smtp_wall)
        except Exception as exc:  # noqa: BLE001 - a diagnostic: never lose the main figures
            log(f"{label}: no hop breakdown: {exc!r}")
    finally:
        supervisor.stop()
    result.crashed = supervisor.crashed
    log(f"{label}: stopping")
    stack.stop()
    return result


def cpu_seconds(stack: Stack) -> dict[str, float]:
    """CPU time (user + system) so far of each stack process and its children, by name: every
    process of the stack leads its own process group (gunicorn's workers included)."""
    ticks = os.sysconf("SC_CLK_TCK")
    by_group: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        group = int(fields[2])  # pgrp (fields counted after the command name)
        by_group[group] = by_group.get(group, 0.0) + (int(fields[11]) + int(fields[12])) / ticks
    return {name: by_group.get(process.pid, 0.0) for name, process in stack.processes.items()}


class Supervisor:
    """Restarts a stack process that dies, as a process supervisor (compose's `restart:
    unless-stopped`) would, and notes each death with the last line of its log."""

    def __init__(self, label: str, stack: Stack) -> None:
        self.label = label
        self.stack = stack
        self.crashed: dict[str, dict[str, Any]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.wait(0.2):
            for name, process in list(self.stack.processes.items()):
                if process.poll() is None or self._stop.is_set():
                    continue
                lines = (self.stack.var_dir / "logs" / f"{name}.log").read_text(
                    errors="replace").strip().splitlines()
                last = lines[-1][:300] if lines else f"exit {process.returncode}"
                entry = self.crashed.setdefault(name, {"count": 0, "last": last})
                entry["count"] += 1
                entry["last"] = last
                log(f"{self.label}: {name} died ({last}); restarting it")
                self.stack.restart(name)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


# ------------------------------------------------------------------------------------------
# The run
# ------------------------------------------------------------------------------------------

def fmt(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def _interrupt(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--confirm-messages", type=int, default=2000)
    parser.add_argument("--window", type=int, default=100)
    parser.add_argument("--backlog", type=int, default=10000, help="outbox rows for the relay")
    parser.add_argument("--consume", type=int, default=5000,
                        help="events for the raw and the trivial-handler consumer")
    parser.add_argument("--consume-real", type=int, default=2000,
                        help="events for the consumer with vetting's real handler")
    parser.add_argument("--hops", type=int, default=300)
    parser.add_argument("--rate", type=float, default=20.0, help="applications per second")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per e2e mode")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--skip-embedded", action="store_true")
    args = parser.parse_args()
    if args.backlog < args.consume + args.consume_real:
        parser.error("--backlog must cover --consume + --consume-real (the relay feeds them)")

    run = uuid.uuid4().hex[:8]
    resources = Resources(run)
    # SIGTERM (e.g. a CI timeout) must still clean up: turn it into an exception.
    signal.signal(signal.SIGTERM, _interrupt)
    out: dict[str, Any] = {"bench": "backbone", "run": run,
                           "loadavg_start": [round(x, 2) for x in os.getloadavg()]}
    started = time.monotonic()
    try:
        measure(args, run, resources, out)
    except BaseException:
        traceback.print_exc()
        out["error"] = traceback.format_exc().strip().splitlines()[-1]
        raise
    finally:
        log("cleaning up: processes, databases, broker objects, temp dirs")
        resources.close()
        out["wall_s"] = round(time.monotonic() - started, 1)
        out["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
        print(json.dumps(out, sort_keys=False), flush=True)
    return 0


def measure(args: argparse.Namespace, run: str, resources: Resources,
            out: dict[str, Any]) -> None:
    from applications.service import definition as applications_definition
    from vetting.service import definition as vetting_definition

    # ---- micro benchmarks: one applications and one vetting database, prefix `bench<run>m.`
    micro_prefix = resources.broker_prefix("m")
    relay_db = resources.database("relay")
    consumer_db = resources.database("consumer")
    micro_env = {"BROKER_URL": AMQP_URL, "BROKER_PREFIX": micro_prefix, **DEPLOYMENT_ENV,
                 **GUEST_FOR_ALL,
                 "VAR_DIR": str(resources.temp_dir("micro"))}
    app_settings = load_settings("applications", {**micro_env, "DATABASE_URL": relay_db})
    vet_settings = load_settings("vetting", {**micro_env, "DATABASE_URL": consumer_db})
    upgrade(app_settings, applications_definition().migrations_dir)
    upgrade(vet_settings, vetting_definition().migrations_dir)
    topology = Topology(app_settings)
    vetting_inbox = topology.inbox_name("vetting")
    notifications_inbox = topology.inbox_name("notifications")

    log("building events")
    envelopes = bodies(run, max(args.backlog, args.consume, args.confirm_messages))
    with Connection(AMQP_URL) as admin:
        topology.declare_all(admin)

        log("publishing: raw confirm per message")
        out["raw_confirm_per_s"] = round(
            bench_raw_confirm(app_settings, envelopes[:args.confirm_messages]))
        purge(admin, vetting_inbox, notifications_inbox)

        log(f"publishing: raw windowed confirms (window {args.window})")
        out["raw_windowed_per_s"] = round(
            bench_raw_windowed(app_settings, envelopes[:args.backlog], args.window))
        # The baseline's copies in the vetting inbox feed the raw consume baseline.
        purge(admin, notifications_inbox)

        log("consuming: raw kombu consumer, manual ack")
        depth = queue_depth(admin, vetting_inbox)
        if depth < args.consume:
            raise RuntimeError(f"vetting inbox holds {depth} < {args.consume}")
        out["raw_consume_per_s"] = round(
            bench_raw_consume(vetting_inbox, args.consume, vet_settings.consumer_prefetch))
        purge(admin, vetting_inbox, notifications_inbox)

        log(f"publishing: our relay, backlog of {args.backlog} outbox rows")
        relay = bench_relay(app_settings, envelopes[:args.backlog])
        depth = queue_depth(admin, vetting_inbox)
        if depth != args.backlog:
            raise RuntimeError(f"relay: {depth} messages routed to the vetting inbox, "
                               f"expected {args.backlog}")
        out["relay_per_s"] = round(relay["per_s"])
        out["relay_batches"] = relay["batches"]
        out["relay_batch_ms_p50"] = round(relay["batch_ms_p50"], 1)
        out["relay_vs_raw_confirm"] = round(relay["per_s"] / out["raw_confirm_per_s"], 2)
        out["relay_vs_raw_windowed"] = round(relay["per_s"] / out["raw_windowed_per_s"], 2)
        purge(admin, notifications_inbox)

        # The relay's output (valid events with unique ids) is the consumers' input: the
        # first `consume` events with the trivial handler, the next with the real one.
        log(f"consuming: our EventConsumer, trivial handler, {args.consume} events")
        consumer = bench_consumer(vet_settings, args.consume, real_handler=False)
        out["consumer_per_s"] = round(consumer["per_s"])
        out["consumer_vs_raw_consume"] = round(consumer["per_s"] / out["raw_consume_per_s"], 2)
        log(f"consuming: our EventConsumer, vetting's open_case, {args.consume_real} events")
        consumer = bench_consumer(vet_settings, args.consume_real, real_handler=True)
        out["consumer_open_case_per_s"] = round(consumer["per_s"])
        purge(admin, vetting_inbox)

    log("the bare broker hop")
    hop = bench_hop(app_settings, args.hops)
    out["raw_hop_p50_ms"] = round(hop["p50"], 2)
    out["raw_hop_p99_ms"] = round(hop["p99"], 2)

    # ---- end to end on PostgreSQL + RabbitMQ
    smtp_port = free_port()
    sink = resources.smtp(SmtpSink(smtp_port))
    e2e_prefix = resources.broker_prefix("e")
    urls = {service: resources.database(service) for service in SERVICES}
    real = resources.stack(Stack(
        var_dir=resources.temp_dir("real"),
        base_env={"BROKER_URL": AMQP_URL, "BROKER_PREFIX": e2e_prefix, **DEPLOYMENT_ENV,
                  **GUEST_FOR_ALL,
                  "SMTP_PORT": str(smtp_port), "SMTP_HOST": "127.0.0.1"},
        database_urls=urls, ports={service: free_port() for service in SERVICES},
        smtp_port=smtp_port, web_workers=2))
    result = run_e2e("rabbitmq", real, urls, sink, run, args.rate, args.duration, args.warmup,
                     30)
    record_e2e(out, "e2e", result)

    # ---- end to end on the embedded default (SQLite + kombu's filesystem transport)
    if not args.skip_embedded:
        var_dir = resources.temp_dir("embedded")
        embedded = resources.stack(Stack(
            var_dir=var_dir,
            base_env={"DATABASE_URL": "", "BROKER_URL": "", "BROKER_PREFIX": "",
                      "SMTP_PORT": str(smtp_port), "SMTP_HOST": "127.0.0.1"},
            ports={service: free_port() for service in SERVICES}, smtp_port=smtp_port,
            web_workers=2))
        sqlite_urls = {service: f"sqlite:///{var_dir / (service + '.db')}"
                       for service in SERVICES}
        result = run_e2e("embedded", embedded, sqlite_urls, sink, run, args.rate,
                         args.duration, args.warmup, 30)
        record_e2e(out, "embedded_e2e", result)
    out["rate_per_s"], out["duration_s"] = args.rate, args.duration
    out["backlog"], out["consume_events"] = args.backlog, args.consume
    out["consume_real_events"] = args.consume_real
    print_table(out, args)


def record_e2e(out: dict[str, Any], prefix: str, result: E2EResult) -> None:
    figures = result.figures()
    for key in ("p50", "p90", "p99", "max", "post_p50"):
        value = figures[key]
        out[f"{prefix}_{key}_ms"] = round(value, 1) if value is not None else None
    out[f"{prefix}_sent"], out[f"{prefix}_received"] = figures["sent"], figures["received"]
    out[f"{prefix}_crashed"] = result.crashed
    out[f"{prefix}_post_errors"] = result.post_errors
    out[f"{prefix}_cpu_ms_per_application"] = result.cpu_ms_per_application
    if result.post_error:
        out[f"{prefix}_post_error"] = result.post_error
    out[f"{prefix}_hops_ms"] = {
        name: [round(percentile(sorted(values), 50), 1), round(percentile(sorted(values), 99), 1)]
        for name, values in result.breakdown.items() if values}


def print_table(out: dict[str, Any], args: argparse.Namespace) -> None:
    def line(name: str, value: str, note: str = "") -> None:
        print(f"  {name:<48} {value:>14}   {note}".rstrip())

    def hops(prefix: str) -> None:
        measured = out.get(f"{prefix}_hops_ms", {})
        for name, what in HOPS:
            p50, p99 = measured.get(name, (None, None))
            line(f"  {name}", f"p50 {fmt(p50, 1)} ms", f"p99 {fmt(p99, 1)} ms  {what}")
        cpu = out.get(f"{prefix}_cpu_ms_per_application", {})
        if cpu:
            top = sorted(cpu.items(), key=lambda item: -item[1])
            print(f"    CPU ms per application: {sum(cpu.values()):.0f} in all; "
                  + ", ".join(f"{name} {ms:g}" for name, ms in top[:6]))
        if out.get(f"{prefix}_post_errors"):
            print(f"    !! {out[f'{prefix}_post_errors']} POSTs failed: "
                  f"{out.get(f'{prefix}_post_error', '')[:100]}")
        for name, crash in out.get(f"{prefix}_crashed", {}).items():
            print(f"    !! {name} died {crash['count']}x during the run (restarted): "
                  f"{crash['last'][:100]}")

    relay_ok = out["relay_vs_raw_confirm"] >= 3
    consumer_ok = out["consumer_per_s"] >= 500
    print()
    print("publishing  (persistent application.submitted, routed to the vetting inbox)")
    line(f"raw kombu, confirm_publish=True ({args.confirm_messages})",
         f"{fmt(out['raw_confirm_per_s'])} /s", "one confirm wait per message")
    line(f"raw windowed confirms, window {args.window} ({args.backlog})",
         f"{fmt(out['raw_windowed_per_s'])} /s", "confirm_select + basic_ack")
    line(f"our OutboxRelay.publish_once, backlog {args.backlog}",
         f"{fmt(out['relay_per_s'])} /s",
         f"{out['relay_vs_raw_confirm']:.2f}x raw confirm, "
         f"{out['relay_vs_raw_windowed']:.2f}x windowed  [goal >= 3x: {verdict(relay_ok)}]")
    print(f"consuming  (vetting inbox, {args.consume} events each, prefetch 50)")
    line("raw kombu Consumer, manual ack", f"{fmt(out['raw_consume_per_s'])} /s")
    line("our EventConsumer, trivial handler", f"{fmt(out['consumer_per_s'])} /s",
         f"{out['consumer_vs_raw_consume']:.2f}x raw  [goal >= 500/s: {verdict(consumer_ok)}]")
    line(f"our EventConsumer, vetting's open_case ({args.consume_real})",
         f"{fmt(out['consumer_open_case_per_s'])} /s",
         "real handler: + a case row and an outbox row per event")
    print(f"end to end  (POST returned -> SMTP DATA; {args.rate:g}/s for {args.duration:g}s; "
          "applications -> vetting -> notifications)")
    line("bare broker hop, confirmed publish -> delivery",
         f"p50 {fmt(out['raw_hop_p50_ms'], 2)} ms", f"p99 {fmt(out['raw_hop_p99_ms'], 2)} ms")
    p50, p99 = out["e2e_p50_ms"], out["e2e_p99_ms"]
    ok = (p50 is not None and p50 <= 50 and p99 <= 300
          and out["e2e_received"] == out["e2e_sent"])
    line(f"PostgreSQL + RabbitMQ ({out['e2e_received']}/{out['e2e_sent']} delivered)",
         f"p50 {fmt(p50, 1)} ms",
         f"p99 {fmt(p99, 1)} ms  [goal p50 <= 50, p99 <= 300: {verdict(ok)}]")
    hops("e2e")
    if "embedded_e2e_p50_ms" in out:
        p50, p99 = out["embedded_e2e_p50_ms"], out["embedded_e2e_p99_ms"]
        ok = p50 is not None and p50 <= 300 and (
            out["embedded_e2e_received"] == out["embedded_e2e_sent"])
        line(f"embedded: SQLite + filesystem "
             f"({out['embedded_e2e_received']}/{out['embedded_e2e_sent']} delivered)",
             f"p50 {fmt(p50, 1)} ms", f"p99 {fmt(p99, 1)} ms  [goal p50 <= 300: {verdict(ok)}]")
        hops("embedded_e2e")
    print(flush=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception:  # noqa: BLE001 - already reported; the JSON line carries the error
        sys.exit(1)
