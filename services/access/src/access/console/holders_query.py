"""What "Who holds access here" was asked, read from the page's query string by the API's own
schema (one definition of the filters), with messages for people rather than for programs."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from access.domain.holders import MAX_EXPIRING_DAYS, HolderFilters, Order
from access.schemas.holders import HolderQuerySchema
from shared.errors import Invalid

PAGE_SIZE = 25
LISTS = ("status", "access_type")
SINGLE = ("expiring_within_days", "key_holders", "review_due", "awaiting_induction")
ORDER = ("sort", "direction", "page")
MESSAGES = {
    "status": "Choose statuses from the list.",
    "access_type": "Choose types of access from the list.",
    "expiring_within_days": (
        f"Enter the number of days as a whole number from 0 to {MAX_EXPIRING_DAYS}."
    ),
    "key_holders": "Choose key holders only, or leave it unticked.",
    "review_due": "Choose exclusions due for review, or leave it unticked.",
    "awaiting_induction": "Choose awaiting induction, or leave it unticked.",
    "sort": "Sort by one of the table's columns.",
    "direction": "Sort in ascending or descending order.",
    "page": "The page number is not one of this list's pages.",
}


def asked(args: MultiDict) -> dict[str, Any]:
    """The filters, order and page as typed (blank boxes left out), for the schema and for
    drawing the form again."""
    raw: dict[str, Any] = {}
    for name in LISTS:
        values = [value for value in args.getlist(name) if value]
        if values:
            raw[name] = values
    for name in (*SINGLE, *ORDER):
        value = (args.get(name) or "").strip()
        if value:
            raw[name] = value
    return raw


def holder_query(args: MultiDict) -> tuple[HolderFilters, Order, int]:
    """The filters, the order and the page asked for; Invalid with a message per field."""
    try:
        data = HolderQuerySchema().load({**asked(args), "size": PAGE_SIZE})
    except ValidationError as exc:
        errors = exc.messages if isinstance(exc.messages, dict) else {"status": exc.messages}
        fields = {name: _messages(name, found) for name, found in errors.items()}
        raise Invalid("Some answers need correcting.", fields) from None
    return HolderFilters.of(data), Order(data["sort"], data["direction"]), data["page"]


def _messages(name: str, found: Any) -> list[str]:
    """The schema's words where they are already for people (key holders against another type
    of access), the page's own otherwise (a list item's problem is worded for programs)."""
    if name == "access_type" and isinstance(found, list):
        return [str(message) for message in found]
    return [MESSAGES.get(name, "Check this answer.")]
