"""Clearances: a search (by clearance id, status, expiry) soonest expiry first, and one
clearance with its history and the forms allowed on it."""

from __future__ import annotations

from datetime import timedelta

from flask import redirect, render_template, request, url_for
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextInput
from wtforms import Form, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import UUID, Length, NumberRange, Optional

from shared.audit import log as audit
from shared.audit.trail import record_read
from shared.frontdoor import signed_in
from vetting.domain.lifecycles.clearance import ClearanceState
from vetting.service_layer import queries
from vetting.workbench import presenters
from vetting.workbench.blueprint import bp, now, platform

LIMIT = 100


class ClearanceSearch(Form):
    """A GET form: a search is a link to share."""

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
        if form.clearance_id.data:
            return redirect(url_for("workbench.clearance", clearance_id=form.clearance_id.data))
        days = form.expiring_within_days.data
        with platform().session_factory() as session:
            found = queries.list_clearances(
                session,
                person_id=None,
                status=form.status.data or None,
                expiring_before=now() + timedelta(days=days) if days is not None else None,
                limit=LIMIT,
            )
    return render_template("workbench/clearances.html", form=form, clearances=found, limit=LIMIT), (
        200 if not form.errors else 422
    )


@bp.get("/clearances/<clearance_id>")
def clearance(clearance_id: str):
    who = signed_in()
    with platform().session_factory() as session:
        view = queries.get_clearance(session, clearance_id)
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
        trail=trail,
        actions=presenters.clearance_actions(view, who.roles),
    )
