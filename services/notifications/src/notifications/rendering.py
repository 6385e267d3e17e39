"""Message templates as files, checked against the catalogue at start-up, and the fields they use.

The files live under `templates/<template>/<recipient_kind>.<channel>.txt` (channel `email` or
`sms`). An email file starts with a `Subject: …` line and a blank line; the rest is the body.
They are Jinja2 with StrictUndefined and no autoescaping: the output is plain text, so a name
like O'Neill must stay O'Neill, and a field a template names but is not given is an error, never
an empty gap in a sent message.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jinja2
from jinja2 import meta

from notifications.messages import (
    COMMON_FIELDS,
    MESSAGES,
    SECURITY_INBOX,
    SMS_FIELDS,
    VOLUNTEER,
    Message,
    sms_fields,
)

PACKAGED_DIR = Path(__file__).parent / "templates"
EMAIL, SMS = "email", "sms"
SUBJECT_PREFIX = "Subject:"


class TemplateError(Exception):
    """The templates do not fit the catalogue; the message lists every problem found."""

    def __init__(self, directory: Path, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(
            f"{len(problems)} problem(s) with the message templates in {directory}:\n{lines}"
        )


@dataclass(frozen=True)
class Rendered:
    subject: str | None
    body: str


@dataclass(frozen=True)
class _File:
    path: str  # relative to the templates folder, as problems name it
    subject: jinja2.Template | None
    body: jinja2.Template
    names: frozenset[str]  # the fields the file uses


def channels_for(recipient_kind: str) -> tuple[str, ...]:
    # Only a volunteer has a mobile number on record; coordinators and inboxes are email.
    return (EMAIL, SMS) if recipient_kind == VOLUNTEER else (EMAIL,)


def allowed_fields(message: Message, recipient_kind: str, channel: str) -> frozenset[str]:
    if channel == SMS:
        return frozenset(SMS_FIELDS) | frozenset(message.sms_fields)
    # The security inbox hears about a request, not about a named person.
    common = () if recipient_kind == SECURITY_INBOX else COMMON_FIELDS
    return frozenset(common) | frozenset(message.fields)


class Templates:
    def __init__(
        self,
        directory: Path,
        files: dict[tuple[str, str, str], _File],
        problems: list[str],
        broken: set[tuple[str, str, str]],
    ) -> None:
        self.directory = directory
        self._files = files
        # Found while loading, reported by validate(); a broken file is not "missing" too.
        self._problems = problems
        self._broken = broken

    @classmethod
    def load(cls, directory: Path | None = None) -> Templates:
        """Read every template file under `directory` (default: the packaged folder)."""
        directory = Path(directory) if directory is not None else PACKAGED_DIR
        if not directory.is_dir():
            raise TemplateError(directory, [f"{directory} is not a folder"])
        env = jinja2.Environment(
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        files: dict[tuple[str, str, str], _File] = {}
        problems: list[str] = []
        broken: set[tuple[str, str, str]] = set()
        for path in sorted(directory.glob("*/*")):
            relative = path.relative_to(directory).as_posix()
            parts = path.name.split(".")
            if len(parts) != 3 or parts[2] != "txt" or parts[1] not in (EMAIL, SMS):
                problems.append(f"{relative}: not named <recipient_kind>.<email|sms>.txt")
                continue
            key = (path.parent.name, parts[0], parts[1])
            try:
                files[key] = _parse(env, relative, path.read_text("utf-8"), parts[1])
            except (ValueError, jinja2.TemplateSyntaxError) as exc:
                problems.append(f"{relative}: {exc}")
                broken.add(key)
        return cls(directory, files, problems, broken)

    def validate(self, messages: Mapping[str, tuple[Message, ...]] = MESSAGES) -> None:
        """Raise TemplateError naming every problem: a file the catalogue needs is missing,
        a file names a field its event does not provide (or an SMS names more than SMS_FIELDS),
        or a file is never used."""
        problems = list(self._problems)
        needed: set[tuple[str, str, str]] = set()
        for event_type, event_messages in messages.items():
            for message in event_messages:
                for field_name in message.fields:
                    if field_name not in FIELD_BUILDERS:
                        problems.append(
                            f"the catalogue lists field '{field_name}' for "
                            f"{event_type}, but personalisation cannot make it"
                        )
                for kind in message.recipients:
                    for channel in channels_for(kind):
                        key = (message.template, kind, channel)
                        needed.add(key)
                        problems.extend(self._check(event_type, message, key))
        for key in sorted(set(self._files) - needed):
            problems.append(f"{self._files[key].path}: no event in the catalogue uses it")
        if problems:
            raise TemplateError(self.directory, problems)

    def _check(self, event_type: str, message: Message, key: tuple[str, str, str]) -> list[str]:
        template, kind, channel = key
        file = self._files.get(key)
        if file is None and key in self._broken:
            return []
        if file is None:
            return [f"{template}/{kind}.{channel}.txt is missing ({event_type} sends it)"]
        extra = sorted(file.names - allowed_fields(message, kind, channel))
        if not extra:
            return []
        if channel == SMS:
            allowed = ", ".join(sorted(allowed_fields(message, kind, channel)))
            return [
                f"{file.path}: an SMS may name only {allowed} (it is read on "
                f"locked screens), but it names {', '.join(extra)}"
            ]
        return [
            f"{file.path}: names {', '.join(extra)}, which {event_type} does not provide "
            f"(it provides {', '.join(sorted(allowed_fields(message, kind, channel)))})"
        ]

    def render(
        self, template: str, recipient_kind: str, channel: str, fields: Mapping[str, Any]
    ) -> Rendered:
        """One message. `channel` is `email` or `sms` (any case). An SMS is given only the
        SMS_FIELDS, so even an unchecked template cannot put anything else in a text."""
        channel = channel.lower()
        file = self._files[(template, recipient_kind, channel)]
        if channel == SMS:
            fields = {name: fields[name] for name in sms_fields(template) if name in fields}
        subject = None
        if file.subject is not None:
            subject = " ".join(file.subject.render(fields).split())  # one line, always
        # Optional parts left out leave blank lines behind: a reader sees at most one.
        body = re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+\n", "\n", file.body.render(fields)))
        body = body.strip() + "\n"
        return Rendered(subject=subject, body=body)


@functools.cache
def packaged_templates() -> Templates:
    """The packaged templates, loaded once, for code that has no platform to ask
    (the service's own `templates(platform)` honours NOTIFICATIONS_TEMPLATES_DIR)."""
    return Templates.load()


def _parse(env: jinja2.Environment, relative: str, source: str, channel: str) -> _File:
    subject_source = None
    body_source = source
    first, _, rest = source.partition("\n")
    if channel == EMAIL:
        if not first.startswith(SUBJECT_PREFIX):
            raise ValueError("an email file must start with a 'Subject: …' line")
        blank, _, body_source = rest.partition("\n")
        if blank.strip():
            raise ValueError("the Subject line must be followed by a blank line")
        subject_source = first[len(SUBJECT_PREFIX) :].strip()
    elif first.startswith(SUBJECT_PREFIX):
        raise ValueError("an SMS has no subject: remove the 'Subject:' line")
    names = set(meta.find_undeclared_variables(env.parse(body_source)))
    subject = None
    if subject_source is not None:
        names |= meta.find_undeclared_variables(env.parse(subject_source))
        subject = env.from_string(subject_source)
    return _File(
        path=relative, subject=subject, body=env.from_string(body_source), names=frozenset(names)
    )


# --- personalisation: the event's data, written for people --------------------------------

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
LEVELS = {
    "ESCORTED_VISITOR": "Escorted visitor",
    "STANDARD": "Standard",
    "ENHANCED": "Enhanced",
    "ENHANCED_CTC": "Enhanced with Counter Terrorist Check",
}
ACCESS = {"ESCORTED": "escorted", "UNESCORTED": "unescorted", "KEY_HOLDING": "key holding"}


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
    return LEVELS.get(code) or code.replace("_", " ").capitalize()


def access_words(code: str) -> str:
    return ACCESS.get(code) or code.replace("_", " ").lower()


# How a volunteer reaches the vetting team directly (a sensitive information request is
# answered there, not through the organisation): NOTIFICATIONS_VETTING_CONTACT_EMAIL and
# _PHONE in a deployment; these reach nobody (example domain, an Ofcom drama number).
DEFAULT_VETTING_EMAIL = "vetting-team@vetting.example"
DEFAULT_VETTING_PHONE = "0113 496 0123"


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
    "access_type": _optional("access_type", access_words),
    "key_holder": lambda data, _ctx: data.get("access_type") == "KEY_HOLDING",
    "valid_until": _optional("valid_until", long_date),
    "review_on": lambda data, _ctx: long_date(data["review_on"]),
    # A link and a code are the only values a confirmation SMS adds: kept to their shapes, so
    # that nothing else can ride along in a text.
    "link": lambda data, _ctx: data["link"] if _LINK.match(str(data["link"])) else "",
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
    }
    for message in MESSAGES[event_type]:
        for name in message.fields:
            fields[name] = FIELD_BUILDERS[name](data, context)
    return fields
