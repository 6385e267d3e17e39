"""Publishers that return only once the broker holds every message.

On RabbitMQ the channel is put in confirm mode and messages are published in windows: a whole
batch goes out, then we wait for the broker's acks (one round trip per batch instead of per
message). On the embedded filesystem transport a publish is a synchronous file write.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kombu import Connection, Producer


class PublishFailed(RuntimeError):
    """The broker refused (nacked) or did not confirm a message in time."""


@dataclass(frozen=True)
class OutgoingMessage:
    exchange: str
    routing_key: str
    body: str
    message_id: str
    correlation_id: str
    event_type: str
    headers: dict[str, Any] = field(default_factory=dict)
    expiration_s: float | None = None


class BrokerPublisher:
    """`user_id`: the principal every message carries (Settings.broker_principal). RabbitMQ
    refuses a publish whose user_id is not the connection's user, so consumers can trust it."""

    def __init__(
        self, connection: Connection, *, user_id: str | None = None, confirm_timeout_s: float = 10.0
    ) -> None:
        self.connection = connection
        self.user_id = user_id
        self.confirm_timeout_s = confirm_timeout_s
        self._channel: Any = None
        self._producer: Producer | None = None
        self._next_tag = 1
        self._unconfirmed: set[int] = set()  # delivery tags the broker has not settled yet
        self._floor = 1  # every tag below this one is settled
        self._nacked: set[int] = set()
        self._confirms = False

    def _ensure_channel(self) -> None:
        if self._channel is not None:
            return
        self.connection.ensure_connection(max_retries=1)
        channel = self.connection.channel()
        self._confirms = hasattr(channel, "confirm_select") and hasattr(channel, "events")
        if self._confirms:
            channel.confirm_select()
            channel.events["basic_ack"].add(self._on_ack)
            channel.events["basic_nack"].add(self._on_nack)
        self._channel = channel
        self._producer = Producer(channel, auto_declare=False)
        self._next_tag = 1
        self._unconfirmed = set()
        self._floor = 1
        self._nacked = set()

    def _settled(self, delivery_tag: int, multiple: bool) -> set[int]:
        # `multiple` settles every outstanding tag up to this one. RabbitMQ does not promise
        # confirms in publish order, so a single ack settles exactly its own tag.
        if multiple:
            settled = {
                tag for tag in range(self._floor, delivery_tag + 1) if tag in self._unconfirmed
            }
            self._floor = max(self._floor, delivery_tag + 1)
        else:
            settled = {delivery_tag} & self._unconfirmed
        self._unconfirmed -= settled
        return settled

    def _on_ack(self, delivery_tag: int, multiple: bool) -> None:
        self._settled(delivery_tag, multiple)

    def _on_nack(self, delivery_tag: int, multiple: bool) -> None:
        self._nacked |= self._settled(delivery_tag, multiple)

    def publish_batch(self, messages: Sequence[OutgoingMessage]) -> None:
        """Publish every message and wait until the broker has confirmed all of them."""
        if not messages:
            return
        try:
            self._ensure_channel()
            assert self._producer is not None
            first_tag = self._next_tag
            for message in messages:
                self._producer.publish(
                    message.body,
                    exchange=message.exchange,
                    routing_key=message.routing_key,
                    content_type="application/json",
                    content_encoding="utf-8",
                    delivery_mode=2,
                    message_id=message.message_id,
                    correlation_id=message.correlation_id,
                    type=message.event_type,
                    headers=message.headers,
                    expiration=message.expiration_s,
                    retry=False,
                    **({"user_id": self.user_id} if self.user_id else {}),
                )
                if self._confirms:
                    self._unconfirmed.add(self._next_tag)
                self._next_tag += 1
            if self._confirms:
                self._wait_for_confirms(first_tag, self._next_tag - 1)
        except Exception:
            self.reset()
            raise

    def _wait_for_confirms(self, first_tag: int, last_tag: int) -> None:
        deadline = time.monotonic() + self.confirm_timeout_s
        while self._unconfirmed:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PublishFailed(f"no confirm for tags {first_tag}..{last_tag}")
            self.connection.drain_events(timeout=remaining)
        refused, self._nacked = self._nacked, set()
        if refused:
            raise PublishFailed(f"broker nacked {len(refused)} message(s)")

    def reset(self) -> None:
        """Forget the channel and connection (after an error); the next publish reconnects."""
        channel, self._channel, self._producer = self._channel, None, None
        if channel is not None:
            try:
                channel.close()
            except Exception:  # noqa: BLE001 - the channel is being abandoned anyway
                pass
        # After a connection error kombu may still believe it is connected; release it all.
        self.connection.collect()
