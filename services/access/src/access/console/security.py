"""Who may use the console, and for how long.

The session is Flask's signed cookie holding only the username and three facts about the
sign-in (when, when last seen, a digest of the password hash). Everything else is re-read from
the database on every request, so disabling an account, changing its roles or establishments,
or setting a new password takes effect at the very next click.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Response, flash, g, redirect, request, session, url_for
from flask_wtf.csrf import CSRFProtect

from access.console.blueprint import bp, clock, platform, settings
from access.models import StaffAccount
from access.service_layer import staff

csrf = CSRFProtect()

# Pages anyone may open: the sign-in form itself and the stylesheet it uses.
PUBLIC_ENDPOINTS = frozenset({"console.login", "console.static"})

# The console's pages hold personal data: never framed, never cached, nothing from elsewhere.
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": ("default-src 'self'; frame-ancestors 'none'; "
                                "form-action 'self'; base-uri 'none'; object-src 'none'"),
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def start_session(account: StaffAccount) -> None:
    """Signed in: a new session, nothing carried over from before (the CSRF token included),
    so whatever an attacker planted in the cookie before sign-in is worthless after it."""
    session.clear()
    session.permanent = True
    moment = clock().timestamp()
    session.update({"staff": account.username, "sid": secrets.token_urlsafe(16),
                    "login_at": moment, "seen_at": moment,
                    "pw": staff.password_fingerprint(account)})


def end_session(why: str, message: str | None) -> None:
    username = session.get("staff")
    session.clear()
    if username:
        with platform().session_factory() as db:
            staff.record_session_end(db, username, clock(), why)
            db.commit()
    if message:
        flash(message, "info")


def safe_next(target: str | None) -> str | None:
    """Only a path within the console: never another site (an open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/console/") \
            or target.startswith("//") or "\\" in target:
        return None
    return target


def _to_login(why: str, message: str | None) -> Response:
    end_session(why, message)
    wanted = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("console.login", next=safe_next(wanted)))


def _expired(started: float, seen: float, moment: float) -> str | None:
    if moment - started > settings().absolute_hours * 3600:
        return "expired"
    if moment - seen > settings().idle_minutes * 60:
        return "idle"
    return None


@bp.before_request
def guard() -> Response | None:
    """Signed in, not timed out, account still active with the same password: else to the
    sign-in page. Then the CSRF check for anything that changes state."""
    if request.endpoint not in PUBLIC_ENDPOINTS:
        denied = _signed_in()
        if denied is not None:
            return denied
    csrf.protect()
    return None


def _signed_in() -> Response | None:
    username = session.get("staff")
    if not isinstance(username, str):
        session.clear()
        return redirect(url_for("console.login", next=safe_next(
            request.full_path.rstrip("?") if request.method == "GET" else None)))
    moment = clock().timestamp()
    why = _expired(float(session.get("login_at", 0)), float(session.get("seen_at", 0)), moment)
    if why == "expired":
        return _to_login(why, "Your session has ended after 12 hours. Sign in again.")
    if why == "idle":
        return _to_login(why, f"You were signed out after {settings().idle_minutes} minutes "
                              "without activity. Sign in again.")
    with platform().session_factory() as db:
        account = staff.active_account(db, username)
        if account is not None:
            db.expunge(account)
    if account is None or staff.password_fingerprint(account) != session.get("pw"):
        return _to_login("revoked", "You have been signed out. Sign in again.")
    session["seen_at"] = moment
    g.console_account = account
    g.console_actor = staff.actor_for(account)
    return None


@bp.after_request
def headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint == "console.static":
        # The stylesheet is the same for everyone: let it be cached.
        response.headers["Cache-Control"] = "public, max-age=3600"
        del response.headers["Pragma"]
    return response
