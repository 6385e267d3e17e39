"""The consumer process's receiving loop and its failure policy (the inbox is shared.inbox).

Every message is parsed and its publisher checked, then its handlers run through the
`Dispatcher`; the message is acknowledged only after every handler has committed, so a crash
redelivers and the inbox makes the redelivery harmless.

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
from collections.abc import Callable
from typing import Any

from kombu import Connection, Consumer
from kombu.mixins import ConsumerMixin
from marshmallow import ValidationError

from shared.config import Settings
from shared.context import set_correlation_id
from shared.db import INFRASTRUCTURE_ERRORS
from shared.handlers import Event, Handler, PermanentError, handler_name
from shared.heartbeat import Heartbeat
from shared.inbox import Dispatcher, envelope_field
from shared.messaging.publisher import BrokerPublisher, OutgoingMessage
from shared.messaging.topology import Topology
from shared.messaging.trust import untrusted_publisher

log = logging.getLogger(__name__)


class EventConsumer(ConsumerMixin):
    """The consumer process of one service."""

    def __init__(
        self,
        settings: Settings,
        connection: Connection,
        dispatcher: Dispatcher,
        topology: Topology,
        heartbeat: Heartbeat | None = None,
    ) -> None:
        self.settings = settings
        self.heartbeat = heartbeat
        self.connection = connection
        self.dispatcher = dispatcher
        self.topology = topology
        self.service = settings.service
        self.embedded = settings.is_embedded_broker
        self._republisher: BrokerPublisher | None = None

    # kombu wiring -------------------------------------------------------------------------
    def get_consumers(self, consumer_cls: Callable[..., Consumer], channel: Any) -> list[Consumer]:
        # `consumer_cls` is kombu's Consumer with the channel already bound (a partial).
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

    def on_iteration(self) -> None:
        # kombu calls this before each wait for messages (at least every second when idle).
        if self.heartbeat is not None:
            self.heartbeat.beat()

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
                    "event_id": envelope_field(raw, "id"),
                    "event_type": envelope_field(raw, "type"),
                    "version": envelope_field(raw, "version"),
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
