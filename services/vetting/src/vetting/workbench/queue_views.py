"""The queue: cases oldest first, filtered by state, level, who they wait on and age, a page at
a time; "My cases", those the signed-in officer has taken; Take and Release."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import flash, redirect, render_template, request, url_for
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextInput
from werkzeug.datastructures import MultiDict
from wtforms import Form, IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional

from shared.clearance import clearance_label
from shared.clock import today
from shared.errors import Conflict, Forbidden, Invalid
from shared.frontdoor import signed_in
from vetting.domain.lifecycles.case import CaseState
from vetting.routes.request_context import policy
from vetting.service_layer import assignment, queries, queue_flags
from vetting.workbench import errors, presenters
from vetting.workbench.blueprint import actor, bp, now, platform

PAGE_SIZE = 25
ANY_STATE = "ANY"


class QueueFilters(Form):
    """The queue's filters: a GET form, so a filtered queue is a link to share."""

    # The queue is of the cases still to decide unless asked otherwise.
    status = SelectField(
        "State",
        choices=[SelectChoice("", "Undecided"), SelectChoice(ANY_STATE, "Any, decided too")]
        + [SelectChoice(state.value, presenters.CASE_TAGS[state][0]) for state in CaseState],
        default="",
        widget=GovSelect(),
    )
    level = SelectField("Clearance level", default="", widget=GovSelect())  # the policy's: _filters
    waiting_on = SelectField(
        "Waiting on",
        choices=[SelectChoice("", "Anyone")]
        + [SelectChoice(party, text) for party, text in presenters.PARTIES.items()],
        default="",
        widget=GovSelect(),
    )
    older_than_days = IntegerField(
        "Older than (days)",
        validators=[
            Optional(),
            NumberRange(min=0, max=3650, message="Enter a number of days from 0 to 3650."),
        ],
        widget=GovTextInput(),
    )


def _filters(args: MultiDict[str, str]) -> tuple[QueueFilters, dict[str, Any]]:
    form = QueueFilters(args)
    levels = [level.name for level in policy().levels]
    form.level.choices = [SelectChoice("", "Any clearance level")] + [
        SelectChoice(level, clearance_label(level)) for level in levels
    ]
    if not form.validate():
        return form, {"open_only": True}
    chosen = {name: form.data[name] for name in ("status", "level", "waiting_on")}
    return form, {
        **{name: value for name, value in chosen.items() if value and value != ANY_STATE},
        "open_only": not chosen["status"],
        "older_than_days": form.older_than_days.data,
    }


@bp.get("/")
def home():
    return redirect(url_for("workbench.queue"))


@bp.get("/cases")
def queue():
    return _queue_page(request.args, mine=False)


@bp.get("/my-cases")
def my_cases():
    return _queue_page(request.args, mine=True)


def _queue_page(
    args: MultiDict[str, str], *, mine: bool, error: str | None = None, status: int = 200
):
    form, chosen = _filters(args)
    cursors = [c for c in args.getlist("cursor") if c]
    endpoint = "workbench.my_cases" if mine else "workbench.queue"
    moment = now()
    with platform().session_factory() as session:
        try:
            page = queries.list_cases(
                session,
                moment,
                assigned_to=signed_in().subject if mine else None,
                cursor=cursors[-1] if cursors else None,
                limit=PAGE_SIZE,
                **chosen,
            )
        except Invalid:
            # A mangled "next page" link: start again from the oldest.
            return redirect(url_for(endpoint, **_kept(args)))
        items = page["items"]
        flags = queue_flags.flags(session, [item["id"] for item in items], today(platform().clock))
    kept = _kept(args)
    html = render_template(
        "workbench/queue.html",
        form=form,
        mine=mine,
        endpoint=endpoint,
        items=items,
        badges={item["id"]: presenters.badges(item, flags.get(item["id"])) for item in items},
        waited={item["id"]: presenters.waiting_for(item, moment) for item in items},
        me=signed_in().subject,
        error=error,
        page_number=len(cursors) + 1,
        previous=url_for(endpoint, **kept, cursor=cursors[:-1]) if cursors else None,
        next=url_for(endpoint, **kept, cursor=[*cursors, page["next_cursor"]])
        if page["next_cursor"]
        else None,
        here=request.full_path.rstrip("?") if not error else url_for(endpoint, **kept),
    )
    return html, status


def _kept(args: MultiDict[str, str]) -> dict[str, Any]:
    """The filters of this address, without the page it is on."""
    return {name: value for name, value in args.items() if name != "cursor" and value}


def _back(target: str | None) -> tuple[str, MultiDict[str, str], bool]:
    """Where a Take or Release returns: a queue page of the workbench with its filters (and
    whether it is "My cases"), never anywhere else."""
    parts = urlsplit(target or "")
    queues = {url_for("workbench.queue"): False, url_for("workbench.my_cases"): True}
    if parts.scheme or parts.netloc or parts.path not in queues:
        return url_for("workbench.queue"), MultiDict(), False
    query = f"?{parts.query}" if parts.query else ""
    return parts.path + query, MultiDict(parse_qs(parts.query)), queues[parts.path]


@bp.post("/cases/<case_id>/take")
def take(case_id: str):
    return _assign(assignment.take, case_id, "You are working this case.")


@bp.post("/cases/<case_id>/release")
def release(case_id: str):
    return _assign(assignment.release, case_id, "The case is released.")


def _assign(action: Any, case_id: str, done: str):
    """Take or release, then back to the queue page (or the case page) it was asked from; a
    case someone else holds is the page again with the error."""
    case_page = url_for("workbench.case", case_id=case_id)
    from_case = request.form.get("next") == case_page
    target, args, mine = _back(request.form.get("next"))
    try:
        with platform().unit_of_work() as uow:
            action(uow, case_id, actor(), uow.now())
            uow.commit()
    except (Conflict, Forbidden) as exc:
        if from_case:
            return errors.page(exc.status, str(exc))
        return _queue_page(args, mine=mine, error=str(exc), status=exc.status)
    flash(done, "success")
    return redirect(case_page if from_case else target)
