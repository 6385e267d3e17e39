"""authlib's authorisation server wired to the directory and the keys: authorisation code with
PKCE (and OpenID Connect's ID token), refresh tokens, client credentials. Access tokens are
JWTs (RFC 9068) that live at most 15 minutes, timed by the system's one clock so that a run
with TEST_CLOCK_AT agrees with the services that check them."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from flask import request
from joserfc import jwt

from devidp.directory import Client, Directory, User
from devidp.keys import KeyStore
from shared.clock import Clock

ACCESS_TOKEN_MAX_S = 15 * 60
REFRESH_TOKEN_S = 12 * 3600
CODE_S = 60


@dataclass
class Grant:
    """An authorisation code or a refresh token: whose, for which client, until when."""

    client_id: str
    subject: str
    scope: str
    expires_at: float
    redirect_uri: str = ""
    nonce: str | None = None
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    auth_time: int | None = None
    revoked: bool = False

    # AuthorizationCodeMixin / TokenMixin, as authlib asks.
    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int | None:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None

    def check_client(self, client: Client) -> bool:
        return client.client_id == self.client_id

    def get_expires_in(self) -> int:
        return REFRESH_TOKEN_S

    def is_expired(self) -> bool:
        return False  # judged when looked up, on the provider's clock

    def is_revoked(self) -> bool:
        return self.revoked


@dataclass
class Provider:
    """Everything the provider knows while it runs; codes and refresh tokens live in memory."""

    issuer: str
    directory: Directory
    keys: KeyStore
    clock: Clock
    test_mode: bool = False
    roles_claim: str = "roles"
    establishments_claim: str = "establishments"
    access_token_s: int = ACCESS_TOKEN_MAX_S
    codes: dict[str, Grant] = field(default_factory=dict)
    refresh_tokens: dict[str, Grant] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def now(self) -> float:
        return self.clock.now().timestamp()

    def take(self, store: dict[str, Grant], key: str, client: Client) -> Grant | None:
        with self.lock:
            item = store.get(key)
        if (
            item is None
            or item.revoked
            or not item.check_client(client)
            or item.expires_at <= self.now()
        ):
            return None
        return item

    def identity_claims(self, client: Client, user: User | None) -> dict[str, Any]:
        if user is not None and user.people == "public":
            return {}
        if user is not None:
            return {
                self.roles_claim: list(user.roles),
                self.establishments_claim: list(user.establishments),
                "name": user.name,
                "preferred_username": user.username,
            }
        if client.claims_from_request and self.test_mode:
            # The test client: whichever caller the test asks for (test mode only).
            return {
                "sub": request.form.get("test_subject") or client.client_id,
                self.roles_claim: request.form.get("test_roles", "").split(),
                self.establishments_claim: request.form.get("test_establishments", "").split(),
            }
        return {
            self.roles_claim: list(client.roles),
            self.establishments_claim: list(client.establishments),
        }

    def audience(self, client: Client) -> str:
        """RFC 8707's `resource` names the service, among those the client may ask for."""
        wanted = request.form.get("resource") or request.args.get("resource")
        if wanted and (
            wanted in client.audiences or (client.claims_from_request and self.test_mode)
        ):
            return wanted
        return client.audiences[0] if client.audiences else client.client_id

    def access_token(self, client: Client, grant_type: str, user: User | None, scope: str) -> str:
        moment = int(self.now())
        lifetime = min(self.access_token_s, ACCESS_TOKEN_MAX_S)
        if client.claims_from_request and self.test_mode:
            # A test on a clock of its own has its tokens issued at its time, for as long as
            # it says (a too-long one is how a test proves the services refuse it).
            moment = int(float(request.form.get("test_issued_at") or moment))
            lifetime = int(request.form.get("test_lifetime_s") or lifetime)
        claims = {
            "iss": self.issuer,
            "sub": user.get_user_id() if user else client.client_id,
            "aud": self.audience(client),
            "iat": moment,
            "nbf": moment,
            "exp": moment + lifetime,
            "jti": secrets.token_urlsafe(12),
            "client_id": client.client_id,
            "scope": scope,
        }
        claims.update(self.identity_claims(client, user))
        key = self.keys.signing_key()
        return jwt.encode({"alg": key.alg, "kid": key.kid, "typ": "at+jwt"}, claims, key)

    def verify_access_token(self, token: str) -> dict[str, Any] | None:
        """The claims of a token this provider signed and that is still valid, else None."""
        from joserfc.jwk import KeySet

        try:
            decoded = jwt.decode(token, KeySet(self.keys.keys()))
        except Exception:  # noqa: BLE001 - any malformed or forged token is simply not ours
            return None
        claims = decoded.claims
        if claims.get("iss") != self.issuer or float(claims.get("exp", 0)) <= self.now():
            return None
        return claims


