"""The registry of event types: which service publishes each, and the schema of each version."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema


class UnknownEvent(LookupError):
    """No schema is registered for this (type, version)."""


@dataclass(frozen=True)
class EventSpec:
    type: str
    version: int
    source: str
    schema: builtins.type[Schema]  # `type` here is the field above
    description: str

    @property
    def key(self) -> tuple[str, int]:
        return (self.type, self.version)


class EventRegistry:
    def __init__(self, specs: Iterable[EventSpec]) -> None:
        self._specs: dict[tuple[str, int], EventSpec] = {}
        # Schemas are built once: building one costs more than using it.
        self._schemas: dict[tuple[str, int], Schema] = {}
        for spec in specs:
            if spec.key in self._specs:
                raise ValueError(f"event {spec.type} v{spec.version} is registered twice")
            self._specs[spec.key] = spec

    def __iter__(self) -> Iterator[EventSpec]:
        return iter(sorted(self._specs.values(), key=lambda s: (s.type, s.version)))

    def get(self, event_type: str, version: int) -> EventSpec:
        try:
            return self._specs[(event_type, version)]
        except KeyError:
            raise UnknownEvent(f"{event_type} v{version}") from None

    def latest(self, event_type: str) -> EventSpec:
        versions = [spec for spec in self._specs.values() if spec.type == event_type]
        if not versions:
            raise UnknownEvent(event_type)
        return max(versions, key=lambda s: s.version)

    def validate(self, event_type: str, version: int, data: dict[str, Any]) -> dict[str, Any]:
        """Validate `data` against its schema and return it in its wire (JSON-ready) form.

        Raises UnknownEvent or marshmallow.ValidationError.
        """
        schema = self.schema(event_type, version)
        return schema.dump(schema.load(data))

    def load(self, event_type: str, version: int, data: dict[str, Any]) -> dict[str, Any]:
        return self.schema(event_type, version).load(data)

    def schema(self, event_type: str, version: int) -> Schema:
        key = (event_type, version)
        if key not in self._schemas:
            self._schemas[key] = self.get(event_type, version).schema()
        return self._schemas[key]

    def types_published_by(self, source: str) -> list[str]:
        return sorted({spec.type for spec in self._specs.values() if spec.source == source})
