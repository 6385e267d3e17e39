"""The outbox relay: publishes committed outbox rows, then marks them sent.

A batch is claimed in id order (`FOR UPDATE SKIP LOCKED` on PostgreSQL, under a transaction-level
advisory lock so that a second relay is a hot standby and per-subject order holds), published with
windowed publisher confirms, and marked sent in the same transaction only after the broker acked
every message. A relay killed between publish and mark re-publishes those rows; consumers dedupe
by event id.

Latency: on PostgreSQL the relay LISTENs on the channel that `UnitOfWork.emit` NOTIFYs at commit,
so it wakes at once; on SQLite it polls quickly while there is work and backs off when idle.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import psycopg
from sqlalchemy import Engine, func, select, text, update

from shared.clock import Clock
from shared.db import outbox_table
from shared.heartbeat import Heartbeat
from shared.messaging.publisher import BrokerPublisher, OutgoingMessage
from shared.uow import OUTBOX_CHANNEL

log = logging.getLogger(__name__)

# Any constant works: it names "the outbox relay" among advisory locks of this database.
RELAY_LOCK_KEY = 0x0B7B0C5


class OutboxRelay:
    def __init__(
        self,
        engine: Engine,
        publisher: BrokerPublisher,
        *,
        clock: Clock,
        batch_size: int = 500,
        idle_wait_s: float = 0.25,
        heartbeat: Heartbeat | None = None,
    ) -> None:
        self.engine = engine
        self.heartbeat = heartbeat
        self.clock = clock
        self.publisher = publisher
        self.batch_size = batch_size
        self.idle_wait_s = idle_wait_s
        self.is_postgres = engine.dialect.name == "postgresql"
        self.should_stop = threading.Event()
        self.published_total = 0

    def publish_once(self) -> int:
        """Publish one batch; return how many rows were published."""
        with self.engine.begin() as conn:
            if self.is_postgres:
                got_lock = conn.execute(
                    text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": RELAY_LOCK_KEY}
                ).scalar()
                if not got_lock:
                    return 0
            query = (
                select(
                    outbox_table.c.id,
                    outbox_table.c.event_id,
                    outbox_table.c.event_type,
                    outbox_table.c.exchange,
                    outbox_table.c.routing_key,
                    outbox_table.c.correlation_id,
                    outbox_table.c.body,
                )
                .where(outbox_table.c.published_at.is_(None))
                .order_by(outbox_table.c.id)
                .limit(self.batch_size)
            )
            if self.is_postgres:
                query = query.with_for_update(skip_locked=True)
            rows = conn.execute(query).all()
            if not rows:
                return 0
            self.publisher.publish_batch([_message(row) for row in rows])
            conn.execute(
                update(outbox_table)
                .where(outbox_table.c.id.in_([row.id for row in rows]))
                .values(published_at=self.clock.now())
            )
        self.published_total += len(rows)
        return len(rows)

    def run(self) -> None:
        log.info("outbox relay started", extra={"postgres": self.is_postgres})
        with self._wakeups() as wait:
            idle_wait = 0.005
            while not self.should_stop.is_set():
                if self.heartbeat is not None:
                    self.heartbeat.beat()
                try:
                    published = self.publish_once()
                except Exception as exc:  # noqa: BLE001 - broker or database away: back off
                    log.warning("relay batch failed, retrying: %s", exc)
                    self.publisher.reset()
                    self.should_stop.wait(1.0)
                    continue
                if published >= self.batch_size:
                    continue
                if published:
                    idle_wait = 0.005
                    if not self.is_postgres:
                        continue  # SQLite: look again at once, more may have committed
                    # PostgreSQL: whatever committed after our snapshot has NOTIFYed the
                    # listener, so wait for that rather than query an outbox just drained.
                wait(idle_wait)
                idle_wait = min(idle_wait * 2, self.idle_wait_s)

    def stop(self) -> None:
        self.should_stop.set()

    @contextmanager
    def _wakeups(self) -> Iterator[Any]:
        if not self.is_postgres:
            yield lambda timeout: self.should_stop.wait(timeout)
            return
        listener = _Listener(self.engine)
        try:
            yield lambda timeout: listener.wait(max(timeout, self.idle_wait_s))
        finally:
            listener.close()


class _Listener:
    """A dedicated autocommit connection LISTENing for outbox commits."""

    def __init__(self, engine: Engine) -> None:
        self.url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.conn: psycopg.Connection | None = None

    def wait(self, timeout: float) -> None:
        try:
            if self.conn is None or self.conn.closed:
                self.conn = psycopg.connect(self.url, autocommit=True, connect_timeout=2)
                self.conn.execute(f"LISTEN {OUTBOX_CHANNEL}")
            for _ in self.conn.notifies(timeout=timeout, stop_after=1):
                pass
        except psycopg.Error:
            self.close()
            time.sleep(min(timeout, 0.5))

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            finally:
                self.conn = None


def _message(row: Any) -> OutgoingMessage:
    return OutgoingMessage(
        exchange=row.exchange,
        routing_key=row.routing_key,
        body=row.body,
        message_id=row.event_id,
        correlation_id=row.correlation_id,
        event_type=row.event_type,
    )


def relay_lag(engine: Engine, now: datetime) -> dict[str, Any]:
    """How many rows wait to be published, and how old the oldest is."""
    with engine.connect() as conn:
        count, oldest = conn.execute(
            select(func.count(), func.min(outbox_table.c.created_at)).where(
                outbox_table.c.published_at.is_(None)
            )
        ).one()
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    age = (now - oldest).total_seconds() if oldest else 0.0
    return {"unpublished": count, "oldest_age_s": round(age, 3)}


def replay_since(engine: Engine, since: datetime) -> int:
    """Mark rows created since `since` unpublished again; the relay re-publishes them and
    consumers dedupe what they already had. The documented recovery for lost messages."""
    with engine.begin() as conn:
        result = conn.execute(
            update(outbox_table)
            .where(outbox_table.c.created_at >= since)
            .where(outbox_table.c.published_at.is_not(None))
            .values(published_at=None)
        )
    return result.rowcount
