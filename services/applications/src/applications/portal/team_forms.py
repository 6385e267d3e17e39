"""The forms of the portal's team and API key pages: they draw GOV.UK fields and carry the CSRF
token; the service layer (service_layer.members) checks what they post, so a rule is written
once and its messages land on these fields."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice

from applications.service_layer import members
from shared.frontdoor.words import date_words

ROLE_LABELS = {members.COORDINATOR: "Coordinator", members.ADMIN: "Admin"}
ROLE_HINTS = {
    members.COORDINATOR: "Works on the organisation's applications.",
    members.ADMIN: "Also manages the team and the organisation's API keys.",
}


class _Radios(GovRadioInput):
    """Each role with its hint under it; no empty hint box for the whole group."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        params: dict[str, Any] = super().map_gov_params(field, **kwargs)
        for item in params.get("items", []):
            item["hint"] = {"text": ROLE_HINTS.get(item["value"], "")}
        if not (params.get("hint") or {}).get("text"):
            params.pop("hint", None)
        return params


class InviteForm(FlaskForm):
    email = StringField(
        "Email address",
        id="email",
        description="They sign in with this address. We will email them an invitation.",
        widget=GovTextInput(),
    )
    role = RadioField(
        "Role",
        id="role",
        choices=[SelectChoice(role, ROLE_LABELS[role]) for role in members.ROLES],
        default=members.COORDINATOR,
        validate_choice=False,
        widget=_Radios(),
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A button and the CSRF token: removing a member, creating or revoking a key."""


def show_errors(
    form: FlaskForm, errors: Mapping[str, Sequence[str]], message: str | None = None
) -> None:
    """A refusal's messages on the form: on their fields, or above them (no field's)."""
    for name, messages in errors.items():
        field = form._fields.get(name)
        if field is not None:
            field.errors = list(messages)
        else:
            form.form_errors.extend(messages)
    if message and not errors:
        form.form_errors.append(message)


def day(value: date | datetime | None) -> str:
    """3 December 2026 (London's date), or "" for none."""
    return "" if value is None else date_words(value)


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)
