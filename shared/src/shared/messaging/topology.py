"""The broker topology, declared in one place.

- one durable topic exchange per publishing service: `<service>.events`, routing key = event type;
- one durable queue per consuming service: `<service>.inbox`, bound to the event types its
  handler map declares (shared.messaging.subscriptions), and unbound from those it no longer
  handles (RETIRED_SUBSCRIPTIONS);
- one delayed-retry queue per consuming service: `<service>.retry`, with no consumer, fed by the
  fanout exchange of the same name; a message waits there for its per-message TTL, then RabbitMQ
  dead-letters it back into `<service>.inbox`;
- one dead-letter exchange `dead-letter` (direct, what the broker itself dead-letters through)
  and a queue per service `<service>.dead-letter`, which the consumer's notices reach through
  the fanout exchange `<service>.dead-letter`.

Every object a service writes to carries its name, so each service's broker user can be allowed
exactly its own (see shared.broker_setup). With such users a process only checks that its
objects exist: declaring them and binding the inboxes is `python -m shared broker-setup`'s job.

On RabbitMQ the three queues are classic queues unless `BROKER_QUEUE_TYPE=quorum` (replicated
Raft queues, for a cluster). A queue's type is fixed at creation: redeclaring an existing queue
with another type fails (PRECONDITION_FAILED), so switching is drain, delete, redeclare
(docs/operations.md, "RabbitMQ quorum queues").

Every name carries the deployment's prefix (tests use a unique one per run). Every process
declares what it uses: on kombu's filesystem transport exchange types live only in the memory of
the process that declared them.
"""

from __future__ import annotations

import fcntl
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from amqp.exceptions import NotFound
from kombu import Connection, Exchange, Queue, binding

from shared.config import Settings
from shared.events.vocabulary import publisher_of
from shared.messaging.subscriptions import subscriptions

SERVICES = ("applications", "vetting", "access", "notifications")

# Event types a service consumed once and no longer does. A queue keeps its bindings across
# deployments, so declaring the topology unbinds these from the inbox: else a broker set up
# before would still route them there.
RETIRED_SUBSCRIPTIONS: dict[str, tuple[str, ...]] = {
    "applications": ("vetting.info_requested", "vetting.clearance_granted"),
    "access": ("application.withdrawn",),
    "notifications": ("application.submitted", "vetting.clearance_granted"),
}


class TopologyMissing(RuntimeError):
    """An object this service needs is not on the broker: `python -m shared broker-setup`."""


def _exists(check: Callable[[], Any], name: str) -> None:
    try:
        check()
    except NotFound:
        raise TopologyMissing(
            f"{name!r} is not on the broker: an operator runs `python -m shared broker-setup` first"
        ) from None


