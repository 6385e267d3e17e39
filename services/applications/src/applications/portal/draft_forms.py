"""The draft's forms: GOV.UK widgets and the CSRF token only. What an answer may be is the API's
schema's business (ApplicationInputSchema), so a rule is written once; the views put its
messages on these fields."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from shared.events.vocabulary import ACCESS_TYPES, CHANNELS, FREQUENCIES, ROLES
from shared.frontdoor.widgets import Checkbox, Radios

ACCESS_LABELS = {
    "ESCORTED": "Escorted",
    "UNESCORTED": "Unescorted",
    "KEY_HOLDING": "Unescorted, carrying keys",
}
ACCESS_HINTS = {
    "ESCORTED": "A member of prison staff is with them all the time.",
    "UNESCORTED": "They move around the prison on their own, without keys.",
    "KEY_HOLDING": "They carry prison keys. This needs the most checks.",
}
FREQUENCY_LABELS = {
    "ONE_OFF": "Once",
    "OCCASIONAL": "Now and then (a few times a year)",
    "REGULAR": "Regularly (every week or month)",
}
ROLE_LABELS = {
    "GROUP_FACILITATOR": "Group facilitator",
    "VISITING_SPEAKER": "Visiting speaker",
    "SPONSOR": "Sponsor",
    "COORDINATOR": "Coordinator",
}
CHANNEL_LABELS = {"EMAIL": "Email", "SMS": "Text message"}
DATE_EXAMPLE = "For example, 27 3 2007"


def _choices(values: tuple[str, ...], labels: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, labels.get(value, value)) for value in values]


def _date(label: str, description: str = DATE_EXAMPLE) -> DateField:
    return DateField(label, widget=GovDateInput(), format="%d %m %Y", description=description)


class PrisonForm(FlaskForm):
    establishment = SelectField("Prison", widget=GovSelect(), validate_choice=False)


class AccessForm(FlaskForm):
    requested_access = RadioField(
        "Access",
        choices=_choices(ACCESS_TYPES, ACCESS_LABELS),
        widget=Radios(),
        validate_choice=False,
    )


class FrequencyForm(FlaskForm):
    frequency = RadioField(
        "How often",
        choices=_choices(FREQUENCIES, FREQUENCY_LABELS),
        widget=Radios(),
        validate_choice=False,
    )


class RoleForm(FlaskForm):
    role = RadioField(
        "Role", choices=_choices(ROLES, ROLE_LABELS), widget=Radios(), validate_choice=False
    )
    # Beside the role: what the prison's security team reads when it decides their access.
    group_name = StringField(
        "Name of the group",
        widget=GovTextInput(),
        description="For example, Tuesday evening meeting.",
    )
    area = StringField(
        "Where in the prison it meets",
        widget=GovTextInput(),
        description="For example, the chapel or the education block.",
    )


class NameForm(FlaskForm):
    forenames = StringField("First names", widget=GovTextInput())
    middle_names = StringField("Middle names", widget=GovTextInput())
    no_middle_name = BooleanField("They have no middle name", widget=Checkbox())
    surname = StringField("Last name", widget=GovTextInput())


class DateOfBirthForm(FlaskForm):
    date_of_birth = _date("Date of birth")


class PlaceOfBirthForm(FlaskForm):
    town = StringField("Town or city", widget=GovTextInput())
    country = StringField("Country", widget=GovTextInput())


class NationalInsuranceForm(FlaskForm):
    national_insurance_number = StringField(
        "National Insurance number",
        widget=GovTextInput(),
        description="It is on their payslip or P60, for example AB 12 34 56 C. Leave it empty "
        "if they do not have one.",
    )


class ContactForm(FlaskForm):
    email = StringField("Email address", widget=GovTextInput())
    mobile = StringField(
        "UK mobile number (optional)",
        widget=GovTextInput(),
        description="For example, 07700 900123.",
    )
    preferred_channel = RadioField(
        "How would they like to hear from us?",
        choices=_choices(CHANNELS, CHANNEL_LABELS),
        widget=Radios(),
        validate_choice=False,
    )


class AddressForm(FlaskForm):
    line1 = StringField("Address line 1", widget=GovTextInput())
    line2 = StringField("Address line 2 (optional)", widget=GovTextInput())
    town = StringField("Town or city", widget=GovTextInput())
    postcode = StringField("Postcode", widget=GovTextInput())
    country = StringField(
        "Country (only for an address outside the UK)",
        widget=GovTextInput(),
        description="Time abroad counts as address history. Leave the postcode empty.",
    )
    from_date = _date("Moved in")
    to_date = _date("Moved out", "Leave empty if they live here now. " + DATE_EXAMPLE)


class GapForm(FlaskForm):
    from_date = _date("Gap starts")
    to_date = _date("Gap ends")
    explanation = TextAreaField("Where were they living?", widget=GovTextArea())


class RefereeForm(FlaskForm):
    forenames = StringField("First names", widget=GovTextInput())
    surname = StringField("Last name", widget=GovTextInput())
    email = StringField("Email address", widget=GovTextInput())
    relationship = StringField(
        "How do they know the volunteer?",
        widget=GovTextInput(),
        description="For example, employer, teacher, colleague. Not a relative.",
    )
    postcode = StringField("Postcode", widget=GovTextInput())
    years_known = StringField(
        "How many years have they known the volunteer? (optional)", widget=GovTextInput()
    )
    not_related = BooleanField(
        "They are not related to the volunteer",
        widget=Checkbox(),
        description="We ask when a referee has the volunteer's surname and postcode. Tick this "
        "if they are not family.",
    )


class AnotherForm(FlaskForm):
    """An "add another" page's yes/no question (its label is the collection's)."""

    another = RadioField(
        "Add another?",
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
        widget=Radios(),
        validate_choice=False,
    )


class SubmitForm(FlaskForm):
    pass


class StartForm(FlaskForm):
    pass


def values(form: FlaskForm) -> tuple[dict[str, Any], dict[str, str]]:
    """(what the form posted, as the API's body has it: text trimmed, blanks None, dates ISO;
    the messages for dates typed that are not real dates)."""
    found: dict[str, Any] = {}
    unreadable: dict[str, str] = {}
    for name, field in form._fields.items():
        if name == "csrf_token":
            continue
        if isinstance(field, DateField):
            raw = [part.strip() for part in field.raw_data or ()]
            if len(raw) != 3:
                field.raw_data = None  # the widget draws three boxes from exactly three parts
            if any(raw) and field.data is None:
                unreadable[name] = "Enter a real date, for example 27 3 2007."
            found[name] = field.data.isoformat() if isinstance(field.data, date) else None
        elif isinstance(field, BooleanField):
            found[name] = bool(field.data)
        else:
            text = (field.data or "").strip() if isinstance(field.data, str | type(None)) else ""
            found[name] = text or None
    return found, unreadable


def fill(form: FlaskForm, stored: dict[str, Any]) -> None:
    """Show what is stored (ISO dates as dates) in the form's fields."""
    for name, field in form._fields.items():
        if name == "csrf_token" or name not in stored or stored[name] is None:
            continue
        value = stored[name]
        if isinstance(field, DateField):
            try:
                field.data = date.fromisoformat(str(value))
            except ValueError:
                continue
        else:
            field.data = value if isinstance(field, BooleanField) else str(value)
