"""The forms on a grant's page: each posts here, is decided in one unit of work (as the JSON
API's `_decide` does), and goes back to the page: with a confirmation when it worked, with the
error summary and the answers given when it did not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, request, url_for
from werkzeug.datastructures import MultiDict

from access.console import forms
from access.console.blueprint import actor, bp, clock, platform
from access.console.grant_views import grant_page, posted_answers
from access.console.pages import FormError
from access.console.photo_views import uploaded_photo
from access.console.presenters import offer
from access.domain.lifecycle import HEAD, TEAM
from access.models import Grant
from access.service_layer import decisions, photos
from access.service_layer.actors import Actor, grant_for_update
from shared.errors import Conflict, Forbidden, Invalid
from shared.uow import UnitOfWork

# Reads the posted form into the decision's arguments (may raise Invalid).
Reader = Callable[[MultiDict, Grant], dict[str, Any]]
# Makes the decision: (unit of work, grant, actor, moment, the reader's arguments).
Decider = Callable[[UnitOfWork, Grant, Actor, Any, dict[str, Any]], None]


def _run(
    grant_id: str, form_name: str, roles: tuple[str, ...], read: Reader, decide: Decider, done: str
):
    who = actor()
    try:
        with platform().unit_of_work() as uow:
            # Another establishment's grant is a 404 before anything else is looked at.
            grant = grant_for_update(uow.session, who, grant_id)
            who.require(*roles)  # the role before the answers: an officer gets 403, not 422
            arguments = read(request.form, grant)
            decide(uow, grant, who, clock(), arguments)
            uow.commit()
    except Forbidden as exc:
        return grant_page(grant_id, error=FormError.of(form_name, exc), status=403)
    except (Invalid, Conflict) as exc:
        return grant_page(
            grant_id, error=FormError.of(form_name, exc), values=posted_answers(), status=exc.status
        )
    flash(done, "success")
    return redirect(url_for("console.grant", grant_id=grant_id))


def _reason(form: MultiDict, _grant: Grant) -> dict[str, Any]:
    return forms.reason(form)


def _with_reason(decision: Callable[..., None]) -> Decider:
    def decide(
        uow: UnitOfWork, grant: Grant, who: Actor, moment: Any, arguments: dict[str, Any]
    ) -> None:
        decision(uow, grant, who, moment, arguments["reason"])

    return decide


def _with_keywords(decision: Callable[..., None]) -> Decider:
    def decide(
        uow: UnitOfWork, grant: Grant, who: Actor, moment: Any, arguments: dict[str, Any]
    ) -> None:
        decision(uow, grant, who, moment, **arguments)

    return decide


def _induction_steps(form: MultiDict, grant: Grant) -> dict[str, Any]:
    outstanding = offer(grant, actor()).induction
    errors: dict[str, list[str]] = {}
    steps, photo = [], None
    try:
        steps = forms.induction(form, outstanding)
    except Invalid as exc:
        errors.update(exc.errors)
    try:
        photo = uploaded_photo()  # taken with the badge
    except Invalid as exc:
        errors.update(exc.errors)
    if errors:
        raise Invalid("Some answers need correcting.", errors)
    return {"steps": steps, "photo": photo}


def _record_induction(
    uow: UnitOfWork, grant: Grant, who: Actor, moment: Any, arguments: dict[str, Any]
) -> None:
    # Every item ticked in one transaction: all recorded, or (on any error) none.
    for step in arguments["steps"]:
        decisions.record_induction(uow, grant, who, moment, **step)
    if arguments["photo"] is not None:
        photos.store(uow, grant, who, moment, arguments["photo"])


@bp.route("/grants/<string:grant_id>/approve", methods=["POST"])
def approve(grant_id: str):
    return _run(
        grant_id,
        "approve",
        TEAM,
        forms.approval,
        _with_keywords(decisions.approve),
        "Access approved.",
    )


@bp.route("/grants/<string:grant_id>/refuse", methods=["POST"])
def refuse(grant_id: str):
    return _run(
        grant_id,
        "refuse",
        TEAM,
        _reason,
        _with_reason(decisions.refuse),
        "Access refused.",
    )


@bp.route("/grants/<string:grant_id>/induction", methods=["POST"])
def induction(grant_id: str):
    return _run(
        grant_id,
        "induction",
        TEAM,
        _induction_steps,
        _record_induction,
        "Induction recorded.",
    )


@bp.route("/grants/<string:grant_id>/suspend", methods=["POST"])
def suspend(grant_id: str):
    return _run(
        grant_id,
        "suspend",
        TEAM,
        _reason,
        _with_reason(decisions.suspend),
        "Access suspended.",
    )


@bp.route("/grants/<string:grant_id>/reinstate", methods=["POST"])
def reinstate(grant_id: str):
    return _run(
        grant_id,
        "reinstate",
        TEAM,
        _reason,
        _with_reason(decisions.reinstate),
        "Access reinstated.",
    )


@bp.route("/grants/<string:grant_id>/exclude", methods=["POST"])
def exclude(grant_id: str):
    return _run(
        grant_id,
        "exclude",
        (HEAD,),
        lambda form, _grant: forms.exclusion(form),
        _with_keywords(decisions.exclude),
        "Person excluded.",
    )


@bp.route("/grants/<string:grant_id>/revoke", methods=["POST"])
def revoke(grant_id: str):
    return _run(
        grant_id, "revoke", (HEAD,), _reason, _with_reason(decisions.revoke), "Access revoked."
    )


@bp.route("/grants/<string:grant_id>/end", methods=["POST"])
def end(grant_id: str):
    return _run(grant_id, "end", TEAM, _reason, _with_reason(decisions.end), "Access ended.")
