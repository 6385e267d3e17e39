"""The forms of the portal's application pages, and how what they post becomes what the API's
use cases take.

The forms only draw the fields (GOV.UK widgets) and carry the CSRF token; the API's own
marshmallow schemas validate what they post, so a rule is written once and its messages land on
the form's fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from marshmallow import Schema, ValidationError
from wtforms import DateField, Form, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from applications.schemas.applicant import DISPOSALS
from shared.frontdoor.widgets import Radios
from shared.offences import CATEGORY_WORDS, OFFENCE_CATEGORIES

MISSING = "Missing data for required field."
DATE_FORMAT = "%d %m %Y"
DATE_HINT = "For example, 27 3 2024"


class ListFilters(Form):
    """The list's filters: a GET form, so a filtered list is a link to share (no CSRF)."""

    status = SelectField("Status", default="", widget=GovSelect(), validate_choice=False)
    establishment = SelectField("Prison", default="", widget=GovSelect(), validate_choice=False)
    name = StringField("Applicant's name", widget=GovTextInput())


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        "Why are you withdrawing this application?",
        widget=GovTextArea(),
        description="Vetting and the prisons are told it is withdrawn; the reason stays with you.",
    )


class ReconsiderForm(FlaskForm):
    grounds = TextAreaField(
        "Why should the refusal be reconsidered?",
        widget=GovTextArea(),
        description="New information, or what the decision missed. Vetting reads this.",
    )


CHANGE_KIND_LABELS = {
    "NEW_CONVICTION": "A new conviction or caution",
    "NEW_CONNECTION": "A new connection with a person in custody",
    "CHANGE_OF_ADDRESS": "A change of address",
}


class ChangeKindForm(Form):
    """The first question of reporting a change: a GET form, nothing is written yet."""

    kind = RadioField(
        "What has changed?",
        choices=[SelectChoice(kind, text) for kind, text in CHANGE_KIND_LABELS.items()],
        widget=Radios(),
        validate_choice=False,
    )


class ConvictionForm(FlaskForm):
    conviction_kind = RadioField(
        "Is it a conviction or a caution?",
        choices=[SelectChoice("CONVICTION", "Conviction"), SelectChoice("CAUTION", "Caution")],
        widget=Radios(),
        validate_choice=False,
    )
    offence = StringField("Offence", widget=GovTextInput())
    date = DateField("Date", widget=GovDateInput(), format=DATE_FORMAT, description=DATE_HINT)
    disposal = SelectField(
        "Sentence or outcome",
        choices=[SelectChoice("", "Choose one")]
        + [SelectChoice(code, code.replace("_", " ").capitalize()) for code in DISPOSALS],
        widget=GovSelect(),
        validate_choice=False,
    )
    category = SelectField(
        "Kind of offence (optional)",
        choices=[SelectChoice("", "Choose one")]
        + [SelectChoice(code, CATEGORY_WORDS[code]) for code in OFFENCE_CATEGORIES],
        widget=GovSelect(),
        validate_choice=False,
        description="It helps vetting match it to what the checks find.",
    )


class ConnectionForm(FlaskForm):
    connection_name = StringField("Their full name", widget=GovTextInput())
    relationship = StringField(
        "Their relationship to the volunteer",
        widget=GovTextInput(),
        description="For example, brother, friend, former partner.",
    )
    establishment = SelectField("The prison they are in", widget=GovSelect(), validate_choice=False)


class AddressForm(FlaskForm):
    line1 = StringField("Address line 1", widget=GovTextInput())
    line2 = StringField("Address line 2 (optional)", widget=GovTextInput())
    town = StringField("Town or city", widget=GovTextInput())
    postcode = StringField("Postcode", widget=GovTextInput())
    from_date = DateField(
        "When did the volunteer move in?",
        widget=GovDateInput(),
        format=DATE_FORMAT,
        description=DATE_HINT,
    )


