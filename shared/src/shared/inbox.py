"""The inbox side of consuming: an event's handlers run each exactly once, dead letters kept.

`Dispatcher` parses a message into an `Event`, runs each of its handlers in a transaction of its
own together with an inbox row keyed by (event id, handler), so a redelivered event is a
harmless duplicate; it records dead letters in the service's `dead_letters` table and replays
them. Guards registered on the platform (shared.handlers.Guard, e.g. shared.erasure's) may drop
an event before any handler sees it. The receiving loop and its retry policy: shared.consumer.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from marshmallow import ValidationError
from sqlalchemy import exc as sa_exc
from sqlalchemy import insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from shared.clock import Clock
from shared.config import Settings
from shared.db import dead_letters_table, inbox_table
from shared.event_copies import mentions
from shared.events import Envelope, EventRegistry, UnknownEvent
from shared.handlers import Event, Guard, Handler, PermanentError, handler_name
from shared.messaging.topology import Topology
from shared.messaging.trust import is_untrusted
from shared.uow import UnitOfWork

if TYPE_CHECKING:
    from shared.platform import Platform

log = logging.getLogger(__name__)


class Dispatcher:
    """Runs the handlers of an event, each once, in a transaction with its inbox row."""

    def __init__(
        self,
        settings: Settings,
        session_factory: sessionmaker,
        registry: EventRegistry,
        topology: Topology,
        handlers: Mapping[str, Sequence[Handler]],
        *,
        clock: Clock,
        guards: Sequence[Guard] = (),
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.session_factory = session_factory
        self.registry = registry
        self.topology = topology
        self.handlers = handlers
        self.guards = tuple(guards)
        self.stats = {
            "processed": 0,
            "duplicates": 0,
            "dead_lettered": 0,
            "unknown": 0,
            **{guard.name: 0 for guard in self.guards},
        }

    @classmethod
    def for_platform(
        cls, platform: Platform, handlers: Mapping[str, Sequence[Handler]]
    ) -> Dispatcher:
        return cls(
            platform.settings,
            platform.session_factory,
            platform.registry,
            platform.topology,
            handlers,
            clock=platform.clock,
            guards=platform.guards,
        )

    def parse(self, raw: str) -> Event | None:
        """Envelope and data, validated. None for a type we do not know (acked and logged).
        Raises ValidationError/ValueError for an invalid message."""
        envelope = Envelope.from_json(raw)
        try:
            data = self.registry.load(envelope.type, envelope.version, envelope.data)
        except UnknownEvent:
            return None
        return Event(envelope, data)

    def handlers_for(self, event: Event, only: str | None = None) -> list[Handler]:
        handlers = list(self.handlers.get(event.envelope.type, ()))
        if only is not None:
            handlers = [h for h in handlers if handler_name(h) == only]
        return handlers

    def run_handler(self, handler: Handler, event: Event) -> bool:
        """Run one handler exactly once. Returns False when the inbox says it already ran."""
        name = handler_name(handler)
        with self.unit_of_work(event) as uow:
            # One statement claims the (event, handler) inbox row or finds it taken: a
            # duplicate, or a concurrent consumer that committed it first (we waited for it).
            claimed = uow.session.execute(
                _insert_for(uow.session)
                .values(event_id=event.id, handler=name, processed_at=uow.now())
                .on_conflict_do_nothing(index_elements=["event_id", "handler"])
                .returning(inbox_table.c.event_id)
            ).first()
            if claimed is None:
                self.stats["duplicates"] += 1
                return False
            guard = next((g for g in self.guards if g.drops(uow.session, event)), None)
            if guard is not None:
                # The claim is kept and committed, so a dropped event is not retried either.
                uow.commit()
                self.stats[guard.name] += 1
                return True
            handler(uow, event)
            try:
                uow.commit()
            except sa_exc.IntegrityError:
                # Another consumer committed the same (event, handler) first.
                self.stats["duplicates"] += 1
                return False
        self.stats["processed"] += 1
        return True

    def unit_of_work(self, event: Event) -> UnitOfWork:
        return UnitOfWork(
            self.session_factory,
            source=self.settings.service,
            registry=self.registry,
            topology=self.topology,
            clock=self.clock,
            correlation_id=event.envelope.correlation_id,
            causation_id=event.id,
        )

    def record_dead_letter(
        self,
        raw: str,
        error: str,
        attempts: int,
        event: Event | None = None,
        handler: str | None = None,
    ) -> None:
        envelope = event.envelope if event else None
        if envelope is None:
            envelope = _best_effort_envelope(raw)
        with self.session_factory.begin() as session:
            session.execute(
                insert(dead_letters_table),
                {
                    "event_id": getattr(envelope, "id", None) or envelope_field(raw, "id"),
                    "event_type": getattr(envelope, "type", None) or envelope_field(raw, "type"),
                    "handler": handler,
                    "body": raw,
                    "error": error[:4000],
                    "mentions": mentions(raw),
                    "attempts": attempts,
                    "created_at": self.clock.now(),
                    "replayed_at": None,
                },
            )
        self.stats["dead_lettered"] += 1
        # Ids and the kind of error, never the error's text: it may echo the event's values
        # (`dead-letters list` shows it, from the table that erasure and retention reach).
        log.error(
            "event dead-lettered",
            extra={
                "event_id": getattr(envelope, "id", None) or envelope_field(raw, "id"),
                "event_type": getattr(envelope, "type", None) or envelope_field(raw, "type"),
                "handler": handler,
                "error_type": error.split("(", 1)[0].split(":", 1)[0][:100],
            },
        )

    def replay_dead_letter(self, dead_letter_id: int) -> bool:
        """Run a dead letter's event through its handler(s) again (after a fix)."""
        with self.session_factory() as session:
            row = session.execute(
                select(dead_letters_table).where(dead_letters_table.c.id == dead_letter_id)
            ).one()
        if is_untrusted(row.error):
            # Whoever sent it may not publish it: replaying would do what the check prevented.
            raise PermanentError(
                f"dead letter {dead_letter_id} came from an untrusted "
                "publisher and is never replayed"
            )
        event = self.parse(row.body)
        if event is None:
            raise UnknownEvent(f"dead letter {dead_letter_id} has no known event type")
        for handler in self.handlers_for(event, only=row.handler):
            self.run_handler(handler, event)
        with self.session_factory.begin() as session:
            session.execute(
                update(dead_letters_table)
                .where(dead_letters_table.c.id == dead_letter_id)
                .values(replayed_at=self.clock.now())
            )
        return True


def _insert_for(session: Session) -> Any:
    """INSERT with ON CONFLICT DO NOTHING, in the dialect of the session's database."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(inbox_table)
    return sqlite.insert(inbox_table)


def envelope_field(raw: str, name: str) -> str | None:
    """An envelope field of a raw message, for logs and dead letters (any JSON it may be)."""
    try:
        value = json.loads(raw).get(name)
    except (ValueError, AttributeError):
        return None
    return str(value)[:100] if value is not None else None


def _best_effort_envelope(raw: str) -> Envelope | None:
    try:
        return Envelope.from_json(raw)
    except (ValueError, ValidationError, TypeError):
        return None
