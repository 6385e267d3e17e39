"""What the front doors' authorisation matrices share: the routes a door serves, and checks that
report every failing route at once."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


def door_routes(app: Any, door: str) -> set[tuple[str, str]]:
    """(endpoint, method) of every route of the door `door` in `app`."""
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(f"{door}.")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }


def check_all(rows: Iterable[Any], check: Callable[[Any], str | None]) -> None:
    """Run `check` on each row (with .method and .endpoint); report every route that fails."""
    failures = [
        f"{row.method} {row.endpoint}: {problem}" for row in rows if (problem := check(row))
    ]
    assert not failures, "\n".join(failures)


def unlike(response: Any, statuses: Iterable[int], *, text: str = "", to: str = "") -> str | None:
    """None if the response is as expected; else what it was."""
    where = response.headers.get("Location", "")
    # Only a text answer is read as text (a spreadsheet template is not).
    if (
        response.status_code in statuses
        and (not text or text in response.text)
        and where.startswith(to)
    ):
        return None
    return f"{response.status_code} {where}"
