"""Prometheus metrics of a web process: its HTTP traffic, counted across every gunicorn worker
(prometheus_client's multiprocess mode, which the `web` command switches on), and the state an
operator alerts on — outbox lag, dead letters, the inbox queue, and each service's own (cases
waiting, notifications by state) — read from the database and the broker when scraped, so any
worker answers for the whole service.

A scrape never fails because a dependency is away: what cannot be read is left out, and
`service_dependency_up{dependency=…}` says so.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from flask import Flask, Response, abort, g, request
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from shared.db import dead_letters_table, outbox_table
from shared.platform import Platform
from shared.web.metrics_access import MetricsDoor

log = logging.getLogger(__name__)

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
StateReader = Callable[[Platform], Iterable[Metric]]


class AppMetrics:
    """The app's own counters (one registry per app: several apps in one test process must not
    share collectors). In multiprocess mode their values also go to the shared folder."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._counters: dict[str, Counter] = {}

    def counter(self, name: str, documentation: str, labels: Iterable[str]) -> Counter:
        if name not in self._counters:
            self._counters[name] = Counter(
                name, documentation, list(labels), registry=self.registry
            )
        return self._counters[name]


def install_metrics(
    app: Flask, platform: Platform, door: MetricsDoor, service_state: StateReader | None
) -> AppMetrics:
    metrics = AppMetrics()
    requests_total = metrics.counter(
        "http_requests_total", "HTTP requests", ["method", "endpoint", "status"]
    )
    latency = Histogram(
        "http_request_duration_seconds",
        "HTTP request latency",
        ["endpoint"],
        registry=metrics.registry,
    )
    state = CollectorRegistry(auto_describe=False)
    state.register(_StateCollector(platform, service_state))

    @app.after_request
    def observe(response: Response) -> Response:
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        requests_total.labels(request.method, endpoint, str(response.status_code)).inc()
        if "started" in g:
            latency.labels(endpoint).observe(time.perf_counter() - g.started)
        return response

    @app.get("/metrics")
    def scrape():
        if not door.admits():
            abort(404)
        body = generate_latest(_traffic(metrics.registry)) + generate_latest(state)
        return Response(body, mimetype=CONTENT_TYPE_LATEST)

    app.extensions["metrics"] = metrics
    return metrics


def _traffic(own: CollectorRegistry) -> CollectorRegistry:
    """Every worker's counts in multiprocess mode; this process's otherwise."""
    if not os.environ.get(MULTIPROCESS_ENV):
        return own
    every_worker = CollectorRegistry()
    MultiProcessCollector(every_worker)
    return every_worker


class _StateCollector(Collector):
    def __init__(self, platform: Platform, service_state: StateReader | None) -> None:
        self.platform = platform
        self.service_state = service_state

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "service_dependency_up",
            "Whether the scrape could read the dependency (1) or not (0)",
            labels=["dependency"],
        )
        try:
            yield from _outbox_and_dead_letters(self.platform)
            if self.service_state is not None:
                yield from self.service_state(self.platform)
            up.add_metric(["database"], 1)
        except Exception as exc:  # noqa: BLE001 - a scrape answers even without its database
            log.warning("metrics: database not read: %s", exc)
            up.add_metric(["database"], 0)
        try:
            yield from _inbox_queue(self.platform)
            up.add_metric(["broker"], 1)
        except Exception as exc:  # noqa: BLE001 - nor without the broker
            log.warning("metrics: broker not read: %s", exc)
            up.add_metric(["broker"], 0)
        yield up


def _outbox_and_dead_letters(platform: Platform) -> Iterator[Metric]:
    now = platform.clock.now()
    with platform.engine.connect() as conn:
        unsent, oldest = conn.execute(
            select(func.count(), func.min(outbox_table.c.created_at)).where(
                outbox_table.c.published_at.is_(None)
            )
        ).one()
        dead = conn.execute(
            select(func.count())
            .select_from(dead_letters_table)
            .where(dead_letters_table.c.replayed_at.is_(None))
        ).scalar_one()
    yield GaugeMetricFamily(
        "outbox_unsent_messages", "Committed events not yet published", value=unsent
    )
    yield GaugeMetricFamily(
        "outbox_oldest_unsent_age_seconds",
        "How long the oldest unpublished event has waited (0 when none)",
        value=max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0,
    )
    yield GaugeMetricFamily(
        "dead_letters_unreplayed",
        "Events a handler could not process, not yet replayed",
        value=dead,
    )


def _inbox_queue(platform: Platform) -> Iterator[Metric]:
    service = platform.settings.service
    with platform.connection() as connection:
        connection.ensure_connection(max_retries=1, timeout=2)
        queue = platform.topology.inbox_queue(service)(connection.default_channel)
        _name, messages, consumers = queue.queue_declare(passive=True)
    yield GaugeMetricFamily(
        "inbox_queue_messages", "Events waiting in this service's inbox queue", value=messages
    )
    yield GaugeMetricFamily(
        "inbox_queue_consumers", "Consumers on this service's inbox queue", value=consumers
    )


def gauge_by(name: str, documentation: str, label: str, values: dict[str, float]) -> Metric:
    """A gauge with one sample per label value (a service's own state metrics)."""
    family = GaugeMetricFamily(name, documentation, labels=[label])
    for key, value in sorted(values.items()):
        family.add_metric([key], value)
    return family


def count(app: Any, name: str, documentation: str, **labels: str) -> None:
    """Add one to an app's own counter (`count(app, "gate_answers_total", …, outcome=…)`)."""
    metrics: AppMetrics = app.extensions["metrics"]
    metrics.counter(name, documentation, sorted(labels)).labels(**labels).inc()