CHANGE_FORMS: dict[str, type[FlaskForm]] = {
    "NEW_CONVICTION": ConvictionForm,
    "NEW_CONNECTION": ConnectionForm,
    "CHANGE_OF_ADDRESS": AddressForm,
}
# The API's section name per kind, and each form field's name in that section.
SECTIONS = {
    "NEW_CONVICTION": (
        "conviction",
        {
            "conviction_kind": "kind",
            "offence": "offence",
            "date": "date",
            "disposal": "disposal",
            "category": "category",
        },
    ),
    "NEW_CONNECTION": (
        "connection",
        {
            "connection_name": "name",
            "relationship": "relationship",
            "establishment": "establishment",
        },
    ),
    "CHANGE_OF_ADDRESS": (
        "address",
        {
            "line1": "line1",
            "line2": "line2",
            "town": "town",
            "postcode": "postcode",
            "from_date": "from_date",
        },
    ),
}
ASK = {
    "reason": "Enter why you are withdrawing the application.",
    "grounds": "Enter why the refusal should be reconsidered.",
    "conviction_kind": "Select conviction or caution.",
    "offence": "Enter the offence.",
    "date": "Enter the date.",
    "disposal": "Select the sentence or outcome.",
    "connection_name": "Enter their full name.",
    "relationship": "Enter their relationship to the volunteer.",
    "establishment": "Select the prison they are in.",
    "line1": "Enter the first line of the address.",
    "town": "Enter the town or city.",
    "postcode": "Enter the postcode.",
    "from_date": "Enter the date they moved in.",
}


def text(form: Form, name: str) -> str | None:
    """A text field's answer, or None when blank (so a required field says so)."""
    value = (getattr(form, name).data or "").strip()
    return value or None


def change_body(kind: str, form: FlaskForm) -> dict[str, Any]:
    """The API's change report (ChangeSchema) for what the kind's form posted."""
    section, names = SECTIONS[kind]
    details: dict[str, Any] = {}
    for field_name, key in names.items():
        field = getattr(form, field_name)
        if isinstance(field, DateField):
            value = field.data.isoformat() if field.data else None
        else:
            value = text(form, field_name)
        if value is not None:
            details[key] = value
    return {"kind": kind, section: details}


def dates_unreadable(form: FlaskForm) -> bool:
    """A date typed in that is no real date (the three boxes the schema never sees): the field
    says so."""
    unreadable = False
    for field in form:
        if not isinstance(field, DateField):
            continue
        raw = [part.strip() for part in field.raw_data or ()]
        if len(raw) != 3:
            field.raw_data = None  # the widget draws three boxes from exactly three parts
        if any(raw) and field.data is None:
            field.errors = ["The date must be a real date, for example 27 3 2024."]
            unreadable = True
    return unreadable


def load(schema: Schema, body: Mapping[str, Any], form: FlaskForm, names: Mapping[str, str]):
    """The schema's reading of `body`, or None with its messages on the form's fields (`names`:
    the schema's field name -> the form's)."""
    unreadable = dates_unreadable(form)
    try:
        data = schema.load(body)
    except ValidationError as exc:
        show(form, exc.normalized_messages(), names)
        return None
    return None if unreadable else data


def show(
    form: FlaskForm,
    errors: Mapping[str, Any],
    names: Mapping[str, str] | None = None,
    message: str | None = None,
) -> None:
    """Messages by field (a schema's, or a use case's Invalid) on the form's fields; any for no
    field of the form, and `message`, at the top of the error summary."""
    loose: list[str] = [message] if message else []
    for key, messages in _flat(errors).items():
        name = (names or {}).get(key, key)
        field = form._fields.get(name) if name != "csrf_token" else None
        texts = [ASK.get(name, t) if t == MISSING else t for t in messages]
        if field is not None:
            if not field.errors:
                field.errors = [" ".join(texts)]
        else:
            loose.extend(texts)
    if loose:
        form.form_errors = list(dict.fromkeys([*form.form_errors, *loose]))


def _flat(errors: Mapping[str, Any], where: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages ({"conviction": {"offence": [...]}}) by innermost field."""
    found: dict[str, list[str]] = {}
    for key, value in errors.items():
        if isinstance(value, Mapping):
            for inner, texts in _flat(value, str(key)).items():
                found.setdefault(inner, []).extend(texts)
        else:
            texts = [value] if isinstance(value, str) else [str(t) for t in value]
            found.setdefault(str(key) if not where or key != "_schema" else where, []).extend(texts)
    return found
