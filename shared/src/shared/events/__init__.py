"""Events: the envelope, the catalogue of (type, version) schemas, and their registry."""

from shared.events.envelope import Envelope, EnvelopeSchema
from shared.events.registry import EventRegistry, EventSpec, UnknownEvent

__all__ = ["Envelope", "EnvelopeSchema", "EventRegistry", "EventSpec", "UnknownEvent"]
