"""Who may use the console, and for how long.

Staff sign in at the identity provider (auth_views.py). The session is a row on the server
(service_layer/console_sessions.py); the cookie holds only its random token (and, before
sign-in, authlib's state, nonce and PKCE verifier). On every request the row must exist, be
neither idle nor past its absolute limit, and — at least every ACCESS_CONSOLE_SESSION_CHECK_S —
the provider must still stand behind it (userinfo, or a refresh once the access token has
expired): signing out, or removing the account at the provider, ends it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_wtf.csrf import CSRFProtect

# flask.redirect answers werkzeug's Response (flask's is a subclass of it).
from werkzeug.wrappers import Response

from access.console.blueprint import bp, clock, platform, settings
from access.console.identity_provider import ConsoleIdentityProvider, SessionWithdrawn
from access.models import ConsoleSession
from access.service_layer import console_sessions

csrf = CSRFProtect()

# Pages anyone may open: the sign-in page, the way to and back from the provider, the stylesheet.
PUBLIC_ENDPOINTS = frozenset(
    {"console.login", "console.login_start", "console.auth_callback", "console.static"}
)

# The console's pages hold personal data: never framed, never cached, nothing from elsewhere.
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'self'; frame-ancestors 'none'; "
        "form-action 'self'; base-uri 'none'; object-src 'none'"
    ),
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@dataclass(frozen=True)
class ConsoleUser:
    """Who is signed in, as the pages show them."""

    subject: str
    display_name: str
    roles: tuple[str, ...]
    establishments: tuple[str, ...]


def identity_provider() -> ConsoleIdentityProvider:
    return current_app.extensions["console_identity_provider"]


def start_session(token: str) -> None:
    """Signed in: nothing carried over from before (the CSRF token, authlib's state), so
    whatever an attacker planted in the cookie before sign-in is worthless after it."""
    session.clear()
    session.permanent = True
    session["sid"] = token


def end_session(why: str, message: str | None) -> None:
    """End the server's session (if any) and forget the cookie's."""
    token = session.get("sid")
    session.clear()
    refresh_token = None
    with platform().session_factory() as db:
        row = console_sessions.find(db, token if isinstance(token, str) else None)
        if row is not None:
            refresh_token = row.refresh_token
            console_sessions.end(db, row, clock(), why)
            db.commit()
    if why == "signed_out":
        identity_provider().revoke(refresh_token)
    if message:
        flash(message, "info")


def safe_next(target: str | None) -> str | None:
    """Only a path within the console: never another site (an open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not parts.path.startswith("/console/")
        or target.startswith("//")
        or "\\" in target
    ):
        return None
    return target


def _wanted() -> str | None:
    return safe_next(request.full_path.rstrip("?") if request.method == "GET" else None)


def _to_login(why: str, message: str | None) -> Response:
    end_session(why, message)
    return redirect(url_for("console.login", next=_wanted()))


@bp.before_request
def guard() -> Response | None:
    """Signed in, not timed out, still standing at the provider: else to the sign-in page.
    Then the CSRF check for anything that changes state."""
    if request.endpoint not in PUBLIC_ENDPOINTS:
        denied = _signed_in()
        if denied is not None:
            return denied
    csrf.protect()
    return None


def _signed_in() -> Response | None:
    token = session.get("sid")
    if not isinstance(token, str):
        session.clear()
        return redirect(url_for("console.login", next=_wanted()))
    moment = clock()
    with platform().session_factory() as db:
        row = console_sessions.find(db, token)
        if row is None:
            # Signed out (or ended) already: a replayed cookie opens nothing.
            session.clear()
            flash("You have been signed out. Sign in again.", "info")
            return redirect(url_for("console.login", next=_wanted()))
        why = console_sessions.timed_out(row, moment, settings().limits)
        if why is None and not _still_standing(row, moment):
            why = "revoked"
        if why is None:
            row.seen_at = moment
            g.console_account = _user(row)
            g.console_actor = console_sessions.actor_for(row)
            db.commit()
            return None
    return _to_login(
        why,
        {
            "expired": (
                f"Your session has ended after {settings().absolute_hours} hours. Sign in again."
            ),
            "idle": (
                f"You were signed out after {settings().idle_minutes} minutes without "
                "activity. Sign in again."
            ),
        }.get(why, "You have been signed out. Sign in again."),
    )


def _still_standing(row: ConsoleSession, moment: datetime) -> bool:
    """Ask the provider, if the last answer is older than the check interval."""
    if (
        moment - row.checked_at
    ).total_seconds() < settings().check_s and row.access_expires_at > moment:
        return True
    try:
        identity, tokens = identity_provider().recheck(
            row.access_token, row.refresh_token, row.access_expires_at
        )
    except SessionWithdrawn:
        return False
    if identity is not None and not console_sessions.may_use_console(identity):
        return False
    console_sessions.confirmed(row, identity, tokens, moment)
    return True


def _user(row: ConsoleSession) -> ConsoleUser:
    return ConsoleUser(row.subject, row.display_name, tuple(row.roles), tuple(row.establishments))


@bp.after_request
def headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint == "console.static":
        # The stylesheet is the same for everyone: let it be cached.
        response.headers["Cache-Control"] = "public, max-age=3600"
        del response.headers["Pragma"]
    return response
