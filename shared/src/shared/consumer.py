"""Idempotent event consumer.

Each handler runs in its own database transaction together with an inbox row keyed by
(event id, handler); the message is acknowledged only after every handler has committed, so a
crash redelivers and the inbox makes the redelivery harmless.

Failures:
- the database is unreachable: not the message's fault; wait and try again, without counting;
- invalid payload (envelope or data schema) or `PermanentError`: dead-letter at once;
- anything else: retry with growing delay; after `max_attempts`, dead-letter with the error.
On RabbitMQ a retry is a re-publish to `<service>.retry` with a per-message TTL (the delivery is
acked once the broker confirmed the copy). On the embedded transport a requeue would copy the
message into every bound queue, so retries happen in process.
Dead letters are rows in the service's `dead_letters` table (listed and replayed with the
service CLI); on RabbitMQ a notice (ids and error type, never the event) goes to
`<service>.dead-letter` for alerting.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from kombu import Connection, Consumer
from kombu.mixins import ConsumerMixin
from marshmallow import ValidationError
from sqlalchemy import exc as sa_exc
from sqlalchemy import insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from shared.clock import Clock
from shared.config import Settings
from shared.context import set_correlation_id
from shared.db import dead_letters_table, inbox_table
from shared.erasure import ERASURE_EVENTS, any_erased, ids_of
from shared.event_copies import mentions
from shared.events import Envelope, EventRegistry, UnknownEvent
from shared.handlers import Event, Handler, handler_name
from shared.logs import LoggableError
from shared.messaging.publisher import BrokerPublisher, OutgoingMessage
from shared.messaging.topology import Topology
from shared.messaging.trust import is_untrusted, untrusted_publisher
from shared.uow import UnitOfWork

if TYPE_CHECKING:
    from shared.platform import Platform

log = logging.getLogger(__name__)

INFRASTRUCTURE_ERRORS = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,
)


class PermanentError(LoggableError):
    """A handler's way to say: retrying this event cannot succeed."""


