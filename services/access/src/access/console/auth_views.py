"""Signing in and out."""

from __future__ import annotations

from flask import redirect, render_template, request, session, url_for

from access.console.blueprint import bp, clock, platform
from access.console.pages import FormError
from access.console.security import end_session, safe_next, start_session
from access.service_layer import staff

# One message whatever went wrong: saying "no such user" or "locked" would tell a guesser
# which usernames exist. It says what the lockout rule is, so a real user knows to wait.
BAD_LOGIN = (f"Enter a correct username and password. After {staff.MAX_FAILED_LOGINS} wrong "
             f"attempts an account is locked for {int(staff.LOCKOUT.total_seconds() // 60)} "
             "minutes.")


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
    if not fields:
        with platform().session_factory() as db:
            result = staff.authenticate(db, username, password, clock())
            db.commit()  # the failure count and the audit entry stick, whatever the outcome
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
