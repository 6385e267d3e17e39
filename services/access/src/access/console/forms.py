"""The console's forms, read from the posted fields into what the service layer takes.

Each reader raises shared.errors.Invalid with messages keyed by the form's own field names, the
same way the service layer reports a broken rule, so a page shows both the same way. The gate
check's fields are drawn by govuk-frontend-wtf's widgets (GateForm); the grant page's are drawn
by the GOV.UK macros directly (templates/console/_macros.html).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from werkzeug.datastructures import MultiDict
from wtforms import DateField, SelectField, StringField, SubmitField

from access.console.person_fields import date_of_birth, person_name
from access.domain.rules import ID_BADGE, KEY_TRAINING, SECURITY_BRIEFING, WEEKDAYS
from access.models import Grant
from access.service_layer.actors import Actor
from shared.clock import end_of_london_day
from shared.errors import Invalid, NotFound

MAX_REASON = 2000
MAX_ITEMS, MAX_CONDITION, MAX_AREA = 20, 200, 100
BADGE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$")


def _text(form: MultiDict, name: str) -> str:
    return (form.get(name) or "").strip()


def reason(form: MultiDict, *, what: str = "the reason") -> dict[str, Any]:
    text = _text(form, "reason")
    if not text:
        raise Invalid("Some answers need correcting.", {"reason": [f"Enter {what}."]})
    if len(text) > MAX_REASON:
        raise Invalid(
            "Some answers need correcting.",
            {"reason": [f"The reason must be {MAX_REASON} characters or fewer."]},
        )
    return {"reason": text}


def _date(form: MultiDict, name: str, label: str, errors: dict[str, list[str]]) -> date | None:
    value = _text(form, name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[name] = [f"{label} must be a real date."]
        return None


def _lines(
    form: MultiDict, name: str, limit: int, label: str, errors: dict[str, list[str]]
) -> list[str]:
    """One item a line; blank lines ignored."""
    items = [line.strip() for line in _text(form, name).splitlines() if line.strip()]
    if len(items) > MAX_ITEMS:
        errors[name] = [f"Give at most {MAX_ITEMS} {label}."]
    elif any(len(item) > limit for item in items):
        errors[name] = [f"Each of the {label} must be {limit} characters or fewer."]
    return items


def end_of_day(day: date, grant: Grant) -> datetime:
    """ "Valid until 3 March" means through that day in the prison's own time, the clearance's
    last day included (it too holds to the end of its day). A later day is passed on as it is,
    for the service layer to refuse (better than quietly shortening it)."""
    del grant  # kept in the signature: the form is read for one grant
    return end_of_london_day(day)


def approval(form: MultiDict, grant: Grant) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    access_type = _text(form, "access_type")
    if not access_type:
        errors["access_type"] = ["Select the type of access."]
    until = _date(form, "valid_until", "Valid until", errors)
    days = form.getlist("permitted_days")
    if any(day not in WEEKDAYS for day in days):
        errors["permitted_days"] = ["Select days from the list."]
    areas = _lines(form, "permitted_areas", MAX_AREA, "areas", errors)
    conditions = _lines(form, "conditions", MAX_CONDITION, "conditions", errors)
    note = _text(form, "reason")
    if len(note) > MAX_REASON:
        errors["reason"] = [f"The note must be {MAX_REASON} characters or fewer."]
    if errors:
        raise Invalid("Some answers need correcting.", errors)
    return {
        "access_type": access_type,
        "valid_until": end_of_day(until, grant) if until else None,
        "conditions": conditions,
        # None ticked means every day (the API's "leave out").
        "permitted_days": [day for day in WEEKDAYS if day in days] or None,
        "permitted_areas": areas,
        "reason": note or None,
    }


def exclusion(form: MultiDict) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    try:
        text = reason(form)["reason"]
    except Invalid as exc:
        errors.update(exc.errors)
        text = ""
    review_on = _date(form, "review_on", "The review date", errors)
    if review_on is None and "review_on" not in errors:
        errors["review_on"] = ["Enter the date the exclusion is to be reviewed."]
    if errors:
        raise Invalid("Some answers need correcting.", errors)
    return {"reason": text, "review_on": review_on}


def induction(form: MultiDict, outstanding: tuple[str, ...]) -> list[dict[str, Any]]:
    """The items ticked (and the badge number given), in the order they are recorded."""
    steps: list[dict[str, Any]] = []
    errors: dict[str, list[str]] = {}
    for item in (SECURITY_BRIEFING, KEY_TRAINING):
        if item in outstanding and form.get(item.lower()) == "yes":
            steps.append({"item": item})
    badge = _text(form, "badge_number")
    if badge:
        if ID_BADGE not in outstanding:
            errors["badge_number"] = ["The badge has already been issued."]
        elif not BADGE.match(badge):
            errors["badge_number"] = ["Use letters, digits and hyphens only (up to 40)."]
        else:
            steps.append({"item": ID_BADGE, "badge_number": badge})
    if not steps and not errors:
        errors["security_briefing" if SECURITY_BRIEFING in outstanding else "badge_number"] = [
            "Tick what has been done, or enter the badge number issued."
        ]
    if errors:
        raise Invalid("Some answers need correcting.", errors)
    return steps


@dataclass(frozen=True)
class GateQuery:
    code: str
    person_id: str | None
    badge: str | None
    name: str | None = None
    date_of_birth: date | None = None


def gate_query(form: MultiDict, actor: Actor) -> GateQuery:
    code = _text(form, "establishment") or min(actor.establishments, default="")
    if not actor.covers(code):
        raise NotFound()  # another establishment's gate: as if it did not exist
    badge, person = _text(form, "badge"), _text(form, "person_id")
    errors: dict[str, list[str]] = {}
    name, born = person_name(form, "name", errors), date_of_birth(form, "date_of_birth", errors)
    if errors:
        raise Invalid("Some answers need correcting.", errors)
    if sum(map(bool, (badge, person, name or born))) != 1:
        raise Invalid(
            "Some answers need correcting.",
            {"badge": ["Enter a badge number, a name and date of birth, or a person ID."]},
        )
    if name or born:
        if not (name and born):
            missing = "date_of_birth" if name else "name"
            raise Invalid(
                "Some answers need correcting.",
                {missing: ["Enter both the name and the date of birth."]},
            )
        return GateQuery(code, None, None, name, born)
    if badge and not BADGE.match(badge):
        raise Invalid(
            "Some answers need correcting.",
            {"badge": ["A badge number has letters, digits and hyphens only (up to 40)."]},
        )
    if person:
        try:
            person = str(uuid.UUID(person))
        except ValueError:
            raise Invalid(
                "Some answers need correcting.",
                {"person_id": ["A person ID looks like 3f2b…-…: 32 hexadecimal digits."]},
            ) from None
    return GateQuery(code, person or None, badge or None)


class GateForm(FlaskForm):
    """What the gate check asks for, as GOV.UK fields (ids "gate-<name>", which the error
    summary links to). Drawn only: gate_query reads the post. The CSRF token is the page's own
    hidden field, checked by the door's guard."""

    establishment = SelectField("Establishment", id="gate-establishment", widget=GovSelect())
    badge = StringField("Badge number", id="gate-badge", widget=GovTextInput())
    person_id = StringField(
        "Person ID",
        id="gate-person_id",
        description="From the person's record, for example 3f2b8c1e-….",
        widget=GovTextInput(),
    )
    name = StringField("Name", id="gate-name", widget=GovTextInput())
    date_of_birth = DateField(
        "Date of birth",
        id="gate-date_of_birth",
        format="%d %m %Y",
        description="For example, 27 3 1980",
        widget=GovDateInput(),
    )
    submit = SubmitField("Check", widget=GovSubmitInput())


def gate_form(
    codes: list[str], names: dict[str, str], answers: dict[str, Any], errors: Any = None
) -> GateForm:
    """The form as the page shows it: the officer's establishments, what was entered, and the
    messages of a FormError (pages.FormError) on their fields."""
    form = GateForm(formdata=None, data=answers, meta={"csrf": False})
    form.establishment.choices = [(code, names.get(code, code)) for code in codes]
    form.date_of_birth.raw_data = answers.get("date_of_birth") or ["", "", ""]
    if errors is not None:
        for name in ("badge", "person_id", "name", "date_of_birth"):
            form[name].errors = errors.on(name)
    return form
