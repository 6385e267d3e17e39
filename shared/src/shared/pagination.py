"""Keyset cursors: opaque to clients, (timestamp, id) inside, so pages never skip or repeat."""

from __future__ import annotations

import base64
import json
from datetime import datetime


def encode_cursor(moment: datetime, row_id: str) -> str:
    raw = json.dumps([moment.isoformat(), row_id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """Raises ValueError for anything that is not a cursor we issued."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        moment, row_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return datetime.fromisoformat(moment), str(row_id)
    except (ValueError, TypeError) as exc:
        raise ValueError("Not a valid cursor.") from exc
