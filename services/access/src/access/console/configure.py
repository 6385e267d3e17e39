"""The console's part of the Flask app: its blueprint, session, CSRF and identity provider.

A module of its own, not the package's __init__: it imports every view module, and they import
the package's other modules.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from shared.platform import Platform

FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def configure_console(app: Flask, platform: Platform) -> None:
    from access.console import (  # noqa: F401 - each module adds its routes to the blueprint
        auth_views,
        decision_views,
        errors,
        gate_views,
        grant_views,
        not_found_views,
        queue_views,
    )
    from access.console.blueprint import ConsoleSettings, bp
    from access.console.identity_provider import ConsoleClient, ConsoleIdentityProvider
    from access.console.presenters import register_filters
    from access.console.security import csrf

    extra = platform.settings.extra
    settings = ConsoleSettings(
        idle_minutes=int(extra.get("ACCESS_CONSOLE_IDLE_MINUTES", "30")),
        # Cookies marked Secure are sent over HTTPS only; "0" is for plain-HTTP development.
        secure_cookie=extra.get("ACCESS_CONSOLE_SECURE_COOKIE", "1").lower() not in FALSE_WORDS,
        check_s=float(extra.get("ACCESS_CONSOLE_SESSION_CHECK_S", "30")),
        redirect_uri=extra.get("ACCESS_CONSOLE_REDIRECT_URI", ""),
    )
    app.extensions["console"] = settings
    oidc = platform.settings.oidc
    app.extensions["console_identity_provider"] = ConsoleIdentityProvider(
        app,
        ConsoleClient(
            client_id=extra.get("ACCESS_CONSOLE_OIDC_CLIENT_ID", "access-console"),
            client_secret=extra.get(
                "ACCESS_CONSOLE_OIDC_CLIENT_SECRET", "dev-console-secret-change-me"
            ),
            metadata_url=extra.get(
                "ACCESS_CONSOLE_OIDC_METADATA_URL",
                f"{oidc.issuer}/.well-known/openid-configuration",
            ),
        ),
        app.extensions["staff_tokens"],
        platform.clock,
    )
    app.config.update(
        SESSION_COOKIE_NAME="access_console",
        SESSION_COOKIE_PATH="/console",  # the API never needs the cookie
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookie,
        # The cookie's own life; the idle timeout is checked on every request (security.py).
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.absolute_hours),
        WTF_CSRF_CHECK_DEFAULT=False,
        # The token lives as long as the session (itself at most 12 h, 30 min idle): a form
        # left open over a long gate shift still posts.
        WTF_CSRF_TIME_LIMIT=None,
    )
    csrf.init_app(app)
    register_filters(app)
    app.register_blueprint(bp)
