"""The forms of the volunteer's pages and of sending them their link.

The forms draw the fields (GOV.UK widgets) and carry the CSRF token; what an entry must be is
the API's applicant schema's business (service_layer.volunteer_sections validates with it), and
its messages land on these fields (`place_errors`).
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
from wtforms import DateField, Form, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from applications.schemas.applicant import DISPOSALS, DOCUMENT_TYPES
from shared.frontdoor.widgets import Radios
from shared.offences import CATEGORY_WORDS, OFFENCE_CATEGORIES

DATE_HINT = "For example, 27 3 2015"
DISPOSAL_WORDS = {
    "CUSTODY": "Prison or custody",
    "SUSPENDED_SENTENCE": "Suspended sentence",
    "COMMUNITY_ORDER": "Community order",
    "FINE": "Fine",
    "DISCHARGE": "Discharge (absolute or conditional)",
    "CAUTION": "Caution",
    "CONDITIONAL_CAUTION": "Conditional caution",
    "OTHER": "Something else",
}
DOCUMENT_WORDS = {
    "PASSPORT": "Passport",
    "DRIVING_LICENCE": "Driving licence",
    "BIOMETRIC_RESIDENCE_PERMIT": "Biometric residence permit",
    "NATIONAL_IDENTITY_CARD": "National identity card",
    "BIRTH_CERTIFICATE": "Birth certificate",
    "OTHER": "Another document",
}
KIND_WORDS = {"CONVICTION": "Conviction", "CAUTION": "Caution (or reprimand or warning)"}


class GovDateField(DateField):
    """A GOV.UK date input: day, month and year always three values (a crafted post without
    them is a blank date, never a broken page)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        values = [str(v) for v in valuelist][:3]
        self.raw_data = values + [""] * (3 - len(values))
        if not "".join(self.raw_data).strip():
            self.data = None
            return
        super().process_formdata(self.raw_data)


def _choices(words: Mapping[str, str], values: tuple[str, ...]) -> list[SelectChoice]:
    return [SelectChoice(value, words[value]) for value in values]


class SendLinkForm(FlaskForm):
    channel = RadioField("How should we send the link?", widget=Radios(), validate_choice=False)


class MoreForm(FlaskForm):
    """ "Do you have (another) one to add?" at the foot of a section's list."""

    more = RadioField(
        "Do you have one to add?",
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
        widget=Radios(),
        validate_choice=False,
    )


class DeclarationsDoneForm(MoreForm):
    on_licence = RadioField(
        "Are you on licence or under supervision now?",
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
        widget=Radios(),
        validate_choice=False,
    )
    release_date = GovDateField(
        "If you have ever been in prison, the date you were last released (optional)",
        widget=GovDateInput(),
        format="%d %m %Y",
        description=DATE_HINT,
    )


class ConvictionForm(FlaskForm):
    kind = RadioField(
        "Is it a conviction or a caution?",
        choices=_choices(KIND_WORDS, ("CONVICTION", "CAUTION")),
        widget=Radios(),
        validate_choice=False,
    )
    offence = StringField("What was the offence?", widget=GovTextInput())
    date = GovDateField(
        "Date of the conviction or caution",
        widget=GovDateInput(),
        format="%d %m %Y",
        description=DATE_HINT,
    )
    disposal = SelectField(
        "What was the sentence or outcome?",
        choices=[SelectChoice("", "Choose one"), *_choices(DISPOSAL_WORDS, DISPOSALS)],
        widget=GovSelect(),
        validate_choice=False,
    )
    category = SelectField(
        "What kind of offence was it? (optional)",
        choices=[
            SelectChoice("", "Choose one"),
            *_choices(CATEGORY_WORDS, OFFENCE_CATEGORIES),
        ],
        widget=GovSelect(),
        validate_choice=False,
        description="It helps the vetting team match it to the records they check.",
    )
    sentence_length_months = StringField(
        "How long was the sentence, in months? (optional)",
        widget=GovTextInput(),
        description="Only for a prison, suspended or community sentence.",
    )
    spent = RadioField(
        "Is it spent? (optional)",
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
        widget=Radios(),
        validate_choice=False,
    )


class ConnectionForm(FlaskForm):
    name = StringField("Their full name", widget=GovTextInput())
    relationship = StringField(
        "How do you know them?", widget=GovTextInput(), description="For example, brother or friend"
    )
    establishment = SelectField("The prison they are in", widget=GovSelect(), validate_choice=False)


class DocumentForm(FlaskForm):
    type = RadioField(
        "Type of document",
        choices=_choices(DOCUMENT_WORDS, DOCUMENT_TYPES),
        widget=Radios(),
        validate_choice=False,
    )
    number = StringField(
        "Document number",
        widget=GovTextInput(),
        description="As printed on the document, letters and digits",
    )
    expiry = GovDateField(
        "Expiry date (if it has one)",
        widget=GovDateInput(),
        format="%d %m %Y",
        description="For example, 27 3 2030",
    )


class AnswerForm(FlaskForm):
    answer = TextAreaField("Your answer", widget=GovTextArea())


def date_text(field: DateField) -> str | None:
    """The date the volunteer typed, as the API takes it (ISO), or None if left blank; a
    date that does not exist stays as typed so the schema's message says so."""
    if field.data is not None:
        return field.data.isoformat()
    typed = " ".join(field.raw_data or []).strip()
    return typed or None


def place_errors(form: Form, messages: Mapping[str, Any]) -> None:
    """The schema's messages on the form's fields (the rest on the form itself)."""
    for name, found in messages.items():
        texts = found if isinstance(found, list) else [str(found)]
        texts = [t if isinstance(t, str) else str(t) for t in texts]
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*(field.errors or []), *[_plain(name, t) for t in texts]]
        else:
            form.form_errors.extend(texts)


PLAIN = {
    "kind": "Select conviction or caution.",
    "offence": "Enter the offence.",
    "date": "Enter the date, for example 27 3 2015.",
    "disposal": "Select the sentence or outcome.",
    "name": "Enter their full name.",
    "relationship": "Enter how you know them.",
    "establishment": "Select the prison they are in.",
    "type": "Select the type of document.",
    "number": "Enter the document number.",
    "expiry": "Enter the expiry date as numbers, for example 27 3 2030.",
    "release_date": "Enter the release date as numbers, for example 27 3 2015.",
}


def _plain(name: str, text: str) -> str:
    """Marshmallow's stock words in the GOV.UK style (what to do), the schema's own as they are."""
    if text in (
        "Missing data for required field.",
        "Field may not be null.",
        "Not a valid date.",
    ) or text.startswith(("Must be one of", "Shorter than minimum length", "Not a valid")):
        return PLAIN.get(name, text)
    return text
