"""The access lists bench/scale.py measures beside the queue: "who holds access here" (the
default page: current grants at WWI by name) and "find a person" by name (a few people of one
name among every grant at WWI), each with its check, its SQL (for the plans kept in the JSON
and for the bare baseline, bench/queue_bare_app.py) and the rows that make the search find
the same few people at every size."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from scale_support import PAGE, QUEUE_CODE

FIND_FORENAMES, FIND_SURNAME = "Zoë", "Ångström"
FIND_COUNT = 3  # people of that name at QUEUE_CODE, at every size
FIND_TYPED = "zoe angstrom"  # as typed: no accents, lower case
HOLDERS_PATH = f"/establishments/{QUEUE_CODE}/holders"
FIND_PATH = f"/establishments/{QUEUE_CODE}/people?name={quote(FIND_TYPED)}"

# The columns the holders list shows (access.service_layer.holders.holder_view reads them).
HOLDER_COLUMNS = (
    "id",
    "person_id",
    "forenames",
    "surname",
    "date_of_birth",
    "badge_number",
    "status",
    "suspended_locally",
    "access_type",
    "valid_until",
    "decided_at",
    "opened_at",
    "review_on",
    "clearance_expires_at",
    "induction",
)
HOLDERS_SQL = (
    f"SELECT * FROM grants WHERE establishment_code = '{QUEUE_CODE}' AND superseded_at IS NULL "
    f"ORDER BY surname, forenames, id LIMIT {PAGE + 1}"
)


def word_clauses(typed: str) -> str:
    """finding.py's test for each word: the start of the name or of one of its words."""
    return " AND ".join(
        f"(search_name LIKE '{word}%' OR search_name LIKE '% {word}%')" for word in typed.split()
    )


FIND_SQL = (
    f"SELECT * FROM grants WHERE establishment_code = '{QUEUE_CODE}' AND superseded_at IS NULL "
    f"AND {word_clauses(FIND_TYPED)} "
    f"ORDER BY surname, forenames, date_of_birth, id LIMIT {PAGE + 1}"
)


def check_holders(body: bytes) -> str | None:
    items = json.loads(body).get("items")
    full = isinstance(items, list) and len(items) == PAGE
    return None if full else f"not a full page: {body[:300]!r}"


def check_found(body: bytes) -> str | None:
    items = json.loads(body).get("items")
    found = isinstance(items, list) and len(items) == FIND_COUNT
    return None if found else f"not {FIND_COUNT} found: {body[:300]!r}"


def named_for_finding(rows: list[tuple[Any, ...]], columns: tuple[str, ...]) -> list[tuple]:
    """The first FIND_COUNT rows at QUEUE_CODE renamed Zoë Ångström (so the search finds the
    same few people at every size); every row with its search name, as the service keeps it."""
    from access.domain.people import search_name

    code_at, forenames_at = columns.index("establishment_code"), columns.index("forenames")
    surname_at, renamed, out = columns.index("surname"), 0, []
    for row in rows:
        values = list(row)
        if renamed < FIND_COUNT and values[code_at] == QUEUE_CODE:
            values[forenames_at], values[surname_at] = FIND_FORENAMES, FIND_SURNAME
            renamed += 1
        out.append((*values, search_name(values[forenames_at], values[surname_at])))
    assert renamed == FIND_COUNT, "too few grants at the establishment to search"
    return out