class RetryLater(LoggableError):
    """A handler's way to say: not yet (e.g. an event it depends on has not arrived)."""


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
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.session_factory = session_factory
        self.registry = registry
        self.topology = topology
        self.handlers = handlers
        self.stats = {
            "processed": 0,
            "duplicates": 0,
            "dead_lettered": 0,
            "unknown": 0,
            "erased": 0,
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
            if event.envelope.type not in ERASURE_EVENTS and any_erased(
                uow.session, ids_of(event.envelope.subject, event.data)
            ):
                # News about an erased person (late, redelivered, retried): dropping it keeps
                # their data from coming back. The claim is kept, so it is not retried.
                uow.commit()
                self.stats["erased"] += 1
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
                    "event_id": getattr(envelope, "id", None) or _field(raw, "id"),
                    "event_type": getattr(envelope, "type", None) or _field(raw, "type"),
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
                "event_id": getattr(envelope, "id", None) or _field(raw, "id"),
                "event_type": getattr(envelope, "type", None) or _field(raw, "type"),
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


def _field(raw: str, name: str) -> str | None:
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


class EventConsumer(ConsumerMixin):
    """The consumer process of one service."""

    def __init__(
        self, settings: Settings, connection: Connection, dispatcher: Dispatcher, topology: Topology
    ) -> None:
        self.settings = settings
        self.connection = connection
        self.dispatcher = dispatcher
        self.topology = topology
        self.service = settings.service
        self.embedded = settings.is_embedded_broker
        self._republisher: BrokerPublisher | None = None

    # kombu wiring -------------------------------------------------------------------------
    def get_consumers(self, consumer_cls: type[Consumer], channel: Any) -> list[Consumer]:
        self.topology.declare_all(self.connection)
        consumer = consumer_cls(
            queues=[self.topology.inbox_queue(self.service)],
            callbacks=[self.on_message],
            accept=["json"],
            prefetch_count=self.settings.consumer_prefetch,
            # Its own broker user may not bind the inbox: broker-setup did (declare_all checked).
            auto_declare=not self.settings.runs_as_own_broker_user,
        )
        consumer.on_decode_error = self.on_decode_error
        return [consumer]

    def on_decode_error(self, message: Any, exc: Exception) -> None:
        raw = _text(message.body)
        self._wait_for_database(
            lambda: self.dispatcher.record_dead_letter(raw, f"undecodable: {exc}", 1)
        )
        message.ack()

    def on_message(self, _body: Any, message: Any) -> None:
        raw = _text(message.body)
        attempts = int((message.headers or {}).get("x-attempts", 0))
        try:
            event = self.dispatcher.parse(raw)
        except (ValidationError, ValueError, TypeError) as exc:
            self._dead_letter(raw, f"invalid message: {exc}", attempts + 1, None, None)
            message.ack()
            return
        if event is None:
            self.dispatcher.stats["unknown"] += 1
            log.warning(
                "unknown event type acknowledged",
                extra={  # never the raw body
                    "event_id": _field(raw, "id"),
                    "event_type": _field(raw, "type"),
                    "version": _field(raw, "version"),
                },
            )
            message.ack()
            return
        # Only its publisher's broker user may send a type: a forgery is recorded, never handled.
        untrusted = untrusted_publisher(
            self.settings,
            event.envelope.type,
            (message.properties or {}).get("user_id"),
            attempts > 0,
        )
        if untrusted:
            self._dead_letter(raw, untrusted, attempts + 1, event, None)
            message.ack()
            return
        set_correlation_id(event.envelope.correlation_id)
        try:
            for handler in self.dispatcher.handlers_for(event):
                self._run_with_retries(handler, event, raw, attempts)
        finally:
            set_correlation_id(None)
        message.ack()

    # failure policy -----------------------------------------------------------------------
    def _run_with_retries(self, handler: Handler, event: Event, raw: str, attempts: int) -> None:
        while True:
            attempts += 1
            try:
                self._wait_for_database(lambda: self.dispatcher.run_handler(handler, event))
                return
            except (ValidationError, PermanentError) as exc:
                self._dead_letter(raw, repr(exc), attempts, event, handler_name(handler))
                return
            except Exception as exc:  # noqa: BLE001 - any other failure is retried
                log.warning("handler failed (attempt %s): %r", attempts, exc)
                if attempts >= self.settings.consumer_max_attempts:
                    self._dead_letter(raw, repr(exc), attempts, event, handler_name(handler))
                    return
                delay = self.settings.consumer_retry_base_s * 2 ** (attempts - 1)
                if self.embedded:
                    time.sleep(delay)
                    continue
                self._schedule_retry(raw, event, attempts, delay)
                return

    def _wait_for_database(self, work: Callable[[], Any]) -> Any:
        delay = 0.1
        while True:
            try:
                return work()
            except INFRASTRUCTURE_ERRORS as exc:
                log.warning("database unavailable, waiting %.1fs: %s", delay, exc)
                time.sleep(delay)
                delay = min(delay * 2, 5.0)

    def _schedule_retry(self, raw: str, event: Event, attempts: int, delay: float) -> None:
        self._publisher().publish_batch(
            [
                OutgoingMessage(
                    exchange=self.topology.retry_exchange(self.service).name,
                    routing_key="",
                    body=raw,
                    message_id=event.id,
                    correlation_id=event.envelope.correlation_id,
                    event_type=event.envelope.type,
                    headers={"x-attempts": attempts},
                    expiration_s=delay,
                )
            ]
        )

    def _dead_letter(
        self, raw: str, error: str, attempts: int, event: Event | None, handler: str | None
    ) -> None:
        self._wait_for_database(
            lambda: self.dispatcher.record_dead_letter(raw, error, attempts, event, handler)
        )
        if not self.embedded:
            # An alert, not a copy: the event (which may carry a person's details) and the
            # error (which may echo them) stay in the dead_letters table, where erasure and
            # retention can reach them; a message in a broker queue is beyond both.
            notice = {
                "service": self.service,
                "event_id": event.id if event else _peek(raw, "id"),
                "event_type": event.envelope.type if event else _peek(raw, "type"),
                "handler": handler,
                "attempts": attempts,
                "error_type": error.split("(", 1)[0].split(":", 1)[0][:100],
            }
            self._publisher().publish_batch(
                [
                    OutgoingMessage(
                        exchange=self.topology.dead_letter_notice_exchange(self.service).name,
                        routing_key=self.service,
                        body=json.dumps(notice),
                        message_id=event.id if event else "",
                        correlation_id=(event.envelope.correlation_id if event else ""),
                        event_type=event.envelope.type if event else "",
                        headers={"x-handler": handler or "", "x-attempts": attempts},
                    )
                ]
            )

    def _publisher(self) -> BrokerPublisher:
        # Its own connection: waiting for confirms on the consuming connection would dispatch
        # deliveries re-entrantly from inside this callback.
        if self._republisher is None:
            self._republisher = BrokerPublisher(
                self.connection.clone(), user_id=self.settings.broker_principal
            )
        return self._republisher


def _peek(raw: str, key: str) -> str | None:
    """An envelope field of a message that did not validate, if it has one."""
    try:
        value = json.loads(raw).get(key)
    except (ValueError, AttributeError):
        return None
    return str(value)[:100] if isinstance(value, str) else None


def _text(body: Any) -> str:
    return body.decode("utf-8", errors="replace") if isinstance(body, bytes) else str(body)
