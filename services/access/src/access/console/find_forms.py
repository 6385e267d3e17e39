"""The forms that find a person without a badge: "Find a person" (name, date of birth, badge,
application reference) and the gate check's name and date of birth. A date of birth is
GOV.UK's date input: day, month and year, three boxes under one name."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovSelect, GovSubmitInput, GovTextInput
from werkzeug.datastructures import MultiDict
from wtforms import DateField, SelectField, StringField, SubmitField

from access.service_layer.finding import Search, reference_key
from shared.errors import Invalid

MAX_NAME = 200


def date_parts(form: MultiDict, name: str) -> list[str]:
    """What was typed in the day, month and year boxes (three strings, perhaps empty)."""
    parts = [part.strip() for part in form.getlist(name)][:3]
    return parts + [""] * (3 - len(parts))


def date_of_birth(form: MultiDict, name: str, errors: dict[str, list[str]]) -> date | None:
    """The date typed, None if nothing was; a message in `errors` if it is not a real date
    in the past."""
    day, month, year = date_parts(form, name)
    if not (day or month or year):
        return None
    if not (day and month and year):
        missing = [
            part for part, value in (("day", day), ("month", month), ("year", year)) if not value
        ]
        errors[name] = [f"Date of birth must include a {' and a '.join(missing)}."]
        return None
    try:
        born = date(int(year), int(month), int(day))
    except ValueError:
        errors[name] = ["Date of birth must be a real date, for example 27 3 1980."]
        return None
    if len(year) != 4 or born.year < 1900:
        errors[name] = ["Date of birth must have a 4-digit year, for example 1980."]
        return None
    return born


def person_name(form: MultiDict, name: str, errors: dict[str, list[str]]) -> str:
    text = " ".join((form.get(name) or "").split())
    if len(text) > MAX_NAME:
        errors[name] = [f"The name must be {MAX_NAME} characters or fewer."]
    return text


def find_search(form: MultiDict) -> Search:
    """What "Find a person" was asked (at least one thing), or Invalid."""
    from access.console.forms import BADGE  # forms reads dates with this module's helpers

    errors: dict[str, list[str]] = {}
    name = person_name(form, "name", errors)
    born = date_of_birth(form, "date_of_birth", errors)
    badge = (form.get("badge") or "").strip()
    if badge and not BADGE.match(badge):
        errors["badge"] = ["A badge number has letters, digits and hyphens only (up to 40)."]
    reference = (form.get("reference") or "").strip()
    if reference and reference_key(reference) is None:
        errors["reference"] = ["The reference is 8 letters and digits, for example 3F2B8C1E."]
    if not errors and not (name or born or badge or reference):
        errors["name"] = ["Enter a name, date of birth, badge number or reference."]
    if errors:
        raise Invalid("Some answers need correcting.", errors)
    return Search(
        name=name or None, date_of_birth=born, badge=badge or None, reference=reference or None
    )


class FindForm(FlaskForm):
    """Drawn only (find_search reads the query): ids "find-<name>", which the error summary
    links to."""

    establishment = SelectField("Establishment", id="find-establishment", widget=GovSelect())
    name = StringField(
        "Name",
        id="find-name",
        description="Any part of their name: accents and capitals do not matter.",
        widget=GovTextInput(),
    )
    date_of_birth = DateField(
        "Date of birth",
        id="find-date_of_birth",
        format="%d %m %Y",
        description="For example, 27 3 1980",
        widget=GovDateInput(),
    )
    badge = StringField("Badge number", id="find-badge", widget=GovTextInput())
    reference = StringField(
        "Application reference",
        id="find-reference",
        description="From an email about the application, for example 3F2B8C1E.",
        widget=GovTextInput(),
    )
    submit = SubmitField("Search", widget=GovSubmitInput())


def find_form(
    codes: list[str], names: dict[str, str], asked: MultiDict, errors: Any = None
) -> FindForm:
    form = FindForm(formdata=None, meta={"csrf": False})
    form.establishment.choices = [(code, names.get(code, code)) for code in codes]
    form.establishment.data = asked.get("establishment") or (codes[0] if codes else "")
    for name in ("name", "badge", "reference"):
        form[name].data = asked.get(name, "")
    form.date_of_birth.raw_data = date_parts(asked, "date_of_birth")
    if errors is not None:
        for name in ("name", "date_of_birth", "badge", "reference"):
            form[name].errors = errors.on(name)
    return form
