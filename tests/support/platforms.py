"""In-process building blocks for integration tests: migrated platforms, consumers in threads."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select

from shared.clock import Clock
from shared.consumer import EventConsumer
from shared.events import Envelope
from shared.events.vocabulary import publisher_of
from shared.handlers import Handler
from shared.heartbeat import Heartbeat
from shared.inbox import Dispatcher
from shared.messaging.publisher import BrokerPublisher, OutgoingMessage
from shared.platform import Platform
from tests.support import migrated_platform
from tests.support.clock import iso_now, now


def platform_for(
    service: str, env: Mapping[str, str], clock: Clock | None = None, **overrides: Any
) -> Platform:
    module = __import__(f"{service}.service", fromlist=["definition"])
    return migrated_platform(module.definition(), env, clock, **overrides)


def service_handlers(service: str, platform: Platform) -> Mapping[str, Sequence[Handler]]:
    module = __import__(f"{service}.service", fromlist=["definition"])
    return module.definition().handlers(platform)


class ConsumerThread:
    """Runs a service's EventConsumer in a thread until stopped."""

    def __init__(
        self,
        platform: Platform,
        handlers: Mapping[str, Sequence[Handler]],
        heartbeat: Heartbeat | None = None,
    ) -> None:
        self.platform = platform
        self.dispatcher = Dispatcher.for_platform(platform, handlers)
        self.connection = platform.connection()
        self.consumer = EventConsumer(
            platform.settings, self.connection, self.dispatcher, platform.topology, heartbeat
        )
        self.thread = threading.Thread(target=self.consumer.run, daemon=True)

    def __enter__(self) -> ConsumerThread:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.consumer.should_stop = True
        self.thread.join(timeout=15)
        self.connection.release()


def submitted_envelope(**overrides: Any) -> Envelope:
    application_id = str(uuid.uuid4())
    data = {
        "application_id": application_id,
        "organisation_id": str(uuid.uuid4()),
        "applicant": {
            "forenames": "Zoë",
            "surname": "D'Arcy",
            "email": "zoe@example.org",
            "mobile": None,
            "preferred_channel": "EMAIL",
        },
        "role": "GROUP_FACILITATOR",
        "establishments": ["WWI"],
        "requested_access": "ESCORTED",
        "frequency": "REGULAR",
        "submitted_at": iso_now(),
    }
    data.update(overrides)
    return Envelope(
        type="application.submitted",
        version=1,
        source="applications",
        subject=application_id,
        data=data,
        correlation_id=str(uuid.uuid4()),
        occurred_at=now(),
    )


def publish_raw(
    platform: Platform,
    envelopes_or_bodies: Sequence[Envelope | str],
    event_type: str = "application.submitted",
    *,
    declare: bool = True,
) -> None:
    """Publish straight to the broker (as a relay would), bypassing any outbox; with
    `declare=False`, to the topology as it stands."""
    with platform.connection() as connection:
        if declare:
            platform.topology.declare_all(connection)
        # Played by the test as the event's publisher: its broker user (on RabbitMQ that is
        # the connection's, one user for every service in these tests).
        publisher = BrokerPublisher(
            connection,
            user_id=platform.settings.broker_user(
                publisher_of(
                    event_type
                    if isinstance(envelopes_or_bodies[0], str)
                    else envelopes_or_bodies[0].type
                )
            ),
        )
        messages = []
        for item in envelopes_or_bodies:
            body = item.to_json() if isinstance(item, Envelope) else item
            message_type = item.type if isinstance(item, Envelope) else event_type
            messages.append(
                OutgoingMessage(
                    exchange=platform.topology.exchange_for(message_type).name,
                    routing_key=message_type,
                    body=body,
                    message_id=item.id if isinstance(item, Envelope) else str(uuid.uuid4()),
                    correlation_id="test",
                    event_type=message_type,
                )
            )
        publisher.publish_batch(messages)


def count(platform: Platform, table: Any, *where: Any) -> int:
    with platform.session_factory() as session:
        return session.execute(select(func.count()).select_from(table).where(*where)).scalar()
