"""The provider's HTTP face: discovery, JWKS, the sign-in page (authorisation endpoint), the
token, userinfo and revocation endpoints, and in test mode a key rotation endpoint.

Wrong passwords slow the source address down (flask-limiter, 429 with Retry-After, longer the
more it tries); no account is ever locked, so a stranger guessing cannot keep a user out.
"""

from __future__ import annotations

import secrets
from typing import Any

from authlib.oauth2 import OAuth2Error
from flask import Flask, Response, g, jsonify, render_template, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from jinja2 import ChainableUndefined, ChoiceLoader, PackageLoader, PrefixLoader

from devidp.server import Provider, build_server
from shared.frontdoor.assets import register as register_govuk_assets

# Failed sign-ins allowed per source address: a burst, then a minute's wait, then longer.
SIGN_IN_FAILURE_LIMITS = "5 per minute;20 per 15 minutes;60 per day"

# The one inline script (GOV.UK Frontend's template marks the body js-enabled) runs by nonce.
CSP = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
PAGE_HEADERS = {
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def create_app(provider: Provider) -> Flask:
    app = Flask("devidp")
    app.config.update(RATELIMIT_HEADERS_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    limiter = Limiter(get_remote_address, app=app)
    server = build_server(app, provider)
    app.extensions["devidp"] = provider

    @app.get("/.well-known/openid-configuration")
    def discovery() -> Any:
        base = provider.issuer
        return jsonify(
            {
                "issuer": base,
                "authorization_endpoint": f"{base}/authorize",
                "token_endpoint": f"{base}/token",
                "userinfo_endpoint": f"{base}/userinfo",
                "jwks_uri": f"{base}/jwks",
                "revocation_endpoint": f"{base}/revoke",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "grant_types_supported": [
                    "authorization_code",
                    "refresh_token",
                    "client_credentials",
                ],
                "code_challenge_methods_supported": ["S256"],
                "id_token_signing_alg_values_supported": ["RS256", "ES256"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                    "private_key_jwt",
                ],
                "scopes_supported": ["openid", "profile", "email"],
                "claims_supported": [
                    "sub",
                    "name",
                    "preferred_username",
                    "email",
                    "email_verified",
                    provider.roles_claim,
                    provider.establishments_claim,
                ],
            }
        )

    @app.get("/jwks")
    def jwks() -> Any:
        return jsonify(provider.keys.public_jwks())

    # GOV.UK Frontend, as the front doors have it: the sign-in page looks like them.
    app.jinja_loader = ChoiceLoader(
        [
            *([app.jinja_loader] if app.jinja_loader is not None else []),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    # The macros read optional parameters in chains (params.hint.text) as the Nunjucks do.
    app.jinja_env.undefined = ChainableUndefined
    register_govuk_assets(app)

    @app.context_processor
    def nonce() -> dict[str, str]:
        return {"cspNonce": _nonce()}

    def sign_in_page(error: str | None, username: str = "", status: int = 200) -> Any:
        return render_template(
            "signin.html", error=error, username=username, action=request.full_path
        ), status

    @app.get("/authorize")
    def authorize() -> Any:
        try:
            server.get_consent_grant(end_user=None)
        except OAuth2Error as error:
            return render_template("problem.html", error=error), 400
        return sign_in_page(None)

    @app.post("/authorize")
    @limiter.limit(SIGN_IN_FAILURE_LIMITS, deduct_when=lambda response: response.status_code == 401)
    def sign_in() -> Any:
        try:
            server.get_consent_grant(end_user=None)
        except OAuth2Error as error:
            return render_template("problem.html", error=error), 400
        username = (request.form.get("username") or "").strip()
        password = request.form.get("password") or ""
        user = provider.directory.user(username) if username else None
        client = provider.directory.client(request.args.get("client_id", ""))
        if user is not None and client is not None and user.people != client.people:
            # Staff and the public are separate users, as at separate providers.
            user = None
        if user is None or not user.password_matches(password):
            return sign_in_page("Enter a correct username and password.", username, 401)
        return server.create_authorization_response(grant_user=user)

    @app.errorhandler(429)
    def too_many(error: Any) -> Any:
        retry_after = getattr(error, "retry_after", None)
        body, _ = sign_in_page(
            "Too many wrong passwords from your network. Wait a few minutes, then try again.",
            request.form.get("username", ""),
        )
        response = Response(body, status=429, mimetype="text/html")
        if retry_after:
            response.headers["Retry-After"] = str(retry_after)
        return response

    @app.post("/token")
    def token() -> Any:
        return server.create_token_response()

    @app.route("/userinfo", methods=["GET", "POST"])
    def userinfo() -> Any:
        header = request.headers.get("Authorization", "")
        scheme, _, presented = header.partition(" ")
        claims = (
            provider.verify_access_token(presented.strip()) if scheme.lower() == "bearer" else None
        )
        user = provider.directory.user_by_subject(str(claims["sub"])) if claims else None
        if user is None:
            # Unknown, expired, or the user has been removed: the session is over.
            return (
                jsonify({"error": "invalid_token"}),
                401,
                {"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        if user.people == "public":
            # What GOV.UK One Login answers: who, and their verified email address.
            return jsonify({"sub": user.get_user_id(), "email": user.email, "email_verified": True})
        return jsonify(
            {
                "sub": user.get_user_id(),
                "name": user.name,
                "preferred_username": user.username,
                provider.roles_claim: list(user.roles),
                provider.establishments_claim: list(user.establishments),
            }
        )

    @app.post("/revoke")
    def revoke() -> Any:
        """RFC 7009 for refresh tokens: a signed-out session cannot be refreshed."""
        client = provider.directory.client(request.form.get("client_id", "")) or _basic_client(
            provider
        )
        presented = request.form.get("token", "")
        if client is not None and client.check_client_secret(
            request.form.get("client_secret") or _basic_secret()
        ):
            item = provider.take(provider.refresh_tokens, presented, client)
            if item is not None:
                item.revoked = True
        return "", 200

    if provider.test_mode:

        @app.post("/test/rotate-keys")
        def rotate_keys() -> Any:
            return jsonify({"kid": provider.keys.rotate(request.form.get("alg", "RS256"))})

    @app.after_request
    def headers(response: Response) -> Response:
        for name, value in PAGE_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Content-Security-Policy", CSP.format(nonce=_nonce()))
        return response

    return app


def _basic_client(provider: Provider) -> Any:
    auth = request.authorization
    return provider.directory.client(auth.username) if auth and auth.username else None


def _basic_secret() -> str:
    auth = request.authorization
    return (auth.password or "") if auth else ""


def _nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    nonce: str = g.csp_nonce
    return nonce
