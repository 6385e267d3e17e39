"""What a coordinator may do with a submitted application: withdraw it, report a change of
circumstances on a cleared one, ask once for a refusal to be reconsidered.

Each page: GET draws the form; POST validates it with the API's schema, runs the API's use case
and the audit entry in one unit of work, commits, and goes back (303) to the application with a
banner. A rule the use case enforces comes back as the GOV.UK error summary (422 on the fields,
409 above them), never a half-done change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from marshmallow import fields
from wtforms.fields.choices import SelectChoice

from applications.portal.application_audit import record_act
from applications.portal.application_forms import (
    CHANGE_FORMS,
    CHANGE_KIND_LABELS,
    SECTIONS,
    ChangeKindForm,
    ReconsiderForm,
    WithdrawForm,
    change_body,
    load,
    show,
    text,
)
from applications.portal.blueprint import bp, organisation_id, own_application, platform
from applications.routes.app_context import establishments
from applications.schemas.applications import ChangeSchema, ReconsiderationSchema, WithdrawSchema
from applications.service_layer import drafts, submission
from shared.errors import Conflict, Invalid
from shared.uow import UnitOfWork

GET_POST = ("GET", "POST")


def _summary(application_id: str) -> dict[str, Any]:
    with platform().session_factory() as db:
        return drafts.summary_view(own_application(db, application_id))


def _act(
    form: FlaskForm,
    template: str,
    context: Mapping[str, Any],
    act: Callable[[UnitOfWork], None],
    banner: str,
):
    """Run the use case (and its audit entry) and commit; or the page again with why not."""
    try:
        with platform().unit_of_work() as uow:
            act(uow)
            uow.commit()
    except Invalid as exc:
        show(form, exc.errors, message=None if exc.errors else str(exc))
        return render_template(template, form=form, **context), 422
    except Conflict as exc:
        show(form, {}, message=str(exc))
        return render_template(template, form=form, **context), 409
    flash(banner, "success")
    return redirect(url_for("portal.application", application_id=context["application"]["id"]), 303)


@bp.route("/applications/<string:application_id>/withdraw", methods=GET_POST)
def withdraw(application_id: str):
    context = {"application": _summary(application_id)}
    form = WithdrawForm()
    template = "portal/withdraw.html"
    if request.method == "GET":
        return render_template(template, form=form, **context)
    data = load(WithdrawSchema(), _present(reason=text(form, "reason")), form, {})
    if data is None:
        return render_template(template, form=form, **context), 422

    def act(uow: UnitOfWork) -> None:
        submission.withdraw(uow, organisation_id(), application_id, data["reason"])
        record_act(uow.session, "withdrawn", application_id)

    return _act(form, template, context, act, "The application has been withdrawn.")


@bp.route("/applications/<string:application_id>/reconsideration", methods=GET_POST)
def reconsider(application_id: str):
    context = {"application": _summary(application_id)}
    form = ReconsiderForm()
    template = "portal/reconsider.html"
    if request.method == "GET":
        return render_template(template, form=form, **context)
    data = load(ReconsiderationSchema(), _present(grounds=text(form, "grounds")), form, {})
    if data is None:
        return render_template(template, form=form, **context), 422

    def act(uow: UnitOfWork) -> None:
        submission.request_reconsideration(uow, organisation_id(), application_id, data["grounds"])
        record_act(uow.session, "reconsideration_requested", application_id)

    return _act(form, template, context, act, "You have asked for the refusal to be reconsidered.")


@bp.route("/applications/<string:application_id>/changes", methods=GET_POST)
def report_change(application_id: str):
    """First what changed (a GET form: nothing is written), then that change's details."""
    context: dict[str, Any] = {"application": _summary(application_id)}
    kind = request.args.get("kind")
    if kind not in CHANGE_FORMS:
        choose = ChangeKindForm(request.args)
        status = 200
        if "kind" in request.args or request.method == "POST":
            choose.kind.errors = ["Select what has changed."]
            status = 422
        return render_template("portal/report_change_kind.html", form=choose, **context), status
    form = CHANGE_FORMS[kind]()
    if hasattr(form, "establishment"):
        known = sorted(establishments().values(), key=lambda e: e.name)
        form.establishment.choices = [SelectChoice("", "Choose a prison")] + [
            SelectChoice(e.code, e.name) for e in known
        ]
    context.update(kind=kind, kind_label=CHANGE_KIND_LABELS[kind])
    template = "portal/report_change.html"
    if request.method == "GET":
        return render_template(template, form=form, **context)
    section, names = SECTIONS[kind]
    schema_names = {key: name for name, key in names.items()}
    data = load(ChangeSchema(), change_body(kind, form), form, schema_names)
    if data is None:
        return render_template(template, form=form, **context), 422
    schema = cast(fields.Nested, ChangeSchema().fields[section]).schema
    details = schema.dump(data[section])

    def act(uow: UnitOfWork) -> None:
        report = submission.report_change(uow, organisation_id(), application_id, kind, details)
        record_act(uow.session, "change_reported", application_id, kind=kind, report=report["id"])

    return _act(form, template, context, act, "The change has been reported to vetting.")


def _present(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}
