"""Signing in and out."""

from __future__ import annotations

import math

from flask import redirect, render_template, request, session, url_for

from access.console.blueprint import bp, clock, platform
from access.console.pages import FormError
from access.console.security import end_session, safe_next, start_session
from access.service_layer import staff
from shared.web.limits import sign_in_throttle, source_address

# One message whatever went wrong: saying "no such user" would tell a guesser which usernames
# exist.
BAD_LOGIN = "Enter a correct username and password."


@bp.route("/login", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    wanted = safe_next(request.values.get("next"))
    if request.method == "GET":
        if isinstance(session.get("staff"), str):
            return redirect(wanted or url_for("console.queue"))
        return render_template("console/login.html", error=None, username="", next=wanted)
    username = (request.form.get("username") or "").strip()
    password = request.form.get("password") or ""
    fields: dict[str, list[str]] = {}
    if not username:
        fields["username"] = ["Enter your username."]
    if not password:
        fields["password"] = ["Enter your password."]
    throttle = sign_in_throttle("console-sign-in")
    wait_s = throttle.wait_s(username) if not fields else None
    if wait_s is not None:
        # Too many failures from this address: the password is not even looked at.
        minutes = max(1, math.ceil(wait_s / 60))
        error = FormError("login", "There is a problem", {"password": [
            "Too many failed sign-ins from your network. Try again in "
            f"{minutes} minute{'s' if minutes > 1 else ''}."]})
        return render_template("console/login.html", error=error, username=username,
                               next=wanted), 429, {"Retry-After": str(wait_s)}
    if not fields:
        with platform().session_factory() as db:
            moment = clock()
            result = staff.authenticate(db, username, password, moment)
            if result.failure is not None and throttle.failed(username):
                staff.record_login_failure(db, username, moment, result.failure, {
                    "source": source_address()[:45], "aggregated": True,
                    "window_s": platform().settings.rate_limits.audit_window_s})
            db.commit()
        if result.account is not None:
            start_session(result.account)
            return redirect(wanted or url_for("console.queue"))
        fields["password"] = [BAD_LOGIN]
    error = FormError("login", "There is a problem", fields)
    return render_template("console/login.html", error=error, username=username,
                           next=wanted), 200


@bp.route("/logout", methods=["POST"])
def logout():  # type: ignore[no-untyped-def]
    end_session("signed_out", "You have signed out.")
    return redirect(url_for("console.login"))
