"""How every decision page of the workbench goes: GET draws the form; POST validates it with
the API's schema, asks for a second, confirming POST where the act cannot be undone, runs the
API's use case in one unit of work, commits, and sends the browser back (303) to the case or
clearance with a banner. A rule the use case enforces comes back as the GOV.UK error summary:
Invalid on the fields (422), Conflict (409) and a refusal of this person (403) above them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import flash, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from marshmallow import Schema

from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.uow import UnitOfWork
from vetting.domain.actors import Actor
from vetting.domain.policy import Policy
from vetting.models import VettingCase
from vetting.service_layer import history, queries
from vetting.workbench.blueprint import actor, now, platform
from vetting.workbench.forms import choice_labels, load, show

CONFIRMED = "yes"
CASE_PAGE = "workbench.case"
CLEARANCE_PAGE = "workbench.clearance"
GET_POST = ("GET", "POST")


def policy() -> Policy:
    return platform().extras["policy"]


def case_summary(case_id: str) -> dict[str, Any]:
    """What a decision page shows of the case (the queue's summary, no documents), and the
    case's own fields the forms offer choices from; the 404 page for no such case."""
    with platform().session_factory() as session:
        case = session.get(VettingCase, case_id)
        if case is None:
            raise NotFound()
        return {
            **queries.summary_view(case, now()),
            "refusal": case.refusal,
            "override": case.override,
            "history_now": history.flags(session, case),
        }


@dataclass(frozen=True)
class Step:
    """One decision: its page, the API schema that validates it, and the use case it runs
    (which answers with the banner's text)."""

    title: str
    template: str
    act: Callable[[UnitOfWork, Actor, dict[str, Any]], str]
    schema: Schema | None = None
    # The question a confirmation page asks before the act, or None when it needs none.
    confirm: Callable[[dict[str, Any]], str | None] | None = None
    button: str = "Continue"


def decide(
    step: Step, form: FlaskForm, *, back: str, context: Mapping[str, Any]
) -> ResponseReturnValue:
    context = {**context, "back_to": back}
    if request.method == "GET" or request.form.get("change"):
        return _page(step, form, context)
    # The door checked the CSRF token before the view; the schema, not WTForms, says what is
    # wrong with an answer (forms.load).
    data = load(step.schema, form) if step.schema is not None else {}
    if data is None:
        return _page(step, form, context, 422)
    question = step.confirm(data) if step.confirm else None
    if question and request.form.get("confirm") != CONFIRMED:
        return _confirmation(step, form, data, question, context)
    try:
        with platform().unit_of_work() as uow:
            banner = step.act(uow, actor(), data)
            uow.commit()
    except Invalid as exc:
        show(form, exc.errors, None if exc.errors else str(exc))
        return _page(step, form, context, 422)
    except Conflict as exc:
        show(form, exc.errors, str(exc))
        return _page(step, form, context, 409)
    except Forbidden as exc:
        # This person may not, here (the proposer countersigning, say): the form says why.
        show(form, {}, str(exc))
        return _page(step, form, context, 403)
    flash(banner, "success")
    return redirect(back, 303)


def _page(step: Step, form: FlaskForm, context: Mapping[str, Any], status: int = 200):
    return (
        render_template(
            f"workbench/{step.template}", form=form, title=step.title, step=step, **context
        ),
        status,
    )


def _confirmation(
    step: Step,
    form: FlaskForm,
    data: Mapping[str, Any],
    question: str,
    context: Mapping[str, Any],
):
    """The answers again, to be sent as they are with confirm=yes (or taken back to change)."""
    posted = [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name not in ("csrf_token", "confirm", "change")
    ]
    return render_template(
        "workbench/confirm_decision.html",
        form=form,
        title=step.title,
        question=question,
        rows=summary_rows(form, data),
        posted=posted,
        confirmed=CONFIRMED,
        **context,
    )


def summary_rows(form: FlaskForm, data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, answer) for each answer, choices by their labels."""
    rows = []
    for name, value in data.items():
        field = form._fields.get(name)
        if field is None or value in (None, [], False):
            continue
        labels = choice_labels(field) if getattr(field, "choices", None) else {}
        values = value if isinstance(value, list) else [value]
        shown = [
            labels.get(item, item) if not isinstance(item, Mapping) else _item(item)
            for item in values
        ]
        rows.append((field.label.text, "\n".join(str(item) for item in shown)))
    return rows


def _item(item: Mapping[str, Any]) -> str:
    return str(item.get("question") or item.get("answer") or "")
