"""The on-site register in the console: "Sign in" on an ALLOWED gate answer, "On site now" with
sign-out buttons and the visits left open from an earlier day, and the roll printed for an
evacuation. A person's visits are on their page (templates/console/_visit_history.html)."""

from __future__ import annotations

import uuid

from flask import flash, redirect, request, url_for

from access.console import forms
from access.console.blueprint import actor, bp, clock, platform
from access.console.pages import FormError, establishment_names, render
from access.models import Grant, Visit
from access.service_layer import visits
from shared.errors import Conflict, Invalid, NotFound


def _establishment(code: str | None) -> str:
    """The establishment asked for (the first of mine when none): another's is a 404."""
    who = actor()
    codes = sorted(who.establishments)
    code = code or (codes[0] if codes else "")
    if not who.covers(code):
        raise NotFound()
    return code


def _person_at(code: str, grant_id: str) -> str:
    """The person whose grant at `code` the gate answered for."""
    try:
        uuid.UUID(grant_id)
    except ValueError:
        raise Invalid("Check the person at the gate again before signing them in.") from None
    with platform().session_factory() as session:
        grant = session.get(Grant, grant_id)
        if grant is None or grant.establishment_code != code:
            raise NotFound()
        return grant.person_id


@bp.route("/visits", methods=["POST"])
def sign_in():
    code = _establishment(request.form.get("establishment") or "-")
    try:
        person_id = _person_at(code, request.form.get("grant_id", ""))
        with platform().unit_of_work() as uow:
            try:
                visit = visits.sign_in(uow, actor(), code, person_id)
            except visits.NotLetIn:
                uow.commit()  # the refusal's audit entry
                raise
            uow.commit()
            view = visits.visit_at(uow.session, code, visit.id, uow.now())
    except (Invalid, Conflict) as exc:
        # On the gate form's first field: the next step is to check the person again.
        return _gate_refusal(FormError("gate", str(exc)), exc.status)
    name = f"{view['forenames'] or ''} {view['surname'] or ''}".strip() or "The person"
    flash(f"{name} is signed in.", "success")
    return redirect(url_for("console.gate_check"))


def _gate_refusal(error: FormError, status: int):
    """The gate page, empty for the next check, with why the sign-in did not happen."""
    codes = sorted(actor().establishments)
    answers = {"establishment": codes[0] if codes else "", "badge": "", "person_id": ""}
    gate = forms.gate_form(codes, establishment_names(codes), answers)
    html = render(
        "console/gate.html", codes=codes, answers=answers, gate=gate, result=None, error=error
    )
    return html, status


@bp.route("/visits/<string:visit_id>/sign-out", methods=["POST"])
def sign_out(visit_id: str):
    with platform().session_factory() as session:
        visit = session.get(Visit, visit_id)
        code = visit.establishment_code if visit is not None else "-"
    code = _establishment(code)
    try:
        with platform().unit_of_work() as uow:
            visits.sign_out(uow, actor(), code, visit_id)
            uow.commit()
            view = visits.visit_at(uow.session, code, visit_id, uow.now())
    except Conflict as exc:
        return _on_site_page(code, FormError("sign-out", str(exc)), exc.status)
    name = f"{view['forenames'] or ''} {view['surname'] or ''}".strip() or "The person"
    flash(f"{name} is signed out.", "success")
    return redirect(url_for("console.on_site", establishment=code))


def _on_site_page(code: str, error: FormError | None = None, status: int = 200):
    moment = clock()
    with platform().session_factory() as session:
        here = visits.on_site(session, code, moment)
    codes = sorted(actor().establishments)
    names = establishment_names(codes)
    html = render(
        "console/on_site.html",
        error=error,
        code=code,
        codes=codes,
        name=names.get(code, code),
        visits=here,
        left_open=[visit for visit in here if visit["left_open"]],
        now=moment,
    )
    return html, status


@bp.route("/on-site")
def on_site():
    return _on_site_page(_establishment(request.args.get("establishment")))


@bp.route("/on-site/roll")
def on_site_roll():
    code = _establishment(request.args.get("establishment"))
    moment = clock()
    with platform().session_factory() as session:
        here = visits.on_site(session, code, moment)
    name = establishment_names([code]).get(code, code)
    return render("console/on_site_roll.html", code=code, name=name, visits=here, now=moment)