@dataclass(frozen=True)
class Topology:
    settings: Settings

    def events_exchange(self, service: str) -> Exchange:
        return Exchange(self.settings.name(f"{service}.events"), type="topic", durable=True)

    def exchange_for(self, event_type: str) -> Exchange:
        return self.events_exchange(publisher_of(event_type))

    @property
    def dead_letter_exchange(self) -> Exchange:
        return Exchange(self.settings.name("dead-letter"), type="direct", durable=True)

    def inbox_name(self, service: str) -> str:
        return self.settings.name(f"{service}.inbox")

    def inbox_queue(self, service: str) -> Queue:
        bindings = [
            binding(self.exchange_for(event_type), routing_key=event_type)
            for event_type in sorted(subscriptions(service))
        ]
        arguments = None
        if not self.settings.is_embedded_broker:
            arguments = {
                "x-dead-letter-exchange": self.dead_letter_exchange.name,
                "x-dead-letter-routing-key": service,
                **self._queue_type_arguments(),
            }
        return Queue(
            self.inbox_name(service), bindings=bindings, durable=True, queue_arguments=arguments
        )

    def retry_exchange(self, service: str) -> Exchange:
        # Its own exchange, not the default one: a user allowed to write to the default exchange
        # could put a message into any queue, another service's inbox included.
        return Exchange(self.settings.name(f"{service}.retry"), type="fanout", durable=True)

    def retry_queue(self, service: str) -> Queue:
        # Messages expire here (per-message TTL) and RabbitMQ routes them back to the inbox via
        # the default exchange. Only RabbitMQ does this; the embedded transport retries in process.
        return Queue(
            self.settings.name(f"{service}.retry"),
            exchange=self.retry_exchange(service),
            durable=True,
            queue_arguments={
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": self.inbox_name(service),
                **self._queue_type_arguments(),
                # Every message here is on its way back to the inbox: on a quorum queue, keep it
                # until the inbox has confirmed it (the default, like a classic queue, drops it
                # if the hop fails). At-least-once dead-lettering requires reject-publish.
                **(
                    {"x-dead-letter-strategy": "at-least-once", "x-overflow": "reject-publish"}
                    if self.is_quorum
                    else {}
                ),
            },
        )

    def dead_letter_notice_exchange(self, service: str) -> Exchange:
        """Where a consumer sends its dead-letter notices (one per service, like the retry
        exchange, so that no service can raise another's alerts)."""
        return Exchange(self.settings.name(f"{service}.dead-letter"), type="fanout", durable=True)

    def dead_letter_queue(self, service: str) -> Queue:
        return Queue(
            self.settings.name(f"{service}.dead-letter"),
            bindings=[
                binding(self.dead_letter_exchange, routing_key=service),
                binding(self.dead_letter_notice_exchange(service)),
            ],
            durable=True,
            queue_arguments=self._queue_type_arguments() or None,
        )

    @property
    def is_quorum(self) -> bool:
        return not self.settings.is_embedded_broker and self.settings.broker_queue_type == "quorum"

    def _queue_type_arguments(self) -> dict[str, str]:
        # Classic stays argument-free, exactly as queues were declared before the option
        # existed, so redeclaring them is still equivalent.
        return {"x-queue-type": "quorum"} if self.is_quorum else {}

    def declare_all(self, connection: Connection) -> None:
        """Declare the whole topology (idempotent, a dozen objects).

        Every process calls this before its first publish or consume: a relay that published
        before the consumers had declared their queues would have its events dropped as
        unroutable, and on the filesystem transport exchange types live only in the memory of
        the process that declared them. A process running as its service's own broker user
        may not declare the others' objects: it only checks that broker-setup made its own."""
        if self.settings.runs_as_own_broker_user:
            self.verify_own(connection)
        elif self.settings.is_embedded_broker:
            # kombu's filesystem transport writes each binding table without a lock between
            # creating and writing the file; declare one process at a time.
            lock_path = self.settings.var_dir / "broker" / "declare.lock"
            lock_path.parent.mkdir(parents=True, exist_ok=True)
            with open(lock_path, "a") as lock_file:
                fcntl.flock(lock_file, fcntl.LOCK_EX)
                self.declare_everything(connection)
        else:
            self.declare_everything(connection)

    def declare_everything(self, connection: Connection) -> None:
        """Every exchange, queue and binding (broker-setup, or one user for all services)."""
        channel = connection.default_channel
        for service in SERVICES:
            self.events_exchange(service)(channel).declare()
        if not self.settings.is_embedded_broker:
            self.dead_letter_exchange(channel).declare()
        for service in SERVICES:
            inbox = self.inbox_queue(service)(channel)
            inbox.declare()
            for event_type in RETIRED_SUBSCRIPTIONS.get(service, ()):
                # Unbinding what is not bound is a no-op (RabbitMQ and kombu's transports).
                inbox.unbind_from(self.exchange_for(event_type), routing_key=event_type)
            if not self.settings.is_embedded_broker:
                self.retry_queue(service)(channel).declare()
                self.dead_letter_queue(service)(channel).declare()

    def verify_own(self, connection: Connection) -> None:
        """Check, without declaring anything, that this service's objects are on the broker
        (a service's own user may not bind its inbox to the others' exchanges)."""
        service = self.settings.service
        channel = connection.channel()
        try:
            for exchange in (
                self.events_exchange(service),
                self.retry_exchange(service),
                self.dead_letter_notice_exchange(service),
            ):
                _exists(
                    partial(
                        channel.exchange_declare,
                        exchange.name,
                        exchange.type,
                        durable=True,
                        passive=True,
                    ),
                    exchange.name,
                )
            for queue in (self.inbox_name(service), self.retry_queue(service).name):
                _exists(partial(channel.queue_declare, queue, passive=True), queue)
        finally:
            channel.close()

    def delete_all(self, connection: Connection, *extra_queues: str) -> None:
        """Delete every exchange and queue of this prefix (tests and benchmarks clean up)."""
        channel = connection.channel()
        for service in SERVICES:
            for queue in (
                self.inbox_queue(service),
                self.retry_queue(service),
                self.dead_letter_queue(service),
            ):
                channel.queue_delete(queue.name)
            for exchange in (
                self.events_exchange(service),
                self.retry_exchange(service),
                self.dead_letter_notice_exchange(service),
            ):
                channel.exchange_delete(exchange.name)
        channel.exchange_delete(self.dead_letter_exchange.name)
        for name in extra_queues:
            channel.queue_delete(self.settings.name(name))
