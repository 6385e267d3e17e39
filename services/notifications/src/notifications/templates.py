"""Message templates (a fuller, file-based set arrives with the notifications issue)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Template:
    subject: str
    body: str


TEMPLATES = {
    "vetting_started": Template(
        subject="Your application is being checked",
        body=(
            "Dear {forenames} {surname},\n\n"
            "Your application to volunteer in prison has reached the vetting team, who have "
            "started their checks.\n\nWe will write to you when there is news, or if we need "
            "anything from you. You do not need to do anything now.\n"
        ),
    ),
}


def render(name: str, **fields: str) -> tuple[str, str]:
    template = TEMPLATES[name]
    return template.subject.format(**fields), template.body.format(**fields)
