"""Events as a test hands them to a service: built and validated against the catalogue, then
run through the service's handlers as its consumer would (inbox, erased-subject check)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.events import Envelope, EventRegistry
from shared.inbox import Dispatcher
from shared.platform import Platform
from tests.support.clock import now
from tests.support.platforms import service_handlers


def envelope(
    registry: EventRegistry,
    event_type: str,
    data: dict[str, Any],
    *,
    subject: str | None = None,
    version: int | None = None,
    correlation_id: str = "test",
    at: datetime | None = None,
) -> Envelope:
    """An event of the type's latest version (or `version`) from its catalogued publisher;
    the subject is the data's application id unless given."""
    spec = registry.get(event_type, version) if version else registry.latest(event_type)
    return Envelope(
        type=event_type,
        version=spec.version,
        source=spec.source,
        subject=subject if subject is not None else str(data["application_id"]),
        correlation_id=correlation_id,
        data=registry.validate(event_type, spec.version, data),
        occurred_at=at or now(),
    )


def deliver(platform: Platform, service: str, event: Envelope) -> None:
    """Run `service`'s handlers for the event, each once, as its consumer would."""
    dispatcher = Dispatcher.for_platform(platform, service_handlers(service, platform))
    parsed = dispatcher.parse(event.to_json())
    assert parsed is not None, f"{service} does not know {event.type} v{event.version}"
    for handler in dispatcher.handlers_for(parsed):
        dispatcher.run_handler(handler, parsed)


def hand(
    platform: Platform, service: str, event_type: str, data: dict[str, Any], **options: Any
) -> Envelope:
    """Build the event and deliver it to `service`; the envelope."""
    event = envelope(platform.registry, event_type, data, **options)
    deliver(platform, service, event)
    return event
