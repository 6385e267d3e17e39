"""The review queue: requests and renewals awaiting this establishment, oldest first."""

from __future__ import annotations

from flask import redirect, request, url_for

from access.console.blueprint import actor, bp, platform
from access.console.pages import render
from access.service_layer import queries
from shared.errors import Invalid, NotFound

PAGE_SIZE = 25


@bp.route("/")
def home():  # type: ignore[no-untyped-def]
    return redirect(url_for("console.queue"))


@bp.route("/queue")
def queue():  # type: ignore[no-untyped-def]
    who = actor()
    codes = sorted(who.establishments)
    code = request.args.get("establishment") or (codes[0] if codes else "")
    if not who.covers(code):
        raise NotFound()
    cursor = request.args.get("cursor") or None
    with platform().session_factory() as session:
        try:
            page = queries.queue(session, code, limit=PAGE_SIZE, cursor=cursor)
        except Invalid:
            # A mangled "next page" link: start again from the oldest.
            return redirect(url_for("console.queue", establishment=code))
        names = queries.establishment_names(session, codes)
    return render("console/queue.html", code=code, name=names.get(code, code), codes=codes,
                  items=page["items"], next_cursor=page["next_cursor"], first_page=not cursor)
