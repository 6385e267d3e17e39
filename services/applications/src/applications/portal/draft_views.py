"""A draft, one question a page: start one, then each page saves its answers through the API's
schema and use case (drafts.update_draft), and the next visit shows that page's readiness
problems. "Add another" pages list prisons, addresses and referees."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from marshmallow import ValidationError
from wtforms.fields.choices import SelectChoice

from applications.domain.lifecycle import ApplicationState
from applications.portal import draft_forms as forms
from applications.portal import draft_presenters as present
from applications.portal.blueprint import bp, organisation_id, own_application, platform
from applications.portal.draft_reading import (
    Draft,
    draft_problems,
    problems_of_item,
    problems_of_page,
)
from applications.portal.draft_steps import COLLECTIONS, ORDER, Collection, Question, next_step
from applications.portal.draft_steps import QUESTIONS as PAGES
from applications.routes.app_context import establishments, readiness_policy
from applications.schemas.applications import ApplicationInputSchema
from applications.service_layer import drafts
from shared.errors import Conflict, Invalid, NotFound

GET_POST = ("GET", "POST")
ROWS = {
    "prisons": present.prison_rows,
    "addresses": present.address_rows,
    "referees": present.referee_rows,
}
INPUT = ApplicationInputSchema()


@bp.route("/applications/new", methods=GET_POST)
def draft_start() -> ResponseReturnValue:
    """What the coordinator will need, then (POST) an empty draft and its first question."""
    form = forms.StartForm()
    if request.method == "GET":
        return render_template("portal/draft_start.html", form=form)
    with platform().unit_of_work() as uow:
        application = drafts.create_draft(uow, organisation_id(), {})
        uow.commit()
        application_id = application.id
    return redirect(_page_url(application_id, ORDER[0]), 303)


@bp.route("/applications/<application_id>/draft/<step>", methods=GET_POST)
def draft_question(application_id: str, step: str) -> ResponseReturnValue:
    draft = _draft(application_id)
    if draft.status != ApplicationState.DRAFT:
        return redirect(url_for("portal.check_answers", application_id=application_id))
    if step in COLLECTIONS:
        return _collection(draft, COLLECTIONS[step])
    question = PAGES.get(step)
    if question is None:
        raise NotFound()
    return _question(draft, question)


def _draft(application_id: str) -> Draft:
    known = establishments()  # before the session: SQLite allows one transaction at a time
    with platform().session_factory() as db:
        return Draft.of(own_application(db, application_id), known)


def _page_url(application_id: str, step: str | None, **args: Any) -> str:
    if step is None:
        return url_for("portal.check_answers", application_id=application_id)
    return url_for("portal.draft_question", application_id=application_id, step=step, **args)


def _returning() -> dict[str, str]:
    """From check your answers (a Change link), back there after the change."""
    return {"next": "check"} if request.args.get("next") == "check" else {}


def _after(draft: Draft, step: str) -> str:
    following = next_step(step)
    # Back from a change to check your answers (an item via its list, to see the list).
    if _returning() and (step in COLLECTIONS or following not in COLLECTIONS):
        following = None
    return _page_url(draft.id, following, **(_returning() if following else {}))


# A question page --------------------------------------------------------------------------


def _question(draft: Draft, question: Question) -> ResponseReturnValue:
    index, stored = _item(draft, question)
    form = question.form()
    if question.scalar:
        _prison_choices(form, draft)
    if request.method == "POST" and request.form.get("remove") and index < draft.count(question):
        return _save(draft, question, form, draft.without(question, index))
    if request.method == "GET":
        forms.fill(form, stored)
        return _question_page(draft, question, form, index)
    values, errors = forms.values(form)
    for name, message in question.required.items():
        if values.get(name) is None:
            errors.setdefault(name, message)
    errors.update((question.check(values) if question.check and not errors else {}) or {})
    if question.scalar and not errors:
        errors.update(_prison_errors(draft, values[question.scalar], index))
    if errors:
        _show(form, errors)
        return _question_page(draft, question, form, index, 422)
    return _save(draft, question, form, draft.with_answer(question, index, values))


def _item(draft: Draft, question: Question) -> tuple[int, dict[str, Any]]:
    """(which item an item page edits — a new one at the end without ?item —, what is stored)."""
    if not question.listed:
        return 0, draft.section(question)
    count = draft.count(question)
    chosen = request.args.get("item")
    if chosen is None:
        return count, {}
    if not chosen.isdigit() or int(chosen) >= count:
        raise NotFound()
    return int(chosen), draft.entry(question, int(chosen))


def _save(
    draft: Draft, question: Question, form: FlaskForm, body: dict[str, Any]
) -> ResponseReturnValue:
    index, _stored = _item(draft, question)
    try:
        changes = INPUT.load(body)
        with platform().unit_of_work() as uow:
            drafts.update_draft(uow, organisation_id(), draft.id, changes)
            uow.commit()
    except ValidationError as exc:
        _show(form, draft.messages_for(question, index, exc.normalized_messages()))
        return _question_page(draft, question, form, index, 422)
    except Invalid as exc:  # the coordinator's own email given as the volunteer's
        _show(form, draft.messages_for(question, index, exc.errors), str(exc))
        return _question_page(draft, question, form, index, 422)
    except Conflict as exc:  # submitted meanwhile, in another tab
        _show(form, {}, str(exc))
        return _question_page(draft, question, form, index, 409)
    return redirect(_after(draft, question.slug), 303)


def _show(form: FlaskForm, errors: Mapping[str, str], message: str | None = None) -> None:
    """Messages on their fields; any that is no field's (and `message`) above them."""
    loose = [message] if message else []
    for name, text in errors.items():
        field = form._fields.get(name) if name != "csrf_token" else None
        if field is not None:
            field.errors = [text]
        else:
            loose.append(text)
    form.form_errors = list(dict.fromkeys([*form.form_errors, *loose]))


