"""The establishments table: reference data, reloaded by an operator from a CSV."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from access.models import Establishment
from shared.reference import load_establishments


def reload(session: Session, moment: datetime, path: Path | None = None) -> dict[str, int]:
    """Upsert every row of the CSV (default: the packaged copy). Rows no longer in the file
    stay: grants may still name them, and a closed prison's history is still history."""
    wanted = load_establishments(path)
    existing = {row.code: row for row in session.execute(select(Establishment)).scalars()}
    counts = {"added": 0, "updated": 0, "unchanged": 0, "not_in_file": 0}
    for code, source in wanted.items():
        values = {
            "name": source.name,
            "nation": source.nation,
            "high_security": source.high_security,
            "womens_estate": source.womens_estate,
        }
        row = existing.get(code)
        if row is None:
            session.add(Establishment(code=code, loaded_at=moment, **values))
            counts["added"] += 1
        elif any(getattr(row, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            row.loaded_at = moment
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    counts["not_in_file"] = len(set(existing) - set(wanted))
    return counts
