"""The backbone end to end: applications created and submitted at a fixed rate through a whole
stack (twelve processes), the clock running from the submit's return to the notification's SMTP
DATA at an in-process sink, with where the time went (hop by hop, from the rows each service
wrote), CPU per application, and any process that died (restarted, and noted)."""

from __future__ import annotations

import importlib
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import requests
from aiosmtpd.controller import Controller
from harness import log, percentile
from procs import Supervisor, cpu_seconds
from sqlalchemy import select

from devstack.stack import Stack
from shared.config import load_settings
from shared.db import inbox_table, outbox_table
from shared.messaging.topology import SERVICES
from shared.migrations import upgrade


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
        return {
            "sent": self.sent,
            "received": self.received,
            "p50": percentile(lat, 50),
            "p90": percentile(lat, 90),
            "p99": percentile(lat, 99),
            "max": lat[-1] if lat else None,
            "post_p50": percentile(self.post_ms, 50),
        }


# Where the time goes between the POST returning and SMTP, from the rows each service wrote
# (all processes share this machine's clock). Inbox `processed_at` is when a handler started.
HOPS = (
    ("applications relay", "POST returned -> application.submitted confirmed by the broker"),
    ("to vetting", "-> vetting consumer starts open_case"),
    ("vetting + relay", "-> vetting.case_opened committed, published and confirmed"),
    ("to notifications", "-> notifications consumer starts its handler"),
    ("notify + sender", "-> notification committed, sender woken, SMTP DATA received"),
)


def hop_breakdown(
    db_urls: dict[str, str], posted: dict[str, float], smtp: dict[str, float]
) -> dict[str, list[float]]:
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
        query = select(
            outbox_table.c.subject, outbox_table.c.event_id, outbox_table.c.published_at
        ).where(outbox_table.c.event_type == event_type)
        return {row.subject: row for row in rows(service, query)}

    def inbox(service: str, handler_suffix: str) -> dict[str, float]:
        query = select(inbox_table.c.event_id, inbox_table.c.processed_at).where(
            inbox_table.c.handler.endswith(handler_suffix)
        )
        return {row.event_id: row.processed_at.timestamp() for row in rows(service, query)}

    submitted = outbox("applications", "application.submitted")
    opened = outbox("vetting", "vetting.case_opened")
    vetting_started = inbox("vetting", ".open_case")
    notify_started = inbox("notifications", ":vetting.case_opened")  # notify:<event type>
    notified = {
        row.application_id
        for row in rows(
            "notifications",
            select(Notification.application_id).where(Notification.template == "vetting_started"),
        )
    }
    hops: dict[str, list[float]] = {name: [] for name, _ in HOPS}
    for application_id, post_wall in posted.items():
        first, second = submitted.get(application_id), opened.get(application_id)
        if (
            first is None
            or second is None
            or application_id not in smtp
            or application_id not in notified
            or first.published_at is None
            or second.published_at is None
            or first.event_id not in vetting_started
            or second.event_id not in notify_started
        ):
            continue
        marks = [
            post_wall,
            first.published_at.timestamp(),
            vetting_started[first.event_id],
            second.published_at.timestamp(),
            notify_started[second.event_id],
            smtp[application_id],
        ]
        for (name, _), start, end in zip(HOPS, marks, marks[1:], strict=False):
            hops[name].append((end - start) * 1000)
    return hops


def create_engine_for(url: str) -> Any:
    from shared.db import make_engine

    return make_engine(url, pool_size=1)


def application_body(email: str) -> dict[str, Any]:
    """A complete, ready application (the same sample the demo uses)."""
    from applications.schemas.examples import sample_application

    return sample_application(email)


def run_e2e(
    label: str,
    stack: Stack,
    db_urls: dict[str, str],
    sink: SmtpSink,
    run: str,
    rate: float,
    duration: float,
    warmup: int,
    drain_timeout: float,
    while_loaded: Callable[[Stack], Callable[[], None]] | None = None,
) -> E2EResult:
    """`while_loaded(stack)` is called as the measured load starts (after the warm-up); what
    it returns, once every notification has arrived (bench/profile.py records the processes)."""
    log(f"{label}: migrating")
    for service in SERVICES:  # in process: what `python -m <service> migrate` does
        module = importlib.import_module(f"{service}.service")
        upgrade(load_settings(service, stack.env_for(service)), module.definition().migrations_dir)
    org = json.loads(
        stack.cli(
            "applications",
            "create-organisation",
            "--name",
            "Bench Org",
            "--fellowship",
            "AA",
            "--coordinator-email",
            "coordinator@example.org",
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    key = json.loads(
        stack.cli("applications", "create-api-key", org["organisation_id"])
        .stdout.strip()
        .splitlines()[-1]
    )["api_key"]
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
                raise RuntimeError(
                    f"POST /applications/{application_id}/submit: "
                    f"{response.status_code} {response.text}"
                )
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
            raise RuntimeError(
                f"{label}: no warm-up notification reached SMTP; see {stack.var_dir / 'logs'}"
            )

        log(f"{label}: {rate:g}/s for {duration:g}s")
        total = int(rate * duration)
        emails = [f"e2e-{run}-{label}-{i}@example.org" for i in range(total)]
        futures = []
        cpu_before = cpu_seconds(stack)
        finish = while_loaded(stack) if while_loaded is not None else None
        with ThreadPoolExecutor(max_workers=16) as pool:
            t0 = time.perf_counter() + 0.1
            for i, email in enumerate(emails):
                delay = t0 + i / rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                futures.append((email, time.perf_counter(), pool.submit(post, email)))
        wait_for(emails, drain_timeout)
        if finish is not None:
            finish()
        cpu_after = cpu_seconds(stack)
        result = E2EResult(label, sent=total)
        result.cpu_ms_per_application = {
            name: round((cpu_after[name] - cpu_before.get(name, 0.0)) * 1000 / total, 1)
            for name in cpu_after
        }
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
        name: [None if (p := percentile(values, q)) is None else round(p, 1) for q in (50, 99)]
        for name, values in result.breakdown.items()
        if values
    }
