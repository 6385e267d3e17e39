"""One application's page (a draft goes to its check-your-answers page): what it is, where it
stands, its timeline in plain words, vetting's requests for information with an answer form,
and what the organisation may do next."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from sqlalchemy import select
from wtforms import TextAreaField

from applications.domain.lifecycle import (
    APPLICATION,
    COORDINATOR,
    DRAFT,
    RequestState,
)
from applications.models import Application, InformationRequest
from applications.portal.application_audit import record_act, record_page_read
from applications.portal.application_forms import show
from applications.portal.blueprint import bp, now, organisation_id, own_application, platform
from applications.schemas.applications import ResponseSchema
from applications.service_layer import drafts, portal_lists, submission
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.lifecycle import StateConflict

RESPONSE_SCHEMA = ResponseSchema()
MAX_ANSWER = 4000


def allowed(status: str, action: str) -> bool:
    """Whether the organisation may take `action` now (the same table the use cases ask)."""
    try:
        APPLICATION.step(status, action, (COORDINATOR,))
    except (StateConflict, Forbidden):
        return False
    return True


def offers(application: Application) -> dict[str, bool]:
    """The actions the page offers (the use cases still refuse anything else)."""
    status = application.status
    return {
        "withdraw": allowed(status, "withdraw"),
        "report_change": allowed(status, "report_change"),
        "renew": allowed(status, "renew"),
        "reconsider": allowed(status, "request_reconsideration")
        and application.reconsideration_requested_at is None,
    }


@bp.get("/applications/<string:application_id>")
def application(application_id: str):
    with platform().session_factory() as db:
        found = own_application(db, application_id)
        if found.status == DRAFT:
            return redirect(url_for("portal.check_answers", application_id=application_id))
        view = drafts.application_view(db, found)
        unanswered = {r["status"] for r in view["information_requests"] if r["answered_at"] is None}
        context: dict[str, Any] = {
            "application": view,
            "waits_on": portal_lists.waits_on(
                found,
                RequestState.OPEN in unanswered,
                now(),
                volunteer_asked=RequestState.VOLUNTEER_ASKED in unanswered,
            ),
            "offers": offers(found),
            "expires_on": portal_lists.expires_within(found, now()),
            "renewal_id": db.execute(
                select(Application.id).where(Application.renewal_of == application_id)
            ).scalar(),
        }
        record_page_read(db, application_id)
    context["timeline"] = sorted(
        view["timeline"], key=lambda entry: entry["occurred_at"], reverse=True
    )
    return render_template("portal/application.html", **context)


class AnswerForm(FlaskForm):
    """One text area per question vetting asked (added when the request is known)."""


def _answer_form(items: list[dict[str, Any]]) -> FlaskForm:
    class Form(AnswerForm):
        pass

    for number, item in enumerate(items):
        question = str(item.get("question") or f"Question {number + 1}")
        setattr(Form, f"answer_{number}", TextAreaField(question, widget=GovTextArea()))
    if not items:  # a request with no questions listed: one answer for the whole of it
        Form.answer_0 = TextAreaField("Your answer", widget=GovTextArea())
    return Form()


def _request(db: Any, application_id: str, request_id: str) -> tuple[Application, Any]:
    found = own_application(db, application_id)
    asked = db.get(InformationRequest, request_id)
    if asked is None or asked.application_id != found.id:
        raise NotFound()
    return found, asked


@bp.route(
    "/applications/<string:application_id>/requests/<string:request_id>", methods=["GET", "POST"]
)
def answer_request(application_id: str, request_id: str):
    with platform().session_factory() as db:
        found, asked = _request(db, application_id, request_id)
        items, status = list(asked.items or []), asked.status
        summary = drafts.summary_view(found)
        due_by = asked.due_by
    context = {"application": summary, "request_id": request_id, "due_by": due_by}
    if status == RequestState.VOLUNTEER_ASKED:
        return render_template("portal/request_for_volunteer.html", **context)
    if status != RequestState.OPEN:
        raise Conflict("This request has already been answered.")
    form = _answer_form(items)
    if request.method == "GET":
        return render_template("portal/answer_request.html", form=form, **context)
    answers = _answers(form, items)
    if answers is None:
        return render_template("portal/answer_request.html", form=form, **context), 422
    try:
        with platform().unit_of_work() as uow:
            submission.answer_request(uow, organisation_id(), application_id, request_id, answers)
            record_act(uow.session, "information_provided", application_id, request_id=request_id)
            uow.commit()
    except Invalid as exc:
        show(form, exc.errors, message=None if exc.errors else str(exc))
        return render_template("portal/answer_request.html", form=form, **context), 422
    except Conflict as exc:
        show(form, {}, message=str(exc))
        return render_template("portal/answer_request.html", form=form, **context), 409
    flash("Your answers have been sent to vetting.", "success")
    return redirect(url_for("portal.application", application_id=application_id), 303)


def _answers(form: FlaskForm, items: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """Every question answered, as the API's ResponseSchema takes them; or None with each
    missing or too long answer's message on its field."""
    answers, ok = [], True
    for number in range(max(1, len(items))):
        field = getattr(form, f"answer_{number}")
        value = (field.data or "").strip()
        if not value:
            field.errors = [f"Enter an answer to question {number + 1}."]
            ok = False
        elif len(value) > MAX_ANSWER:
            field.errors = [f"Answer {number + 1} must be {MAX_ANSWER} characters or fewer."]
            ok = False
        question = str(items[number].get("question") or "")[:500] if items else ""
        answers.append({"question": question or None, "answer": value})
    if not ok:
        return None
    loaded: list[dict[str, Any]] = RESPONSE_SCHEMA.load(
        {"request_id": "portal", "answers": answers}
    )["answers"]
    return loaded
