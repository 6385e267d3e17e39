"""The event envelope every message carries, whatever its type."""

from __future__ import annotations

import functools
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from marshmallow import Schema, fields, validate


@dataclass(frozen=True)
class Envelope:
    type: str
    version: int
    source: str
    subject: str
    data: dict[str, Any]
    correlation_id: str
    # When it happened, by the publisher's clock (shared.clock): no default on purpose.
    occurred_at: datetime
    causation_id: str | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def to_json(self) -> str:
        return json.dumps(_schema().dump(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes | dict[str, Any]) -> Envelope:
        """Parse and validate the envelope (not its data). Raises ValidationError or ValueError."""
        payload = json.loads(raw) if isinstance(raw, str | bytes) else raw
        return cls(**_schema().load(payload))


class EnvelopeSchema(Schema):
    id = fields.UUID(required=True)
    type = fields.String(required=True, validate=validate.Regexp(r"^[a-z_]+\.[a-z_]+$"))
    version = fields.Integer(required=True, validate=validate.Range(min=1))
    source = fields.String(required=True, validate=validate.Length(min=1, max=50))
    occurred_at = fields.AwareDateTime(required=True, default_timezone=UTC)
    correlation_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    causation_id = fields.String(load_default=None, allow_none=True)
    subject = fields.String(required=True, validate=validate.Length(min=1, max=100))
    data = fields.Dict(keys=fields.String(), required=True)

    def load(self, *args: Any, **kwargs: Any) -> Any:
        # Ids travel and are stored as strings; the UUID field only validates them.
        loaded = super().load(*args, **kwargs)
        loaded["id"] = str(loaded["id"])
        return loaded


@functools.cache
def _schema() -> EnvelopeSchema:
    return EnvelopeSchema()