def _question_page(
    draft: Draft, question: Question, form: FlaskForm, index: int, status: int = 200
) -> ResponseReturnValue:
    editing = question.listed and index < draft.count(question)
    if question.listed:
        problems = problems_of_item(draft_problems(draft), question, index) if editing else []
        back = _page_url(draft.id, question.summary, **_returning())
    else:
        answered = any(value not in (None, "", False) for value in draft.section(question).values())
        problems = problems_of_page(draft_problems(draft), question.slug) if answered else []
        back = _back(draft, question.slug)
    return (
        render_template(
            f"portal/draft/{question.slug.replace('-', '_')}.html",
            draft=draft,
            question=question,
            form=form,
            problems=problems,
            editing=editing,
            access_hints=forms.ACCESS_HINTS,
            back=back,
        ),
        status,
    )


def _back(draft: Draft, step: str) -> str:
    if _returning() or step not in ORDER:
        return _page_url(draft.id, None)
    position = ORDER.index(step)
    if position == 0:
        return url_for("portal.applications")
    return _page_url(draft.id, ORDER[position - 1])


def _prison_choices(form: FlaskForm, draft: Draft) -> None:
    named = sorted(draft.establishments.values(), key=lambda e: e.name)
    form.establishment.choices = [SelectChoice("", "")] + [
        SelectChoice(e.code, e.name) for e in named
    ]


def _prison_errors(draft: Draft, code: str, index: int) -> dict[str, str]:
    if code not in draft.establishments:
        return {"establishment": "Select a prison from the list."}
    others = [c for i, c in enumerate(draft.application["establishments"]) if i != index]
    if code in others:
        return {"establishment": "This prison is already on the application."}
    return {}


# An "add another" page --------------------------------------------------------------------


def _collection(draft: Draft, collection: Collection) -> ResponseReturnValue:
    question = PAGES[collection.item]
    if draft.count(question) == 0 and not draft.gaps():
        return redirect(_page_url(draft.id, question.slug, **_returning()))
    form = forms.AnotherForm()
    form.another.label.text = collection.another
    if request.method == "POST":
        if form.another.data == "yes":
            return redirect(_page_url(draft.id, question.slug, **_returning()), 303)
        if form.another.data == "no":
            return redirect(_after(draft, collection.slug), 303)
        _show(form, {"another": "Select yes or no."})
    problems = problems_of_page(draft_problems(draft), collection.slug)
    return (
        render_template(
            "portal/draft/collection.html",
            rows=ROWS[collection.slug](draft),
            gap_rows=present.gap_rows(draft) if collection.slug == "addresses" else [],
            draft=draft,
            collection=collection,
            question=question,
            form=form,
            problems=problems,
            returning=_returning(),
            history_years=readiness_policy().address_history_years,
            back=_back(draft, collection.slug),
        ),
        422 if form.errors else 200,
    )
