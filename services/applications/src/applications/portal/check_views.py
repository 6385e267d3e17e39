"""Check your answers: the draft in summary lists with a Change link to each page, what still
stops it (each problem with its fix and the page that fixes it), the volunteer's sections as a
status only, and Submit (the API's use case, submission.submit)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from applications.domain.lifecycle import ApplicationState
from applications.portal import draft_presenters as present
from applications.portal.blueprint import actor, bp, organisation_id, own_application, platform
from applications.portal.draft_forms import SubmitForm
from applications.portal.draft_reading import Draft, draft_problems
from applications.routes.app_context import contact_links, establishments, readiness_policy
from applications.service_layer import submission
from shared.audit import log as audit
from shared.audit.trail import record_read
from shared.errors import Conflict, Invalid


@bp.route("/applications/<application_id>/check", methods=("GET", "POST"))
def check_answers(application_id: str) -> ResponseReturnValue:
    found = _read(application_id)
    if isinstance(found, str):
        return redirect(found, 303)
    draft, statuses = found
    form = SubmitForm()
    if request.method == "GET":
        return _page(draft, statuses, form)
    try:
        with platform().unit_of_work() as uow:
            result = submission.submit(
                uow,
                organisation_id(),
                application_id,
                establishments=establishments(),
                policy=readiness_policy(),
                links=contact_links(),
            )
            if result.submitted:
                uow.commit()
    except (Conflict, Invalid) as exc:  # submitted meanwhile; the coordinator's own email
        form.form_errors = [str(exc)]
        return _page(draft, statuses, form, 409 if isinstance(exc, Conflict) else 422)
    if not result.submitted:
        form.form_errors = ["The application cannot be submitted yet: fix the problems below."]
        return _page(draft, statuses, form, 422)
    flash(f"Application {draft.reference} submitted. Vetting will let you know.", "success")
    return redirect(_submitted_page(application_id), 303)


def _read(application_id: str) -> tuple[Draft, list[tuple[str, str]]] | str:
    """The draft and its volunteer sections' statuses (a read of the volunteer's data,
    recorded like the API's), or, for an application past its draft, where to look at it."""
    known = establishments()  # before the session: SQLite allows one transaction at a time
    with platform().session_factory() as db:
        application = own_application(db, application_id)
        if application.status != ApplicationState.DRAFT:
            return _submitted_page(application_id)
        draft = Draft.of(application, known)
        statuses = present.volunteer_statuses(draft, application)
        record_read(
            db,
            "application",
            application_id,
            {"view": "portal.check_answers"},
            by=(actor(), audit.ORGANISATION),
        )
    return draft, statuses


def _submitted_page(application_id: str) -> str:
    return url_for("portal.application", application_id=application_id)


def _page(
    draft: Draft, statuses: list[tuple[str, str]], form: SubmitForm, status: int = 200
) -> ResponseReturnValue:
    fixes = present.fixes(draft_problems(draft))
    context: dict[str, Any] = {
        "draft": draft,
        "form": form,
        "sections": [
            ("The request", present.request_rows(draft)),
            ("The volunteer", present.person_rows(draft)),
            ("Address history", present.address_rows(draft) + present.gap_rows(draft)),
            ("Referees", present.referee_rows(draft)),
        ],
        "statuses": statuses,
        "blocking": [f for f in fixes if f.blocking],
        "flags": [f for f in fixes if not f.blocking],
        "volunteer": present.VOLUNTEER,
    }
    return render_template("portal/check_answers.html", **context), status
