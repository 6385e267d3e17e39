"""Signing in (at the identity provider) and out: the routes every door gets."""

from __future__ import annotations

import logging

from flask import redirect, render_template, request, session, url_for

import shared.frontdoor.sessions as sessions
from shared.frontdoor.guard import SESSION_KEY, end_session, safe_next, start_session
from shared.frontdoor.oidc import SignInFailed
from shared.frontdoor.state import Door, runtime

log = logging.getLogger(__name__)
NEXT_KEY = "frontdoor_next"
LOGIN_TEMPLATE = "frontdoor/login.html"  # a door may have its own: <name>/login.html
DID_NOT_COMPLETE = "Signing in did not complete. Try again."


def install(door: Door) -> None:
    bp, name = door.blueprint, door.name

    @bp.get("/login")
    def login():
        """The sign-in page: why the last session ended, and the way to the provider."""
        wanted = safe_next(request.args.get("next"))
        token = session.get(SESSION_KEY)
        if isinstance(token, str):
            with runtime().platform.session_factory() as db:
                if sessions.find(db, name, token) is not None:
                    return redirect(wanted or url_for(door.home))
        return _login_page(name, None, wanted), 200

    @bp.get("/login/start")
    def login_start():
        """To the provider's sign-in page, remembering where the member of staff was going."""
        session[NEXT_KEY] = safe_next(request.args.get("next"))
        return runtime().provider.begin(
            runtime().settings.redirect_uri or url_for(f"{name}.auth_callback", _external=True)
        )

    @bp.get("/auth/callback")
    def auth_callback():
        if request.args.get("error"):
            # Cancelled or refused at the provider: nothing to sign in.
            return _login_page(name, DID_NOT_COMPLETE), 400
        here = runtime()
        try:
            identity, display_name, tokens = here.provider.finish()
        except SignInFailed as exc:
            log.warning("%s sign-in failed: %s", name, exc)
            return _login_page(name, DID_NOT_COMPLETE), 400
        wanted = safe_next(session.get(NEXT_KEY))
        moment = here.platform.clock.now()
        with here.platform.session_factory() as db:
            if not door.may_enter(identity):
                sessions.refused(db, door.service, identity.staff_id, moment, f"no_{name}_role")
                db.commit()
                session.clear()
                return _login_page(name, door.refused_message), 403
            if door.on_sign_in is not None:
                door.on_sign_in(db, identity, display_name, moment)
            token = sessions.open_session(
                db, name, door.service, identity, display_name, tokens, moment
            )
            # Sessions nobody came back to end go once past their absolute limit.
            sessions.purge_stale(db, name, moment, here.settings.limits)
            db.commit()
        start_session(token)
        return redirect(wanted or url_for(door.home))

    @bp.post("/logout")
    def logout():
        end_session("signed_out", "You have signed out.")
        return_to = url_for(f"{name}.login", _external=True)
        return redirect(runtime().provider.sign_out_url(return_to) or url_for(f"{name}.login"))


def _login_page(name: str, error: str | None, wanted: str | None = None) -> str:
    return render_template([f"{name}/login.html", LOGIN_TEMPLATE], error=error, next=wanted)
