"""Who holds access here: an establishment's current grants with the API's filters (a GET form:
a list changes nothing but the audit log, which records each one), a table sorted by its
column headers, pages, and the same list as a CSV file that keeps the filters."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from access.console.blueprint import actor, bp, clock, platform
from access.console.holders_query import PAGE_SIZE, asked, holder_query
from access.console.pages import FormError, establishment_names, render
from access.domain.holders import DIRECTIONS, SORTS
from access.service_layer.holders import export_holders, list_holders
from shared.errors import Invalid, NotFound


def _establishment() -> str:
    """The establishment asked for (the first of mine when none): another's is a 404."""
    who = actor()
    codes = sorted(who.establishments)
    code = request.args.get("establishment") or (codes[0] if codes else "")
    if not who.covers(code):
        raise NotFound()
    return code


def _page(code: str, **context: Any) -> str:
    codes = sorted(actor().establishments)
    names = establishment_names(codes)
    return render(
        "console/holders.html",
        code=code,
        codes=codes,
        name=names.get(code, code),
        answers=asked(request.args),
        sorts=SORTS,
        directions=DIRECTIONS,
        **context,
    )


@bp.route("/holders")
def holders():
    code = _establishment()
    try:
        filters, order, page = holder_query(request.args)
    except Invalid as exc:
        return _page(code, error=FormError.of("holders", exc), found=None), 422
    with platform().session_factory() as session:
        found = list_holders(
            session, actor(), code, filters, order, clock(), page=page, size=PAGE_SIZE
        )
        session.commit()  # the list is audited before it is shown
    return _page(code, found=found, filters=filters.given(), order=order)


@bp.route("/holders.csv")
def holders_csv():
    code = _establishment()
    try:
        filters, order, _page_number = holder_query(request.args)
    except Invalid as exc:
        return _page(code, error=FormError.of("holders", exc), found=None), 422
    moment = clock()
    with platform().session_factory() as session:
        text = export_holders(session, actor(), code, filters, order, moment)
        session.commit()
    name = f"holders-{code}-{moment.date().isoformat()}.csv"
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
