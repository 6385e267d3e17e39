"""Clearances: a search (by the holder's name and date of birth, clearance id, status, expiry)
soonest expiry first, and one clearance with its holder, its history and the forms allowed."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovSelect, GovTextInput
from wtforms import DateField, Form, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.utils import unset_value
from wtforms.validators import UUID, Length, NumberRange, Optional

from shared.audit import log as audit
from shared.audit.trail import record_read
from shared.frontdoor import signed_in
from vetting.domain.lifecycles.clearance import ClearanceState
from vetting.routes.request_context import identity_key
from vetting.service_layer import clearance_search, history, queries
from vetting.workbench import presenters
from vetting.workbench.blueprint import bp, now, platform

LIMIT = 100


class DayMonthYear(DateField):
    """GOV.UK's three boxes for a date: the widget wants exactly three parts, or none."""

    raw_data: list[Any] | None
    data: Any
    process_errors: list[str]

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Date of birth must be a real date, for example 27 3 1985.") from None

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        super().process(formdata, data, extra_filters)
        if not self.raw_data:
            self.raw_data = None
        elif len(self.raw_data) != 3:  # an address made by hand: not a date
            self.raw_data = [*self.raw_data[:3], "", "", ""][:3]
            self.data = None
            self.process_errors.append("Enter the date of birth as a day, month and year.")


class ClearanceSearch(Form):
    """A GET form: a search is a link to share."""

    surname = StringField(
        "Surname", validators=[Optional(), Length(max=100)], widget=GovTextInput()
    )
    forenames = StringField(
        "Forenames", validators=[Optional(), Length(max=100)], widget=GovTextInput()
    )
    date_of_birth = DayMonthYear(
        "Date of birth",
        format="%d %m %Y",
        validators=[Optional()],
        widget=GovDateInput(),
        description="For example, 27 3 1985",
    )

    clearance_id = StringField(
        "Clearance ID",
        validators=[Optional(), Length(max=36), UUID(message="Enter a clearance ID in full.")],
        widget=GovTextInput(),
    )
    status = SelectField(
        "Status",
        choices=[SelectChoice("", "Any status")]
        + [
            SelectChoice(state.value, presenters.CLEARANCE_TAGS[state][0])
            for state in ClearanceState
        ],
        default="",
        widget=GovSelect(),
    )
    expiring_within_days = IntegerField(
        "Expiring within (days)",
        validators=[
            Optional(),
            NumberRange(min=0, max=3650, message="Enter a number of days from 0 to 3650."),
        ],
        widget=GovTextInput(),
    )


@bp.get("/clearances")
def clearances():
    form = ClearanceSearch(request.args)
    found: list[dict] = []
    if form.validate():
        with platform().session_factory() as session:
            found = clearance_search.search(
                session,
                now(),
                identity_key(),
                clearance_id=form.clearance_id.data or None,
                surname=form.surname.data or None,
                forenames=form.forenames.data or None,
                date_of_birth=form.date_of_birth.data,
                status=form.status.data or None,
                expiring_within_days=form.expiring_within_days.data,
                limit=LIMIT,
            )
    return render_template("workbench/clearances.html", form=form, clearances=found, limit=LIMIT), (
        200 if not form.errors else 422
    )


@bp.get("/clearances/<clearance_id>")
def clearance(clearance_id: str):
    who = signed_in()
    with platform().session_factory() as session:
        view = clearance_search.one(session, clearance_id)
        prison_decisions = history.prison_decisions(session, view["person_id"])
        # Newest first; the issue itself is on the case's trail, so it is added as the oldest.
        trail = [
            *queries.audit_trail(session, "clearance", clearance_id),
            {
                "at": view["issued_at"],
                "actor": view["issued_by"],
                "actor_kind": "STAFF",
                "action": "clearance.issued",
                "detail": {"policy_version": view["policy_version"]},
            },
        ]
        record_read(
            session,
            "clearance",
            clearance_id,
            {"view": "workbench"},
            by=(who.subject, audit.STAFF),
        )
    return render_template(
        "workbench/clearance.html",
        clearance=view,
        prison_decisions=prison_decisions,
        trail=trail,
        actions=presenters.clearance_actions(view, who.roles),
    )
