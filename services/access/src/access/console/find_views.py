"""Find a person at one of my establishments by name, date of birth, badge or application
reference: a GET form (a search changes nothing but the audit log, which records each one),
its results linked to each person's page."""

from __future__ import annotations

from flask import request

from access.console.blueprint import actor, bp, clock, platform
from access.console.find_forms import find_form, find_search
from access.console.pages import FormError, establishment_names, render
from access.service_layer.finding import MAX_RESULTS, find_people
from shared.errors import Invalid, NotFound


@bp.route("/find")
def find():
    who = actor()
    codes = sorted(who.establishments)
    names = establishment_names(codes)
    asked = request.args
    code = asked.get("establishment") or (codes[0] if codes else "")
    if not who.covers(code):
        raise NotFound()  # another establishment's people: as if it did not exist
    searched = any(asked.get(name) for name in ("name", "badge", "reference", "search")) or any(
        asked.getlist("date_of_birth")
    )
    if not searched:
        return render(
            "console/find.html", form=find_form(codes, names, asked), codes=codes, found=None
        )
    try:
        search = find_search(asked)
    except Invalid as exc:
        error = FormError.of("find", exc)
        page = render(
            "console/find.html",
            form=find_form(codes, names, asked, error),
            codes=codes,
            found=None,
            error=error,
        )
        return page, 422
    with platform().session_factory() as session:
        found = find_people(session, who, code, search, clock())
        session.commit()  # the search is audited before its results are shown
    return render(
        "console/find.html",
        form=find_form(codes, names, asked),
        codes=codes,
        found=found,
        code=code,
        max_results=MAX_RESULTS,
    )
