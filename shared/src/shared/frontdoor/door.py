"""FrontDoor: one staff web front door of a service (the security console, the vetting
workbench) — its blueprint, its settings, and what `configure` adds to the service's app.

A door is declared once, at import, in the service's front-door package; its views add routes to
`door.blueprint`; the service's `configure_app` calls `door.configure(app, platform)`. One door
per app: the Flask session cookie (the door's name, its path the door's prefix) is the app's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TypeVar

from flask import Blueprint, Flask
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChainableUndefined, ChoiceLoader, PackageLoader, PrefixLoader

from shared.auth import StaffIdentity
from shared.frontdoor.assets import register as register_assets
from shared.frontdoor.auth_views import install as install_auth_views
from shared.frontdoor.form_errors import error_summary_params
from shared.frontdoor.guard import csrf
from shared.frontdoor.guard import install as install_guard
from shared.frontdoor.oidc import IdentityProvider, OidcClient
from shared.frontdoor.state import DoorSettings, Runtime, SignInHook
from shared.platform import Platform

V = TypeVar("V", bound=Callable[..., object])
FALSE_WORDS = frozenset({"0", "false", "no", "off"})
# The settings a door reads, each as <env_prefix>_<name> (through Settings.extra).
SETTING_NAMES = (
    "OIDC_CLIENT_ID",
    "OIDC_CLIENT_SECRET",
    "OIDC_METADATA_URL",
    "OIDC_PRIVATE_KEY",
    "IDLE_MINUTES",
    "SECURE_COOKIE",
    "SESSION_CHECK_S",
    "REDIRECT_URI",
)


class FrontDoor:
    def __init__(
        self,
        *,
        name: str,
        service: str,
        title: str,
        home: str,
        may_enter: Callable[[StaffIdentity], bool],
        refused: str,
        env_prefix: str,
        import_name: str,
        template_folder: str | None = "templates",
        navigation: Sequence[tuple[str, str]] = (),
        people: str = "staff",
        show_in_navigation: Callable[[str], bool] | None = None,
        footer: str = (
            "Official sensitive. Every sign-in and decision made here is recorded in the audit log."
        ),
        on_sign_in: SignInHook | None = None,
    ) -> None:
        if people not in ("staff", "public"):
            raise ValueError(f"people must be 'staff' or 'public', not {people!r}")
        self.name, self.service, self.title, self.home = name, service, title, home
        # Staff sign in at the staff provider with roles; the public (GOV.UK One Login) with
        # only who they are: the service itself says what they may do.
        self.people = people
        # Which of the navigation's endpoints this person sees (e.g. by their role); an entry
        # whose view is not registered is never shown.
        self.show_in_navigation = show_in_navigation
        self.footer = footer
        # Called in the sign-in's transaction (the portal binds invitations to the person).
        self.on_sign_in = on_sign_in
        self.may_enter, self.refused_message = may_enter, refused
        self.env_prefix = env_prefix
        self.navigation = tuple(navigation)
        self.prefix = f"/{name}"
        self.cookie_name = f"{service}_{name}"
        self.blueprint = Blueprint(
            name, import_name, url_prefix=self.prefix, template_folder=template_folder
        )
        install_guard(self)
        install_auth_views(self)

    @staticmethod
    def open_view(view: V) -> V:
        """Put under a view's route decorator: the sign-in guard lets it through (it makes a
        check of its own, as the volunteer's pages do with their link). CSRF still applies."""
        view.frontdoor_open = True  # type: ignore[attr-defined]
        return view

    def settings_from(self, platform: Platform) -> DoorSettings:
        extra, prefix = platform.settings.extra, self.env_prefix
        return DoorSettings(
            client_id=extra.get(f"{prefix}_OIDC_CLIENT_ID", f"{self.service}-{self.name}"),
            # The development identity provider's; production refuses it (startup_secrets).
            client_secret=extra.get(
                f"{prefix}_OIDC_CLIENT_SECRET", f"dev-{self.name}-secret-change-me"
            ),
            metadata_url=extra.get(
                f"{prefix}_OIDC_METADATA_URL",
                f"{platform.settings.oidc.issuer}/.well-known/openid-configuration",
            ),
            private_key=extra.get(f"{prefix}_OIDC_PRIVATE_KEY", ""),
            idle_minutes=int(extra.get(f"{prefix}_IDLE_MINUTES", "30")),
            # Cookies marked Secure are sent over HTTPS only; "0" is for plain-HTTP development.
            secure_cookie=extra.get(f"{prefix}_SECURE_COOKIE", "1").lower() not in FALSE_WORDS,
            check_s=float(extra.get(f"{prefix}_SESSION_CHECK_S", "30")),
            redirect_uri=extra.get(f"{prefix}_REDIRECT_URI", ""),
        )

    def configure(self, app: Flask, platform: Platform) -> None:
        """The door's part of the service's app: its blueprint, session cookie, CSRF, the
        client at the identity provider, GOV.UK Frontend's assets and macros."""
        if "frontdoor" in app.extensions:
            raise RuntimeError("one front door per app: the session cookie is the app's")
        settings = self.settings_from(platform)
        provider = IdentityProvider(
            app,
            OidcClient(
                settings.client_id,
                settings.client_secret,
                settings.metadata_url,
                settings.private_key,
            ),
            app.extensions["staff_tokens"],
            platform.clock,
            self.people,
        )
        app.extensions["frontdoor"] = Runtime(self, settings, provider, platform)
        app.config.update(
            SESSION_COOKIE_NAME=self.cookie_name,
            SESSION_COOKIE_PATH=self.prefix,  # the API never needs the cookie
            SESSION_COOKIE_HTTPONLY=True,
            SESSION_COOKIE_SAMESITE="Lax",
            SESSION_COOKIE_SECURE=settings.secure_cookie,
            # The cookie's own life; the idle limit is checked on every request (guard.py).
            PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.absolute_hours),
            WTF_CSRF_CHECK_DEFAULT=False,
            # The token lives as long as the session (at most 12 h, 30 min idle): a form left
            # open over a long shift still posts.
            WTF_CSRF_TIME_LIMIT=None,
        )
        csrf.init_app(app)
        app.jinja_loader = ChoiceLoader(
            [
                *([app.jinja_loader] if app.jinja_loader is not None else []),
                PrefixLoader(
                    {
                        "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                        "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                    }
                ),
            ]
        )
        # The macros read optional parameters in chains (params.hint.text) as the Nunjucks do.
        app.jinja_env.undefined = ChainableUndefined
        WTFormsHelpers(app)
        app.jinja_env.globals["error_summary_params"] = error_summary_params
        register_assets(app)
        app.register_blueprint(self.blueprint)
