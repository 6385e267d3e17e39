"""The portal's front page: where a signed-in person goes — to their organisation's
applications, to a choice of organisation, or to a page saying they are not a member yet.
Every other signed-in page acts for one organisation, chosen here."""

from __future__ import annotations

from flask import current_app, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from applications.portal.blueprint import acting_for, bp, choose, memberships

# Signed-in pages that need no organisation to act for.
WITHOUT_ORGANISATION = frozenset(
    {"portal.home", "portal.organisations", "portal.choose_organisation", "portal.logout"}
)


@bp.before_request
def organisation_to_act_for() -> Response | None:
    """After the sign-in guard: which organisation this page acts for, or to the front page
    to choose one. Open views (the volunteer's) and the sign-in pages pass."""
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "frontdoor_open", False) or g.get("frontdoor_user") is None:
        return None
    g.portal_membership = acting_for()
    if g.portal_membership is None and request.endpoint not in WITHOUT_ORGANISATION:
        return redirect(url_for("portal.home"))
    return None


@bp.get("/")
def home():
    if g.portal_membership is not None:
        return redirect(url_for("portal.applications"))
    if not memberships():
        return render_template("portal/no_organisation.html")
    return redirect(url_for("portal.organisations"))


@bp.get("/organisations")
def organisations():
    """The organisations this person acts for (more than one: they choose)."""
    return render_template("portal/organisations.html", memberships=memberships())


@bp.post("/organisations/<string:organisation_id>")
def choose_organisation(organisation_id: str):
    choose(organisation_id)
    return redirect(url_for("portal.applications"))
