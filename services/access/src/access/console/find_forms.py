"""The form that finds a person without a badge: "Find a person" (name, date of birth, badge
number, application reference; any together)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovSelect, GovSubmitInput, GovTextInput
from werkzeug.datastructures import MultiDict
from wtforms import DateField, SelectField, StringField, SubmitField

from access.console.forms import BADGE
from access.console.person_fields import date_of_birth, date_parts, person_name
from access.service_layer.finding import Search, reference_key
from shared.errors import Invalid


def find_search(form: MultiDict) -> Search:
    """What "Find a person" was asked (at least one thing), or Invalid."""
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
