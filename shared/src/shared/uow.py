"""Unit of work: business rows and outgoing events commit in one transaction.

`emit()` validates the event against the catalogue and writes it to the outbox table in the
same session as the state change; the relay publishes it after commit. Nothing is published
that was not committed, and nothing committed is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from shared.clock import Clock
from shared.context import current_correlation_id, new_correlation_id
from shared.db import outbox_table
from shared.event_copies import mentions
from shared.events import Envelope, EventRegistry
from shared.messaging.topology import Topology

OUTBOX_CHANNEL = "outbox"


class UnitOfWork:
    def __init__(
        self,
        session_factory: sessionmaker,
        *,
        source: str,
        registry: EventRegistry,
        topology: Topology,
        clock: Clock,
        correlation_id: str | None = None,
        causation_id: str | None = None,
    ) -> None:
        self._session_factory = session_factory
        self.source = source
        self.registry = registry
        self.topology = topology
        self.clock = clock
        self.correlation_id = correlation_id or current_correlation_id() or new_correlation_id()
        self.causation_id = causation_id
        self.emitted: list[Envelope] = []
        self._after_commit: list[Callable[[], None]] = []
        self._session: Session | None = None

    def now(self) -> datetime:
        return self.clock.now()

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("unit of work used outside its `with` block")
        return self._session

    def __enter__(self) -> UnitOfWork:
        self._session = self._session_factory()
        self._session.begin()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self._session, None
        if session is None:
            return
        try:
            if session.in_transaction():
                session.rollback()
        finally:
            session.close()

    def emit(
        self, event_type: str, subject: str, data: dict[str, Any], version: int | None = None
    ) -> Envelope:
        spec = (
            self.registry.get(event_type, version) if version else self.registry.latest(event_type)
        )
        if spec.source != self.source:
            raise ValueError(f"{self.source} may not publish {event_type}")
        envelope = Envelope(
            type=event_type,
            version=spec.version,
            source=self.source,
            subject=subject,
            data=self.registry.validate(event_type, spec.version, data),
            correlation_id=self.correlation_id,
            causation_id=self.causation_id,
            occurred_at=self.clock.now(),
        )
        row = insert(outbox_table).values(
            event_id=envelope.id,
            event_type=envelope.type,
            exchange=self.topology.exchange_for(envelope.type).name,
            routing_key=envelope.type,
            subject=envelope.subject,
            correlation_id=envelope.correlation_id,
            body=(body := envelope.to_json()),
            mentions=mentions(body),
            created_at=self.clock.now(),
            published_at=None,
        )
        if not self.emitted and self.session.get_bind().dialect.name == "postgresql":
            # The relay's LISTEN hears this only when the transaction commits. One round trip:
            # WITH inserted AS (INSERT … RETURNING id) SELECT pg_notify(…) FROM inserted.
            inserted = row.returning(outbox_table.c.id).cte("inserted")
            self.session.execute(select(func.pg_notify(OUTBOX_CHANNEL, "")).select_from(inserted))
        else:
            self.session.execute(row)
        self.emitted.append(envelope)
        return envelope

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._after_commit.append(callback)

    def commit(self) -> None:
        self.session.commit()
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()
