"""What an event handler is, for the consumer that runs it and the services that write it.

A handler takes a unit of work and an `Event` (the envelope and its validated data); its
`handler_name` keys its inbox rows. Kept apart from the consumer so that the composition root
(shared.platform) can name the handler type without depending on the consumer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shared.events import Envelope
from shared.uow import UnitOfWork


@dataclass(frozen=True)
class Event:
    envelope: Envelope
    data: dict[str, Any]

    @property
    def id(self) -> str:
        return self.envelope.id


Handler = Callable[[UnitOfWork, Event], None]


def handler_name(handler: Handler) -> str:
    """The inbox key of a handler: its `handler_name` if it has one (a handler built by a
    factory keeps a stable name that way), else its dotted path."""
    return getattr(handler, "handler_name", None) or f"{handler.__module__}.{handler.__qualname__}"
