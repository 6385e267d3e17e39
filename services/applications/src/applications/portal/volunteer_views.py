"""The volunteer's pages: the link's first page, using it, the task list and signing out.

The volunteer is nobody's member: every page here is an open view (past the sign-in guard)
that makes its own check, the live VolunteerSession the cookie's token names, and acts on that
session's one application only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import flash, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from wtforms import TextAreaField

from applications.domain.lifecycle import DRAFT
from applications.models import Application
from applications.portal.blueprint import bp, door, now, platform
from applications.service_layer import volunteer_links, volunteer_requests, volunteer_sections
from shared.errors import DomainError, Invalid
from shared.uow import UnitOfWork

VOLUNTEER_KEY = "portal_volunteer"


class SignedOut(DomainError):
    """No live volunteer session: the page says how to get back in."""

    status = 401

    def __init__(self) -> None:
        super().__init__("Your session has ended.")


@bp.errorhandler(SignedOut)
def signed_out(_exc: SignedOut) -> tuple[str, int]:
    return render_template("portal/volunteer/signed_out.html"), 401


@contextmanager
def volunteer_application(*, lock: bool = False) -> Iterator[tuple[UnitOfWork, Application]]:
    """The unit of work and the signed-in volunteer's application (the session's idle clock
    restarts; the caller commits what it changes, the session's last-seen time with it)."""
    with platform().unit_of_work() as uow:
        row = volunteer_links.current(uow.session, session.get(VOLUNTEER_KEY), uow.now())
        application = (
            uow.session.get(Application, row.application_id, with_for_update=lock)
            if row is not None
            else None
        )
        if row is None or application is None or not application.applicant:
            uow.commit()  # an idle or old session is ended for good
            session.pop(VOLUNTEER_KEY, None)
            raise SignedOut()
        yield uow, application
        uow.commit()


@bp.get("/volunteer/<string:token>")
@door.open_view
def volunteer_start(token: str):
    """What the link is for, and a Continue button: opening it uses nothing."""
    with platform().unit_of_work() as uow:
        found = volunteer_links.peek(uow, token)
    if isinstance(found, volunteer_links.Refused):
        return render_template("portal/volunteer/refused.html", refused=found), 410
    return render_template("portal/volunteer/start.html", token=token, link=found)


@bp.post("/volunteer/<string:token>")
@door.open_view
def volunteer_enter(token: str):
    with platform().unit_of_work() as uow:
        entered = volunteer_links.enter(uow, token)
        uow.commit()  # a refusal is audited too
    if isinstance(entered, volunteer_links.Refused):
        return render_template("portal/volunteer/refused.html", refused=entered), 410
    # Nothing carried over from before (a planted cookie is worthless after this).
    session.pop(VOLUNTEER_KEY, None)
    session.permanent = True
    session[VOLUNTEER_KEY] = entered
    return redirect(url_for("portal.volunteer_home"))


def tasks(application: Application) -> list[dict[str, Any]]:
    completed = (application.volunteer_sections or {}).get("completed") or {}
    endpoints = {
        "declarations": "portal.volunteer_declarations",
        "connections": "portal.volunteer_connections",
        "identity_documents": "portal.volunteer_documents",
    }
    titles = {
        "declarations": "Convictions and cautions",
        "connections": "People you know in prison",
        "identity_documents": "Identity documents",
    }
    found = []
    for name in volunteer_sections.SECTIONS:
        given = volunteer_sections.entries(application, name)
        status = "Completed" if name in completed else "In progress" if given else "Not yet started"
        found.append({"title": titles[name], "href": url_for(endpoints[name]), "status": status})
    return found


@bp.get("/volunteer")
@door.open_view
def volunteer_home():
    with volunteer_application() as (uow, application):
        requests = volunteer_requests.waiting(uow.session, application.id)
        return render_template(
            "portal/volunteer/home.html",
            forenames=application.applicant.get("forenames"),
            editable=application.status == DRAFT,
            tasks=tasks(application),
            requests=requests,
            reference=application.id[:8].upper(),
        )


@bp.post("/volunteer/sign-out")
@door.open_view
def volunteer_sign_out():
    with platform().unit_of_work() as uow:
        volunteer_links.sign_out(uow.session, session.get(VOLUNTEER_KEY), now())
        uow.commit()
    session.pop(VOLUNTEER_KEY, None)
    return render_template("portal/volunteer/signed_out.html", by_choice=True)


def asked_as(questions: list[str]) -> list[str | None]:
    """What each answer box answers (None: vetting's questions did not reach us)."""
    return [*questions] if questions else [None]


def answer_form(questions: list[str]) -> FlaskForm:
    """One answer box per question (one in all if vetting's questions did not reach us)."""

    class Answers(FlaskForm):
        pass

    for index, question in enumerate(questions or ["Your answer"]):
        setattr(Answers, f"answer_{index}", TextAreaField(question, widget=GovTextArea()))
    return Answers()


@bp.route("/volunteer/requests/<string:request_id>", methods=["GET", "POST"])
@door.open_view
def volunteer_answer(request_id: str):
    """The vetting team's private questions, answered by the volunteer alone."""
    with volunteer_application(lock=request.method == "POST") as (uow, application):
        asked = volunteer_requests.asked(uow.session, application, request_id)
        questions = volunteer_requests.questions(asked)
        form = answer_form(questions)
        status = 200
        if request.method == "POST" and asked.answered_at is None:
            fields = [f for f in form if f.name.startswith("answer_")]
            for field in fields:
                if not (field.data or "").strip():
                    field.errors = ["Enter your answer."]
                elif len(field.data) > 4000:
                    field.errors = ["Your answer must be 4,000 characters or fewer."]
            if any(field.errors for field in fields):
                status = 422
            else:
                try:
                    volunteer_requests.answer(
                        uow,
                        application,
                        request_id,
                        [
                            {"question": question, "answer": field.data.strip()}
                            for question, field in zip(asked_as(questions), fields, strict=False)
                        ],
                    )
                except Invalid as exc:
                    form.form_errors.extend(str(m) for m in exc.errors.get("answers", [str(exc)]))
                    status = 422
                else:
                    flash("Your answers have been sent to the vetting team.", "success")
                    return redirect(url_for("portal.volunteer_home"))
        html = render_template(
            "portal/volunteer/answer.html",
            form=form,
            asked=asked,
            questions=questions,
        )
        return html, status
