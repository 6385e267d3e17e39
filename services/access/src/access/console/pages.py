"""Rendering a console page: the chrome every page shares, and the error summary of a form."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import render_template

from access.console.blueprint import account, actor, platform
from access.service_layer import queries
from shared.errors import DomainError, Invalid

# The first field of each form: where the error summary points when a message concerns the
# form as a whole (a conflict, a permission) rather than one of its fields.
FIRST_FIELD = {
    "login": "username",
    "approve": "access_type",
    "refuse": "reason",
    "induction": "security_briefing",
    "suspend": "reason",
    "reinstate": "reason",
    "exclude": "reason",
    "revoke": "reason",
    "end": "reason",
    "gate": "badge",
    "photo": "photo",
    "find": "name",
    "holders": "status",
}
# The service layer's field names where they differ from the form's.
FIELD_ALIASES = {"item": "security_briefing"}
# How the error summary names a field, so each of its lines makes sense on its own.
FIELD_LABELS = {
    "access_type": "Type of access",
    "valid_until": "Valid until",
    "permitted_days": "Days allowed",
    "permitted_areas": "Areas",
    "conditions": "Conditions",
    "badge_number": "Badge number",
    "review_on": "Review date",
    "reason": "Reason",
    "security_briefing": "Induction",
    "badge": "Badge number",
    "person_id": "Person ID",
    "photo": "Photo",
    "name": "Name",
    "date_of_birth": "Date of birth",
    "reference": "Reference",
    "status": "Status",
    "expiring_within_days": "Access ending within",
    "key_holders": "Key holders",
    "review_due": "Exclusions due for review",
    "awaiting_induction": "Awaiting induction",
    "sort": "Sort",
    "direction": "Order",
    "page": "Page",
}


@dataclass
class FormError:
    """What went wrong with one posted form: a summary, and messages per field."""

    form: str
    message: str
    fields: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, form: str, exc: DomainError) -> FormError:
        fields = {
            FIELD_ALIASES.get(name, name): list(messages)
            for name, messages in (exc.errors.items() if isinstance(exc, Invalid) else ())
        }
        return cls(form, str(exc), fields)

    def summary(self) -> list[tuple[str, str]]:
        """(message, anchor) pairs: each field's messages, or the message on the form."""
        items = [
            (self._labelled(name, message), f"{self.form}-{name}")
            for name, messages in self.fields.items()
            for message in messages
        ]
        first = FIRST_FIELD.get(self.form, "reason" if self.form.startswith("review-") else "form")
        return items or [(self.message, f"{self.form}-{first}")]

    @staticmethod
    def _labelled(name: str, message: str) -> str:
        label = FIELD_LABELS.get(name)
        if label is None or label.lower() in message.lower():
            return message
        return f"{label}: {message[:1].lower()}{message[1:]}"

    def on(self, name: str) -> list[str]:
        return self.fields.get(name, [])


def establishment_names(codes: list[str]) -> dict[str, str]:
    with platform().session_factory() as session:
        return queries.establishment_names(session, codes)


def render(template: str, *, error: FormError | None = None, **context: Any) -> str:
    """A signed-in page: with the member of staff and their establishments for the header."""
    names = establishment_names(sorted(actor().establishments))
    return render_template(template, error=error, me=account(), my_establishments=names, **context)