def build_server(app: Any, provider: Provider) -> AuthorizationServer:
    def query_client(client_id: str) -> Client | None:
        return provider.directory.client(client_id)

    def save_token(token: dict[str, Any], oauth_request: Any) -> None:
        refresh = token.get("refresh_token")
        if refresh and oauth_request.user is not None:
            with provider.lock:
                provider.refresh_tokens[refresh] = Grant(
                    client_id=oauth_request.client.client_id,
                    subject=oauth_request.user.get_user_id(),
                    scope=token.get("scope", ""),
                    expires_at=provider.now() + REFRESH_TOKEN_S,
                )

    server = AuthorizationServer(app, query_client=query_client, save_token=save_token)
    generator = BearerTokenGenerator(
        lambda client, grant_type, user, scope: provider.access_token(
            client, grant_type, user, scope
        ),
        lambda **_kwargs: secrets.token_urlsafe(32),
        lambda client, grant_type: min(provider.access_token_s, ACCESS_TOKEN_MAX_S),
    )
    server.register_token_generator("default", generator)
    server.register_grant(_code_grant(provider), [CodeChallenge(required=True), _openid(provider)])
    server.register_grant(_refresh_grant(provider))
    server.register_grant(grants.ClientCredentialsGrant)
    server.register_client_auth_method(
        KeyedClientAssertion.CLIENT_AUTH_METHOD, KeyedClientAssertion(provider)
    )
    return server


class KeyedClientAssertion(JWTBearerClientAssertion):
    """private_key_jwt (RFC 7523), as GOV.UK One Login authenticates its clients: a JWT the
    client signs with its private key, checked against the public key it registered. Each
    assertion is taken once."""

    def __init__(self, provider: Provider) -> None:
        super().__init__(validate_jti=True)
        self.provider = provider
        self.seen: set[str] = set()

    def get_audiences(self) -> list[str]:
        return [f"{self.provider.issuer}/token", self.provider.issuer]

    def validate_jti(self, claims: Any, jti: str) -> bool:
        with self.provider.lock:
            if jti in self.seen:
                return False
            self.seen.add(jti)
            return True

    def resolve_client_public_key(self, client: Client) -> str:
        return client.public_key


def _code_grant(provider: Provider) -> type:
    class CodeGrant(grants.AuthorizationCodeGrant):
        # A client with a public key may only sign (the client's own check says which).
        TOKEN_ENDPOINT_AUTH_METHODS = [
            "client_secret_basic",
            "client_secret_post",
            KeyedClientAssertion.CLIENT_AUTH_METHOD,
        ]

        def save_authorization_code(self, code: str, oauth_request: Any) -> None:
            data = oauth_request.payload.data
            with provider.lock:
                provider.codes[code] = Grant(
                    client_id=oauth_request.client.client_id,
                    subject=oauth_request.user.get_user_id(),
                    scope=oauth_request.payload.scope or "",
                    expires_at=provider.now() + CODE_S,
                    redirect_uri=oauth_request.payload.redirect_uri or "",
                    nonce=data.get("nonce"),
                    code_challenge=data.get("code_challenge"),
                    code_challenge_method=data.get("code_challenge_method"),
                    auth_time=int(provider.now()),
                )

        def query_authorization_code(self, code: str, client: Client) -> Grant | None:
            return provider.take(provider.codes, code, client)

        def delete_authorization_code(self, authorization_code: Grant) -> None:
            with provider.lock:
                for code, item in list(provider.codes.items()):
                    if item is authorization_code:
                        del provider.codes[code]

        def authenticate_user(self, authorization_code: Grant) -> User | None:
            return provider.directory.user_by_subject(authorization_code.subject)

    return CodeGrant


def _refresh_grant(provider: Provider) -> type:
    class RefreshGrant(grants.RefreshTokenGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
        INCLUDE_NEW_REFRESH_TOKEN = True

        def authenticate_refresh_token(self, refresh_token: str) -> Grant | None:
            with provider.lock:
                item = provider.refresh_tokens.get(refresh_token)
            if item is None or item.revoked or item.expires_at <= provider.now():
                return None
            return item

        def authenticate_user(self, refresh_token: Grant) -> User | None:
            # A user removed from the file gets no new tokens: their sessions end.
            return provider.directory.user_by_subject(refresh_token.subject)

        def revoke_old_credential(self, refresh_token: Grant) -> None:
            refresh_token.revoked = True

    return RefreshGrant


def _openid(provider: Provider) -> OpenIDCode:
    class OpenId(OpenIDCode):
        def resolve_client_private_key(self, client: Client) -> Any:
            return provider.keys.signing_key()

        def get_client_algorithm(self, client: Client) -> str:
            return provider.keys.signing_key().alg

        def get_encode_header(self, client: Client) -> dict[str, str]:
            key = provider.keys.signing_key()
            return {"alg": key.alg, "kid": key.kid}

        def get_client_claims(self, client: Client) -> dict[str, Any]:
            return {"iss": provider.issuer, "aud": [client.client_id]}

        def exists_nonce(self, nonce: str, oauth_request: Any) -> bool:
            with provider.lock:
                return any(item.nonce == nonce for item in provider.codes.values())

        def generate_user_info(self, user: User, scope: str) -> UserInfo:
            if user.people == "public":
                return UserInfo(sub=user.get_user_id())
            return UserInfo(
                sub=user.get_user_id(),
                name=user.name,
                preferred_username=user.username,
                **{
                    provider.roles_claim: list(user.roles),
                    provider.establishments_claim: list(user.establishments),
                },
            )

    return OpenId(require_nonce=False)
