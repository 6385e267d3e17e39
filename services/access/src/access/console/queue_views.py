"""The review queue: requests and renewals awaiting this establishment, oldest first, and the
news from vetting held for the team (review items), each with its answer."""

from __future__ import annotations

from flask import flash, redirect, request, url_for

from access.console import forms
from access.console.blueprint import actor, bp, platform
from access.console.pages import FormError, render
from access.models import ReviewItem
from access.service_layer import queries, review_items
from shared.errors import Conflict, Forbidden, Invalid, NotFound

PAGE_SIZE = 25


@bp.route("/")
def home():
    return redirect(url_for("console.queue"))


@bp.route("/queue")
def queue():
    who = actor()
    codes = sorted(who.establishments)
    code = request.args.get("establishment") or (codes[0] if codes else "")
    if not who.covers(code):
        raise NotFound()
    return _queue_page(code, request.args.get("cursor") or None)


def _queue_page(code: str, cursor: str | None, error: FormError | None = None, status: int = 200):
    codes = sorted(actor().establishments)
    with platform().session_factory() as session:
        try:
            page = queries.queue(session, code, limit=PAGE_SIZE, cursor=cursor)
        except Invalid:
            # A mangled "next page" link: start again from the oldest.
            return redirect(url_for("console.queue", establishment=code))
        names = queries.establishment_names(session, codes)
        held = review_items.items_at(session, code, None, PAGE_SIZE)
    html = render(
        "console/queue.html",
        error=error,
        code=code,
        name=names.get(code, code),
        codes=codes,
        items=page["items"],
        next_cursor=page["next_cursor"],
        first_page=not cursor,
        review_items=held,
    )
    return html, status


@bp.route("/review-items/<item_id>/resolution", methods=["POST"])
def resolve_review_item(item_id: str):
    """Dismiss (any of the team) or accept (heads of security) news held for review."""
    who = actor()
    with platform().session_factory() as session:
        item = session.get(ReviewItem, item_id)
        code = item.establishment_code if item is not None else None
    if code is None or not who.covers(code):
        raise NotFound()
    form_name = f"review-{item_id}"
    try:
        outcome = request.form.get("outcome", "")
        if outcome not in review_items.OUTCOMES:
            raise Invalid(
                "Some answers need correcting.",
                {"outcome": ["Choose to keep the grant as it is or accept."]},
            )
        reason = forms.reason(request.form)["reason"]
        with platform().unit_of_work() as uow:
            review_items.resolve(uow, who, item_id, outcome, reason)
            uow.commit()
    except (Invalid, Conflict, Forbidden) as exc:
        return _queue_page(code, None, FormError.of(form_name, exc), exc.status)
    flash(
        "The grant is unchanged." if outcome == "DISMISS" else "The news is applied to the grant.",
        "success",
    )
    return redirect(url_for("console.queue", establishment=code))
