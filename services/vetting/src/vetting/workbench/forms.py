"""The workbench's decision forms, and how what they post becomes what the use cases take.

The forms only draw the fields (GOV.UK widgets) and carry the CSRF token; the API's own
marshmallow schema (vetting.schemas.decisions) validates what they post, so a rule is written
once, and its messages land on the form's fields. `body(form)` reads a form into the API's
request body.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput,
    GovTextArea,
    GovTextInput,
)
from marshmallow import Schema, ValidationError
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice

from shared.frontdoor.widgets import Checkbox, Checkboxes, Radios
from vetting.domain.conditions import OTHER
from vetting.domain.lifecycles.check import RESULTS
from vetting.domain.risk import ESCORTED_ONLY, EXCLUDE
from vetting.service_layer.decisions import REVIEW_OUTCOMES
from vetting.workbench.presenters import condition

MISSING = "Missing data for required field."


REVIEW_LABELS = {
    "CONTINUE": "The clearance continues (reinstated if it was suspended)",
    "SUSPEND": "Suspend the clearance",
    "REVOKE": "Revoke the clearance (vetting managers only)",
}
# What a blank answer asks for, by field: "Enter ..." or, for radios, "Select ...".
ASK = {
    "reason": "Enter the reason.",
    "reasons": "Enter at least one reason.",
    "note": "Enter a note.",
    "items": "Enter what you need, one question a line.",
    "answers": "Enter the answer as received.",
    "summary": "Enter a summary of the result.",
    "level": "Select a clearance level.",
    "decision": "Select confirm or reject.",
    "outcome": "Select an outcome.",
    "person_id": "Select the possible match.",
}


class ReasonForm(FlaskForm):
    reason = TextAreaField("Reason", widget=GovTextArea())


class ClearForm(FlaskForm):
    level = RadioField("Clearance level", widget=Radios(), validate_choice=False)
    conditions = SelectMultipleField(
        "Conditions",
        widget=Checkboxes(),
        description="Leave all unticked for a clearance without conditions.",
        validate_choice=False,
    )
    reason = TextAreaField("Why you are clearing the case", widget=GovTextArea())
    # The officer's terms: conditions from the policy's list (and "other", in their words, shown
    # when ticked), fewer months than the level's, an earlier review.
    condition_codes = SelectMultipleField(
        "Other conditions",
        widget=Checkboxes(),
        description="The prisons are shown these words. Select all that apply.",
        validate_choice=False,
    )
    other_condition = TextAreaField("The condition, in your words", widget=GovTextArea())
    validity_months = StringField(
        "Valid for (months, optional)",
        widget=GovTextInput(),
        description="Fewer months than the level's validity, never more. Leave blank for the "
        "level's.",
    )
    review_on = DateField(
        "Review by (optional)",
        widget=GovDateInput(),
        format="%d %m %Y",
        description="An earlier review than the clearance's end, for example 27 3 2027",
    )


class RefusalForm(FlaskForm):
    reasons = TextAreaField(
        "Reasons for refusal",
        widget=GovTextArea(),
        description="One reason a line. The organisation is not shown them.",
    )


class CountersignForm(FlaskForm):
    decision = RadioField(
        "Your decision",
        choices=[SelectChoice("CONFIRM", "Confirm"), SelectChoice("REJECT", "Reject")],
        widget=Radios(),
        validate_choice=False,
    )
    note = TextAreaField("Note", widget=GovTextArea())


class InformationRequestForm(FlaskForm):
    items = TextAreaField(
        "What do you need?", widget=GovTextArea(), description="One question a line."
    )
    reason = TextAreaField("Why do you need it?", widget=GovTextArea())
    due_by = DateField(
        "By when (optional)",
        widget=GovDateInput(),
        format="%d %m %Y",
        description="For example, 27 3 2027",
    )
    sensitive = BooleanField("Sensitive: about what the checks found", widget=Checkbox())


class AnswerForm(FlaskForm):
    answers = TextAreaField(
        "The volunteer's answer", widget=GovTextArea(), description="As received."
    )


class CheckResultForm(FlaskForm):
    outcome = RadioField(
        "Result",
        choices=[SelectChoice(result.value, result.value.title()) for result in RESULTS],
        widget=Radios(),
        validate_choice=False,
    )
    summary = TextAreaField("Summary", widget=GovTextArea())
    records = TextAreaField(
        "Records found (criminal record and DBS checks only)",
        widget=GovTextArea(),
        description=(
            "One a line: date | offence | disposal | CONVICTION or CAUTION, for example "
            "2019-05-01 | Theft | Fine | CONVICTION. The last two may be left out."
        ),
    )


class RetryForm(FlaskForm):
    pass


class IdentityForm(FlaskForm):
    person_id = RadioField("Possible match", widget=Radios(), validate_choice=False)
    reason = TextAreaField("Reason", widget=GovTextArea())


class ReviewForm(FlaskForm):
    outcome = RadioField(
        "Outcome",
        choices=[SelectChoice(outcome, REVIEW_LABELS[outcome]) for outcome in REVIEW_OUTCOMES],
        widget=Radios(),
        validate_choice=False,
    )
    reason = TextAreaField("Reason", widget=GovTextArea())


def managed_condition_choices(managed: Mapping[str, str]) -> list[SelectChoice]:
    """The policy's list of conditions, then "other" (its words in a box shown when ticked)."""
    return [
        *(SelectChoice(code, text) for code, text in managed.items()),
        SelectChoice(OTHER, "Other"),
    ]


