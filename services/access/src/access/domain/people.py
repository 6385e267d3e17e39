"""How a security team finds a person: names folded for search, badge numbers normalised.

A badge number is typed at a gate by hand: `wwi-0042 ` and `WWI-0042` are one badge. A name is
searched as people type it: `Siobhan` finds `Siobhán`, `o'connor` finds `O'Connor`.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Protocol


def fold(text: str | None) -> str:
    """Accents and case dropped, punctuation as spaces, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    plain = plain.replace("'", "").replace("\u2019", "")
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split())


def search_name(forenames: str | None, surname: str | None) -> str | None:
    """What a grant's name is searched by (None when it has no name)."""
    folded = fold(f"{forenames or ''} {surname or ''}")
    return folded or None


class Named(Protocol):
    forenames: str | None
    surname: str | None
    search_name: str | None


def set_names(record: Named, forenames: str | None, surname: str | None) -> None:
    """Set (or blank) a grant's names: its search name always follows them."""
    record.forenames, record.surname = forenames, surname
    record.search_name = search_name(forenames, surname)


def normalise_badge(badge: str | None) -> str | None:
    """A badge number as issued and as checked: surrounding spaces gone, upper case."""
    if badge is None:
        return None
    return badge.strip().upper() or None
