"""What an event handler is, for the consumer that runs it and the services that write it.

A handler takes a unit of work and an `Event` (the envelope and its validated data); its
`handler_name` keys its inbox rows. It may raise `PermanentError` (dead-letter at once) or
`RetryLater` (not yet); services declare theirs with a `HandlerMap`. A `Guard` drops an event
before any handler sees it. Kept apart from the consumer so that the composition root
(shared.platform) can name the handler type without depending on the consumer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from shared.events import Envelope
from shared.logs import LoggableError
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


@dataclass(frozen=True)
class Guard:
    """A rule that drops an event before its handlers run (`drops` answers True): the inbox row
    is still claimed, so the event is neither handled nor retried. `name` counts the dropped
    events in the dispatcher's stats. Registered on `Platform.guards`."""

    name: str
    drops: Callable[[Session, Event], bool]


class PermanentError(LoggableError):
    """A handler's way to say: retrying this event cannot succeed."""


class RetryLater(LoggableError):
    """A handler's way to say: not yet (e.g. an event it depends on has not arrived)."""


@dataclass(frozen=True)
class _Declared:
    event_types: tuple[str, ...]
    function: Callable[..., None]
    name: str


class HandlerMap:
    """A service's inbound events, declared once: each handler says what it consumes.

    Declared at import time, with no platform, so that the broker's queue bindings and the
    events documentation can read `event_types` from the same declaration the consumer runs.
    A handler is `handler(uow, event, deps)`; `bind(deps)` gives the consumer's map, each
    handler closed over the service's collaborators (its policy, its sender...).

        HANDLERS = HandlerMap()

        @HANDLERS.on("vetting.person_erased", "vetting.applications_erased")
        def erase_person(uow: UnitOfWork, event: Event, deps: Dependencies) -> None: ...

    `name` keeps a handler's inbox key when the function moves: an event handled before under
    the old key stays handled.
    """

    def __init__(self) -> None:
        self._declared: list[_Declared] = []

    def on(
        self, *event_types: str, name: str | None = None
    ) -> Callable[[Callable[..., None]], Callable[..., None]]:
        if not event_types:
            raise ValueError("A handler consumes at least one event type.")

        def declare(function: Callable[..., None]) -> Callable[..., None]:
            key = name or f"{function.__module__}.{function.__qualname__}"
            self._declared.append(_Declared(tuple(event_types), function, key))
            return function

        return declare

    @property
    def event_types(self) -> frozenset[str]:
        return frozenset(t for declared in self._declared for t in declared.event_types)

    def bind(self, deps: Any) -> dict[str, list[Handler]]:
        bound: dict[str, list[Handler]] = {}
        for declared in self._declared:
            handler = _Bound(declared.function, deps, declared.name)
            for event_type in declared.event_types:
                bound.setdefault(event_type, []).append(handler)
        return bound


class _Bound:
    """One declared handler with its collaborators: what the consumer calls."""

    def __init__(self, function: Callable[..., None], deps: Any, name: str) -> None:
        self._function, self._deps, self.handler_name = function, deps, name
        self.__module__ = function.__module__
        self.__qualname__ = function.__qualname__

    def __call__(self, uow: UnitOfWork, event: Event) -> None:
        self._function(uow, event, self._deps)

    def __repr__(self) -> str:
        return f"<handler {self.handler_name}>"
