"""Who may use a front door, and for how long; the headers every page carries.

Staff sign in at the identity provider (auth_views.py). The session is a row on the server
(sessions.py); the cookie holds only its random token (and, before sign-in, authlib's state,
nonce and PKCE verifier). On every request the row must exist, be neither idle nor past its
absolute limit, and — at least every <P>_SESSION_CHECK_S — the provider must still stand
behind it (userinfo, or a refresh once the access token has expired) and the member of staff
must still be one the door lets in: signing out there, or removing the account, ends it.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import Session

# flask.redirect answers werkzeug's Response (flask's is a subclass of it).
from werkzeug.wrappers import Response

import shared.frontdoor.sessions as sessions
from shared.frontdoor.oidc import SessionWithdrawn
from shared.frontdoor.state import Door, SignedIn, runtime

csrf = CSRFProtect()
SESSION_KEY = "sid"

# The pages hold personal data: never framed, never cached, nothing from elsewhere. The one
# inline script (GOV.UK Frontend's js-enabled class) runs by the request's nonce.
CSP = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def csp_nonce() -> str:
    """This request's nonce for inline scripts (made on first use)."""
    if "frontdoor_nonce" not in g:
        g.frontdoor_nonce = secrets.token_urlsafe(16)
    nonce: str = g.frontdoor_nonce
    return nonce


def start_session(token: str) -> None:
    """Signed in: nothing carried over from before (the CSRF token, authlib's state), so
    whatever an attacker planted in the cookie before sign-in is worthless after it."""
    session.clear()
    session.permanent = True
    session[SESSION_KEY] = token


def end_session(why: str, message: str | None) -> None:
    """End the server's session (if any) and forget the cookie's."""
    door = runtime()
    token = session.get(SESSION_KEY)
    session.clear()
    refresh_token = None
    with door.platform.session_factory() as db:
        row = sessions.find(db, door.door.name, token if isinstance(token, str) else None)
        if row is not None:
            refresh_token = row.refresh_token
            sessions.end(db, row, door.door.service, door.platform.clock.now(), why)
            db.commit()
    if why == "signed_out":
        door.provider.revoke(refresh_token)
    if message:
        flash(message, "info")


def safe_next(target: str | None) -> str | None:
    """Only a path within the door: never another site (an open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not parts.path.startswith(f"{runtime().door.prefix}/")
        or target.startswith("//")
        or "\\" in target
    ):
        return None
    return target


def install(door: Door) -> None:
    """The door's blueprint checks every request, and marks every answer. Public: the
    sign-in page and the way to and back from the provider."""
    public = frozenset(f"{door.name}.{view}" for view in ("login", "login_start", "auth_callback"))

    @door.blueprint.before_request
    def guard() -> Response | None:
        """Signed in, not timed out, still standing at the provider: else to the sign-in
        page. Then the CSRF check for anything that changes state."""
        view = current_app.view_functions.get(request.endpoint or "")
        if request.endpoint not in public and not getattr(view, "frontdoor_open", False):
            denied = _signed_in()
            if denied is not None:
                return denied
        csrf.protect()
        return None

    @door.blueprint.after_request
    def headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Content-Security-Policy", CSP.format(nonce=csp_nonce()))
        return response

    @door.blueprint.context_processor
    def page_context() -> dict[str, object]:
        user = g.get("frontdoor_user")
        return {
            "door": door,
            "cspNonce": csp_nonce(),
            "signed_in_user": user,
            "navigation_items": _navigation(door) if user else [],
        }


def _navigation(door: Door) -> list[tuple[str, str]]:
    shown = door.show_in_navigation or (lambda _endpoint: True)
    return [
        (text, endpoint)
        for text, endpoint in door.navigation
        if endpoint in current_app.view_functions and shown(endpoint)
    ]


def _wanted() -> str | None:
    return safe_next(request.full_path.rstrip("?") if request.method == "GET" else None)


def _to_login(why: str, message: str | None) -> Response:
    end_session(why, message)
    return redirect(url_for(f"{runtime().door.name}.login", next=_wanted()))


def _signed_in() -> Response | None:
    door = runtime()
    login = f"{door.door.name}.login"
    token = session.get(SESSION_KEY)
    if not isinstance(token, str):
        session.clear()
        return redirect(url_for(login, next=_wanted()))
    moment = door.platform.clock.now()
    with door.platform.session_factory() as db:
        row = sessions.find(db, door.door.name, token)
        if row is None:
            # Signed out (or ended) already: a replayed cookie opens nothing.
            session.clear()
            flash("You have been signed out. Sign in again.", "info")
            return redirect(url_for(login, next=_wanted()))
        why = sessions.timed_out(row, moment, door.settings.limits)
        if why is None:
            standing = _still_standing(db, row, moment)
            if standing is None:
                why = "revoked"
            else:
                sessions.seen(db, standing, moment)
                g.frontdoor_user = SignedIn(
                    standing.subject,
                    standing.display_name,
                    standing.roles,
                    standing.establishments,
                )
                db.commit()
                return None
    return _to_login(
        why,
        {
            "expired": (
                f"Your session has ended after {door.settings.absolute_hours} hours. Sign in again."
            ),
            "idle": (
                f"You were signed out after {door.settings.idle_minutes} minutes without "
                "activity. Sign in again."
            ),
        }.get(why, "You have been signed out. Sign in again."),
    )


def _still_standing(
    db: Session, row: sessions.StaffSession, moment: datetime
) -> sessions.StaffSession | None:
    """Ask the provider, if its last answer is older than the check interval: the row as it
    now stands, or None if the provider (or the door) no longer lets this person in."""
    door = runtime()
    if door.door.people == "public":
        # GOV.UK One Login leaves the session to the service (no refresh tokens to ask with):
        # the idle and absolute limits hold, and the service checks what the person may do.
        return row
    if (
        moment - row.checked_at
    ).total_seconds() < door.settings.check_s and row.access_expires_at > moment:
        return row
    try:
        identity, tokens = door.provider.recheck(
            row.access_token, row.refresh_token, row.access_expires_at
        )
    except SessionWithdrawn:
        return None
    if identity is not None and not door.door.may_enter(identity):
        return None
    return sessions.confirmed(db, row, identity, tokens, moment)
