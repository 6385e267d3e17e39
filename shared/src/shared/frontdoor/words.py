"""Dates and times as the front doors' pages write them: in London, in words ("3 December
2026", "3 December 2026 at 14:05"), from a date, a datetime or its ISO text."""

from __future__ import annotations

from datetime import date, datetime

from shared.clock import LONDON


def as_moment(value: date | datetime | str | None) -> date | datetime | None:
    """A date or datetime from itself or its ISO text (a view's JSON-ready dict holds text)."""
    if isinstance(value, str):
        return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    return value


def date_words(value: date | datetime | str | None) -> str:
    moment = as_moment(value)
    if moment is None:
        return "—"
    if isinstance(moment, datetime):
        moment = moment.astimezone(LONDON).date()
    return f"{moment.day} {moment:%B %Y}"


def date_time_words(value: datetime | str | None) -> str:
    moment = as_moment(value)
    if not isinstance(moment, datetime):
        return date_words(moment)
    local = moment.astimezone(LONDON)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"
