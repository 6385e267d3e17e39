"""Signing in (at the identity provider) and out."""

from __future__ import annotations

import logging

from flask import redirect, render_template, request, session, url_for

from access.console.blueprint import bp, clock, platform, settings
from access.console.identity_provider import SignInFailed
from access.console.security import end_session, identity_provider, safe_next, start_session
from access.service_layer import console_sessions

log = logging.getLogger(__name__)
NEXT_KEY = "console_next"


@bp.get("/login")
def login():
    """The sign-in page: why the last session ended, and the way to the provider."""
    wanted = safe_next(request.args.get("next"))
    if isinstance(session.get("sid"), str):
        with platform().session_factory() as db:
            if console_sessions.find(db, session["sid"]) is not None:
                return redirect(wanted or url_for("console.queue"))
    return render_template("console/login.html", error=None, next=wanted)


@bp.get("/login/start")
def login_start():
    """To the provider's sign-in page, remembering where the member of staff was going."""
    session[NEXT_KEY] = safe_next(request.args.get("next"))
    return identity_provider().begin(
        settings().redirect_uri or url_for("console.auth_callback", _external=True)
    )


@bp.get("/auth/callback")
def auth_callback():
    if request.args.get("error"):
        # Cancelled or refused at the provider: nothing to sign in.
        return _problem("Signing in did not complete. Try again.", 400)
    try:
        identity, name, tokens = identity_provider().finish()
    except SignInFailed as exc:
        log.warning("console sign-in failed: %s", exc)
        return _problem("Signing in did not complete. Try again.", 400)
    wanted = safe_next(session.get(NEXT_KEY))
    with platform().session_factory() as db:
        if not console_sessions.may_use_console(identity):
            console_sessions.refused(db, identity.staff_id, clock(), "no_console_role")
            db.commit()
            session.clear()
            return _problem(
                "Your account does not give you access to the security console. "
                "Ask your establishment's security team.",
                403,
            )
        token = console_sessions.open_session(db, identity, name, tokens, clock())
        # Sessions nobody came back to end go once past their absolute limit.
        console_sessions.purge_stale(db, clock(), settings().limits)
        db.commit()
    start_session(token)
    return redirect(wanted or url_for("console.queue"))


def _problem(message: str, status: int):
    return render_template("console/login.html", error=message, next=None), status


@bp.post("/logout")
def logout():
    end_session("signed_out", "You have signed out.")
    return_to = url_for("console.login", _external=True)
    return redirect(identity_provider().sign_out_url(return_to) or url_for("console.login"))
