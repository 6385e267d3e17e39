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
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta

from notifications.domain.messages import (
    EMAIL,
    MESSAGES,
    SIGN_OFF_FIELDS,
    SMS,
    Message,
    allowed_fields,
    channels_for,
    sms_fields,
)
from notifications.domain.personalisation import FIELD_BUILDERS

# The service's own templates: the package's top-level templates/ folder.
PACKAGED_DIR = Path(__file__).parents[1] / "templates"
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
        an email does not say who is writing (SIGN_OFF_FIELDS), or a file is never used."""
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
        problems: list[str] = []
        unsigned = [name for name in SIGN_OFF_FIELDS if name not in file.names]
        if channel == EMAIL and unsigned:
            problems.append(
                f"{file.path}: an email must say who is writing and how to reach them, "
                f"but it does not name {', '.join(unsigned)}"
            )
        extra = sorted(file.names - allowed_fields(message, kind, channel))
        if not extra:
            return problems
        if channel == SMS:
            allowed = ", ".join(sorted(allowed_fields(message, kind, channel)))
            return [
                f"{file.path}: an SMS may name only {allowed} (it is read on "
                f"locked screens), but it names {', '.join(extra)}"
            ]
        return [
            *problems,
            f"{file.path}: names {', '.join(extra)}, which {event_type} does not provide "
            f"(it provides {', '.join(sorted(allowed_fields(message, kind, channel)))})",
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
