"""Personalisation: an event's data, written for people (dates in words, levels and access
types in plain English, establishment names), as the fields the message catalogue lists.

Only the catalogue's fields are made, so nothing else in an event can reach a template; the
confirmation's link and code are kept to their shapes. Pure: the templates are
`notifications.adapters.templates`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from notifications.domain.messages import MESSAGES
from shared.clearance import clearance_label

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# A portal member's role, as the invitation names it.
ROLE_NAMES = {"coordinator": "a coordinator", "organisation_admin": "an admin"}
ACCESS = {"ESCORTED": "escorted", "UNESCORTED": "unescorted", "KEY_HOLDING": "key holding"}
DAYS = {
    "MON": "Monday",
    "TUE": "Tuesday",
    "WED": "Wednesday",
    "THU": "Thursday",
    "FRI": "Friday",
    "SAT": "Saturday",
    "SUN": "Sunday",
}


def _local_zone() -> tzinfo:
    # A date is the one the reader sees on their calendar: 23:30 UTC is already the next day
    # in London in summer.
    try:
        return ZoneInfo("Europe/London")
    except ZoneInfoNotFoundError:  # pragma: no cover - a system without any time zone data
        return UTC


LOCAL_ZONE = _local_zone()


def long_date(value: date | datetime | str) -> str:
    """27 November 2027: written out here, not with strftime, so no locale can change it."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_ZONE).date() if value.tzinfo else value.date()
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def level_words(code: str) -> str:
    """A clearance level by its label ("Level 2 (escorted)"): never a DBS certificate's words."""
    return clearance_label(code)


def access_words(code: str) -> str:
    return ACCESS.get(code) or code.replace("_", " ").lower()


def days_words(codes: list[str] | None) -> str:
    """ "Tuesday and Thursday", Monday first; no days named means every day."""
    if not codes:
        return "every day"
    names = [DAYS[code] for code in DAYS if code in codes]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# How a volunteer reaches the vetting team directly (a sensitive information request is
# answered there, not through the organisation): NOTIFICATIONS_VETTING_CONTACT_EMAIL and
# _PHONE in a deployment; these reach nobody (example domain, an Ofcom drama number).
DEFAULT_VETTING_EMAIL = "vetting-team@vetting.example"
DEFAULT_VETTING_PHONE = "0113 496 0123"
# Who writes every email, and where to write back (NOTIFICATIONS_SERVICE_NAME and
# NOTIFICATIONS_CONTACT_EMAIL; notifications.adapters.channels.identity).
DEFAULT_SERVICE_NAME = "Mutual Aid Clearance"
DEFAULT_CONTACT_EMAIL = "help@mutual-aid-clearance.example"


@dataclass(frozen=True)
class _Context:
    establishment_names: Mapping[str, str]
    console_url: str
    vetting_email: str = DEFAULT_VETTING_EMAIL
    vetting_phone: str = DEFAULT_VETTING_PHONE

    def establishment(self, code: str) -> str:
        # An unknown code still reads as something a person can look up.
        return self.establishment_names.get(code, code)


def _optional(key: str, fmt: Callable[[Any], Any]) -> Callable[[Mapping[str, Any], _Context], Any]:
    # Optional event fields stay None: the templates say "if known", never print "None".
    return lambda data, _ctx: fmt(data[key]) if data.get(key) is not None else None


_LINK = re.compile(
    r"^https?://[A-Za-z0-9.:\[\]-]+(/[A-Za-z0-9._~%/+=-]*)?(\?[A-Za-z0-9._~%&=+-]*)?$"
)
_CODE = re.compile(r"^\d{6}$")


# How each catalogue field is made from an event's data (as the consumer loaded it).
FIELD_BUILDERS: dict[str, Callable[[Mapping[str, Any], _Context], Any]] = {
    "establishment_names": lambda data, ctx: [
        ctx.establishment(code) for code in data["establishments"]
    ],
    "establishment_name": lambda data, ctx: ctx.establishment(data["establishment_code"]),
    "questions": lambda data, _ctx: [
        str(item.get("question", "")).strip() for item in data["items"]
    ],
    "due_by": _optional("due_by", long_date),
    "lapses_on": lambda data, _ctx: long_date(data["lapses_on"]),
    "reason": lambda data, _ctx: data["reason"],
    # A sensitive request went to the volunteer alone: they reply to vetting directly.
    "sensitive": lambda data, _ctx: bool(data.get("sensitive")),
    "vetting_email": lambda _data, ctx: ctx.vetting_email,
    "vetting_phone": lambda _data, ctx: ctx.vetting_phone,
    "level": lambda data, _ctx: level_words(data["level"]),
    "expires_on": lambda data, _ctx: long_date(data["expires_at"]),
    "days_before": lambda data, _ctx: int(data["days_before"]),
    "reconsidered": lambda data, _ctx: bool(data.get("reconsidered")),
    "max_access": lambda data, _ctx: access_words(data["max_access"]),
    "renewal": lambda data, _ctx: bool(data["renewal"]),
    "console_url": lambda _data, ctx: ctx.console_url,
    # The request itself in the console, not the console's home page.
    "request_url": lambda data, ctx: f"{ctx.console_url.rstrip('/')}/grants/{data['grant_id']}",
    "permitted_days": lambda data, _ctx: days_words(data.get("permitted_days")),
    "areas": lambda data, _ctx: [str(area) for area in data.get("permitted_areas") or []],
    "expired_on": lambda data, _ctx: long_date(data["expired_at"]),
    "access_type": _optional("access_type", access_words),
    "key_holder": lambda data, _ctx: data.get("access_type") == "KEY_HOLDING",
    "valid_until": _optional("valid_until", long_date),
    "review_on": lambda data, _ctx: long_date(data["review_on"]),
    # A link and a code are the only values a confirmation SMS adds: kept to their shapes, so
    # that nothing else can ride along in a text.
    "link": lambda data, _ctx: data["link"] if _LINK.match(str(data["link"])) else "",
    "organisation_name": lambda data, _ctx: data["organisation_name"],
    "sign_in_url": lambda data, _ctx: (
        data["sign_in_url"] if _LINK.match(str(data["sign_in_url"])) else ""
    ),
    "role_name": lambda data, _ctx: ROLE_NAMES.get(data["role"], "member"),
    "code": lambda data, _ctx: data.get("code") if _CODE.match(str(data.get("code"))) else None,
}


def personalisation(
    event_type: str,
    data: Mapping[str, Any],
    *,
    forenames: str,
    surname: str,
    reference: str | uuid.UUID,
    establishment_names: Mapping[str, str],
    console_url: str,
    vetting_email: str = DEFAULT_VETTING_EMAIL,
    vetting_phone: str = DEFAULT_VETTING_PHONE,
    service_name: str = DEFAULT_SERVICE_NAME,
    contact_email: str = DEFAULT_CONTACT_EMAIL,
) -> dict[str, Any]:
    """Every field the messages of `event_type` may use, formatted for people.

    Only the catalogue's fields are made, so nothing else in the event (a reason code, a
    person id) can reach a template by accident. Raises KeyError for an event with no messages.
    """
    context = _Context(
        establishment_names=establishment_names,
        console_url=console_url,
        vetting_email=vetting_email,
        vetting_phone=vetting_phone,
    )
    fields: dict[str, Any] = {
        "forenames": forenames,
        "surname": surname,
        "reference": str(reference),
        "service_name": service_name,
        "contact_email": contact_email,
    }
    for message in MESSAGES[event_type]:
        for name in message.fields:
            fields[name] = FIELD_BUILDERS[name](data, context)
    return fields
