"""The organisation's applications: the list (filters, pages, what each waits on), the
clearances expiring within 90 days, and a renewal draft started from one in a click."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from wtforms.fields.choices import SelectChoice

from applications.domain.lifecycle import ApplicationState
from applications.portal import application_presenters as words
from applications.portal.application_audit import record_act
from applications.portal.application_forms import ListFilters
from applications.portal.blueprint import bp, now, organisation_id, platform
from applications.routes.app_context import establishments
from applications.service_layer import portal_lists, submission

PAGE_SIZE = 25


def _filters() -> tuple[ListFilters, portal_lists.Filters]:
    form = ListFilters(request.args)
    form.status.choices = [SelectChoice("", "Any status")] + [
        SelectChoice(state.value, words.STATUS_TAGS[state][0]) for state in ApplicationState
    ]
    known = sorted(establishments().values(), key=lambda e: e.name)
    form.establishment.choices = [SelectChoice("", "Any prison")] + [
        SelectChoice(e.code, e.name) for e in known
    ]
    status = form.status.data if form.status.data in ApplicationState.__members__ else None
    prison = form.establishment.data if form.establishment.data in establishments() else None
    name = (form.name.data or "").strip()[:200] or None
    return form, portal_lists.Filters(status=status, establishment=prison, name=name)


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and len(raw) < 6 else 1


@bp.get("/applications")
def applications():
    form, chosen = _filters()
    with platform().session_factory() as db:
        page = portal_lists.list_page(
            db, organisation_id(), chosen, now=now(), number=_page_number(), size=PAGE_SIZE
        )
    kept: dict[str, Any] = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "portal/applications.html",
        form=form,
        page=page,
        filtered=bool(chosen.status or chosen.establishment or chosen.name),
        previous=url_for("portal.applications", **kept, page=page.number - 1)
        if page.number > 1
        else None,
        next=url_for("portal.applications", **kept, page=page.number + 1)
        if page.number < page.pages
        else None,
    )


@bp.get("/applications/expiring")
def expiring():
    with platform().session_factory() as db:
        items = portal_lists.expiring(db, organisation_id(), now())
    return render_template("portal/expiring.html", items=items)


@bp.post("/applications/<string:application_id>/renew")
def renew(application_id: str):
    """One click: a new draft pre-filled from the cleared application, then to its answers."""
    with platform().unit_of_work() as uow:
        draft = submission.start_renewal(uow, organisation_id(), application_id)
        record_act(uow.session, "renewal_started", application_id, renewal_id=draft.id)
        uow.commit()
        draft_id = draft.id
    flash("A renewal draft has been started from the cleared application.", "success")
    return redirect(_draft_page(draft_id), 303)


def _draft_page(application_id: str) -> str:
    return url_for("portal.check_answers", application_id=application_id)