def condition_choices(establishments: Iterable[str]) -> list[SelectChoice]:
    """What the clear use case accepts: escorted only, or leaving out a requested establishment."""
    codes = [ESCORTED_ONLY, *(f"{EXCLUDE}{code}" for code in establishments)]
    return [SelectChoice(code, condition(code)) for code in codes]


def choice_labels(field: Any) -> dict[str, str]:
    """A radio or checkbox field's labels by value."""
    return {str(value): str(label) for value, label, *_rest in field.iter_choices()}


def _text(form: FlaskForm, name: str) -> str | None:
    """A text field's answer, or None when blank (so a required field says so)."""
    value = (getattr(form, name).data or "").strip()
    return value or None


def _lines(form: FlaskForm, name: str) -> list[str] | None:
    lines = [line.strip() for line in (getattr(form, name).data or "").splitlines()]
    return [line for line in lines if line] or None


def _present(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def body(form: FlaskForm) -> dict[str, Any]:
    """The API's request body for what `form` posted."""
    if isinstance(form, ClearForm):
        ticked = list(form.condition_codes.data or [])
        months = (form.validity_months.data or "").strip()
        return _present(
            level=form.level.data or None,
            conditions=list(form.conditions.data or []),
            reason=_text(form, "reason"),
            condition_codes=[code for code in ticked if code != OTHER],
            # Ticked "other": its words, even blank (the schema asks for them).
            other_condition=(form.other_condition.data or "") if OTHER in ticked else None,
            validity_months=(int(months) if months.isdigit() else months) or None,
            review_on=form.review_on.data.isoformat() if form.review_on.data else None,
        )
    if isinstance(form, RefusalForm):
        return _present(reasons=_lines(form, "reasons"))
    if isinstance(form, CountersignForm):
        return _present(decision=form.decision.data or None, note=_text(form, "note"))
    if isinstance(form, InformationRequestForm):
        items = _lines(form, "items")
        return _present(
            items=[{"question": line} for line in items] if items else None,
            reason=_text(form, "reason"),
            due_by=form.due_by.data.isoformat() if form.due_by.data else None,
            sensitive=bool(form.sensitive.data),
        )
    if isinstance(form, AnswerForm):
        answer = _text(form, "answers")
        return _present(answers=[{"answer": answer}] if answer else None)
    if isinstance(form, CheckResultForm):
        return _present(
            outcome=form.outcome.data or None,
            summary=_text(form, "summary"),
            records=[_record(line) for line in _lines(form, "records") or ()],
        )
    if isinstance(form, IdentityForm):
        return _present(person_id=form.person_id.data or None, reason=_text(form, "reason"))
    if isinstance(form, ReviewForm):
        return _present(outcome=form.outcome.data or None, reason=_text(form, "reason"))
    if isinstance(form, ReasonForm):
        return _present(reason=_text(form, "reason"))
    return {}


def _record(line: str) -> dict[str, Any]:
    """One record as typed ("date | offence | disposal | kind"), for the schema to check."""
    parts = [part.strip() for part in line.split("|")]
    record = {"date": parts[0], "offence": parts[1] if len(parts) > 1 else ""}
    if len(parts) > 2 and parts[2]:
        record["disposal"] = parts[2]
    if len(parts) > 3 and parts[3]:
        record["kind"] = parts[3].upper()
    return record


# The forms' GOV.UK date inputs: three boxes the schema never sees.
DATE_FIELDS = ("due_by", "review_on")


def date_unreadable(form: FlaskForm) -> bool:
    """A date typed in that is not a real date: the field says so."""
    unreadable = False
    for name in DATE_FIELDS:
        field = getattr(form, name, None)
        if field is None:
            continue
        raw = [part.strip() for part in field.raw_data or ()]
        if len(raw) != 3:
            field.raw_data = None  # the widget draws three boxes from exactly three parts
        if any(raw) and field.data is None:
            field.errors = ["The date must be a real date, for example 27 3 2027."]
            unreadable = True
    return unreadable


def load(schema: Schema, form: FlaskForm) -> dict[str, Any] | None:
    """The schema's reading of what `form` posted, or None with the messages on the fields."""
    unreadable = date_unreadable(form)
    try:
        data = schema.load(body(form))
    except ValidationError as exc:
        show(form, exc.normalized_messages())
        return None
    return None if unreadable else data


def show(form: FlaskForm, errors: Mapping[str, Any], message: str | None = None) -> None:
    """Messages by field (the schema's, or a use case's Invalid/Conflict) on the form's fields;
    any for no field of the form, and `message`, at the top of the error summary."""
    loose: list[str] = [message] if message else []
    for name, messages in errors.items():
        texts = [ASK.get(name, text) if text == MISSING else text for text in _flat(messages)]
        field = form._fields.get(name) if name != "csrf_token" else None
        if field is not None:
            field.errors = [" ".join(texts)]  # the widget and the summary show one message
        else:
            loose.extend(texts)
    if loose:
        form.form_errors = list(dict.fromkeys([*form.form_errors, *loose]))


def _flat(messages: Any, where: str = "") -> list[str]:
    """marshmallow's nested messages ({0: {"question": [...]}}) as plain sentences."""
    if isinstance(messages, str):
        return [f"{where}{messages}"]
    if isinstance(messages, Mapping):
        return [text for key, value in messages.items() for text in _flat(value, _at(key, where))]
    return [text for value in messages for text in _flat(value, where)]


def _at(key: Any, where: str) -> str:
    """Where in the answer a message is: the line, then the part of the line."""
    if isinstance(key, int):
        return f"Line {key + 1}: "
    return f"{where}{str(key).replace('_', ' ')}: " if where else where
