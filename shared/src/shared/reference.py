"""Reference data every service may need: the establishments of England's prison estate.

The CSV is a copy of `../shared/data/establishments.csv` shipped inside this package (so a
container or a fresh clone has it), plus the columns this project adds (`children_held`); a test
fails if the columns they share ever differ.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class Establishment:
    code: str
    name: str
    nation: str
    high_security: bool
    womens_estate: bool
    # Holds children (under 18): the young offender institutions for boys (Feltham, Werrington,
    # Wetherby), where the barred-list check belongs. A file without the column holds none.
    children_held: bool = False


def _flag(row: dict[str, str], column: str) -> bool:
    return (row.get(column) or "").strip().lower() == "true"


def load_establishments(path: Path | None = None) -> dict[str, Establishment]:
    """Establishments by code, from `path` or the packaged copy."""
    if path is None:
        text = resources.files("shared.data").joinpath("establishments.csv").read_text("utf-8")
    else:
        text = path.read_text("utf-8")
    rows = csv.DictReader(text.splitlines())
    return {
        row["code"]: Establishment(
            code=row["code"],
            name=row["name"],
            nation=row["nation"],
            high_security=_flag(row, "high_security"),
            womens_estate=_flag(row, "womens_estate"),
            children_held=_flag(row, "children_held"),
        )
        for row in rows
    }


def application_reference(application_id: object) -> str:
    """The application's reference as people quote it (emails, texts, the portal): the first
    eight characters of its id, in capitals. Short enough to read out over the phone."""
    return str(application_id or "")[:8].upper()


def establishment_type(high_security: bool, womens_estate: bool) -> str:
    """What kind of establishment it is, in the words its list shows."""
    if high_security:
        return "high security"
    return "women's" if womens_estate else "men's"
