"""A grant's page (the person, the clearance, the terms, the induction, the history and the
forms that may be used now) and a person's page (their grants at my establishments)."""

from __future__ import annotations

from typing import Any

from flask import request

from access.console.blueprint import actor, bp, clock, platform
from access.console.pages import FormError, render
from access.console.presenters import access_choices, offer
from access.domain.rules import LOCAL_TIME, WEEKDAYS
from access.service_layer import placements, queries, visits
from access.service_layer.actors import grant_for_reading
from shared.audit.trail import record_read


def grant_page(
    grant_id: str,
    *,
    error: FormError | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
):
    """The page, fresh from the database; after a failed form, with its errors and answers."""
    who = actor()
    with platform().session_factory() as session:
        grant = grant_for_reading(session, who, grant_id)
        view = queries.grant_view(grant)
        history = queries.history(session, who, grant_id)
        names = queries.establishment_names(session, [grant.establishment_code])
        forms = offer(grant, who)
        choices = access_choices(grant)
        resume_status = grant.resume_status
        placed = placements.for_grant(session, grant)
        record_read(session, "grant", grant_id, {"view": "console"}, by=(who.id, who.kind))
    expiry = view["clearance"]["expires_at"].astimezone(LOCAL_TIME).date()
    defaults = {
        "access_type": choices[-1],
        "valid_until": expiry.isoformat(),
        "permitted_days": [],
        "permitted_areas": "",
        "conditions": "",
    }
    if view["renewal"] and view["access_type"]:
        # A renewal is usually the same terms again: start from them (within the new clearance).
        defaults.update(
            access_type=view["access_type"] if view["access_type"] in choices else choices[-1],
            permitted_days=view["permitted_days"] or [],
            permitted_areas="\n".join(view["permitted_areas"]),
            conditions="\n".join(view["conditions"]),
        )
    answers = {**defaults, **(values or {})}
    html = render(
        "console/grant.html",
        error=error,
        grant=view,
        history=history,
        establishment=names.get(view["establishment_code"], view["establishment_code"]),
        offer=forms,
        access_choices=choices,
        answers=answers,
        weekdays=WEEKDAYS,
        resume_status=resume_status,
        placements=placed,
        today=clock().astimezone(LOCAL_TIME).date(),
        max_valid_until=expiry.isoformat(),
    )
    return html, status


def posted_answers() -> dict[str, Any]:
    """What was typed, to put back into the form after an error (never a password)."""
    form = request.form
    return {
        "access_type": form.get("access_type", ""),
        "valid_until": form.get("valid_until", ""),
        "permitted_days": form.getlist("permitted_days"),
        "permitted_areas": form.get("permitted_areas", ""),
        "conditions": form.get("conditions", ""),
        "reason": form.get("reason", ""),
        "review_on": form.get("review_on", ""),
        "badge_number": form.get("badge_number", ""),
        "security_briefing": form.get("security_briefing") == "yes",
        "key_training": form.get("key_training") == "yes",
    }


@bp.route("/grants/<string:grant_id>")
def grant(grant_id: str):
    return grant_page(grant_id)


@bp.route("/people/<string:person_id>")
def person(person_id: str):
    who = actor()
    with platform().session_factory() as session:
        found = queries.person(session, who, person_id)
        names = queries.establishment_names(
            session, [item["establishment_code"] for item in found["grants"]]
        )
        visit_history = visits.person_history(
            session, sorted(who.establishments), person_id, clock()
        )
    return render("console/person.html", person=found, names=names, visit_history=visit_history)
