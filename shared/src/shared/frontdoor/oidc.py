"""A front door's client of the identity provider (authlib's Flask client): sign-in with the
authorisation code flow and PKCE, and afterwards the questions the door asks it now and then
— does the session still stand (userinfo), fresh tokens (refresh), forget this one (revoke).

Staff are read from the access token exactly as the APIs read them (roles, establishments).
Members of the public (GOV.UK One Login in production) are their ID token's subject and their
verified email address from userinfo: no roles travel with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.flask_client import OAuth
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from flask import Flask, Response

from shared.auth import AuthError, StaffIdentity
from shared.clock import Clock
from shared.frontdoor.sessions import ProviderTokens
from shared.staff_tokens import StaffTokenVerifier

TIMEOUT_S = 5.0


class SignInFailed(Exception):
    """The provider's answer could not be used (an error, a forged or replayed callback)."""


class SessionWithdrawn(Exception):
    """The provider no longer stands behind the session: signed out there, the account removed,
    the refresh token refused, or it cannot be asked."""


@dataclass(frozen=True)
class OidcClient:
    client_id: str
    client_secret: str
    metadata_url: str
    # A PEM private key: the client signs a JWT to authenticate (private_key_jwt, as GOV.UK One
    # Login requires) instead of sending the secret.
    private_key: str = ""


class IdentityProvider:
    def __init__(
        self,
        app: Flask,
        client: OidcClient,
        verifier: StaffTokenVerifier,
        clock: Clock,
        people: str = "staff",
    ) -> None:
        self.verifier = verifier
        self.clock = clock
        self.public = people == "public"
        self.oauth = OAuth(app)
        signed = bool(client.private_key)
        self.remote = self.oauth.register(
            "provider",
            client_id=client.client_id,
            client_secret=client.private_key if signed else client.client_secret,
            server_metadata_url=client.metadata_url,
            client_auth_methods=[PrivateKeyJWT(alg="RS256")] if signed else None,
            client_kwargs={
                "scope": "openid email" if self.public else "openid profile",
                "code_challenge_method": "S256",
                "timeout": TIMEOUT_S,
                **({"token_endpoint_auth_method": "private_key_jwt"} if signed else {}),
            },
        )
        self.client = client

    def _metadata(self) -> dict[str, Any]:
        return self.remote.load_server_metadata()

    def begin(self, redirect_uri: str) -> Response:
        """To the provider's sign-in page (state, nonce and the PKCE verifier are kept in the
        pre-sign-in cookie by authlib)."""
        return self.remote.authorize_redirect(redirect_uri)

    def finish(self) -> tuple[StaffIdentity, str, ProviderTokens]:
        """The provider sent the browser back: exchange the code, check the ID token, and read
        who this is from the access token exactly as the API would."""
        try:
            token = self.remote.authorize_access_token()
            if self.public:
                identity, name = self._member_of_public(token)
            else:
                identity = self.verifier.verify(token["access_token"])
                claims = token.get("userinfo") or {}
                name = claims.get("name") or claims.get("preferred_username") or identity.staff_id
        except (OAuthError, AuthError, KeyError, ValueError, requests.RequestException) as exc:
            raise SignInFailed(str(exc)) from exc
        return identity, str(name), self._tokens(token)

    def _member_of_public(self, token: dict[str, Any]) -> tuple[StaffIdentity, str]:
        """The ID token's subject (authlib has checked its signature, issuer, audience and
        nonce) and the email address userinfo vouches for: no roles, no establishments."""
        subject = (token.get("userinfo") or {}).get("sub")
        info = self.remote.userinfo(token=token)
        email = str(info.get("email") or "").strip().lower()
        if not isinstance(subject, str) or not subject or info.get("sub") != subject:
            raise SignInFailed("the ID token and userinfo name different people")
        if not email or info.get("email_verified") is False:
            raise SignInFailed("no verified email address")
        return StaffIdentity(staff_id=subject), email

    def _tokens(self, token: dict[str, Any], previous_refresh: str | None = None) -> ProviderTokens:
        lifetime = int(token.get("expires_in") or 300)
        return ProviderTokens(
            str(token["access_token"]),
            token.get("refresh_token") or previous_refresh,
            self.clock.now() + timedelta(seconds=lifetime),
        )

    def recheck(
        self, access_token: str, refresh_token: str | None, expires_at: datetime
    ) -> tuple[StaffIdentity | None, ProviderTokens | None]:
        """Whether the session still stands: the access token, while it lives, must still
        open userinfo (a removed account's does not); once it has expired, or userinfo
        refuses it, the refresh token must get new ones. New tokens bring new claims."""
        if expires_at > self.clock.now() + timedelta(seconds=30) and self._userinfo_ok(
            access_token
        ):
            return None, None
        if not refresh_token:
            raise SessionWithdrawn("no refresh token")
        tokens = self._refresh(refresh_token)
        try:
            return self.verifier.verify(tokens.access_token), tokens
        except AuthError as exc:
            raise SessionWithdrawn("refreshed token not accepted") from exc

    def _userinfo_ok(self, access_token: str) -> bool:
        try:
            answer = requests.get(
                self._metadata()["userinfo_endpoint"],
                timeout=TIMEOUT_S,
                headers={"Authorization": f"Bearer {access_token}"},
            )
        except (requests.RequestException, KeyError) as exc:
            raise SessionWithdrawn(f"provider not reachable: {exc}") from exc
        return answer.status_code == 200

    def _refresh(self, refresh_token: str) -> ProviderTokens:
        try:
            answer = requests.post(
                self._metadata()["token_endpoint"],
                timeout=TIMEOUT_S,
                auth=(self.client.client_id, self.client.client_secret),
                data={"grant_type": "refresh_token", "refresh_token": refresh_token},
            )
        except (requests.RequestException, KeyError) as exc:
            raise SessionWithdrawn(f"provider not reachable: {exc}") from exc
        if answer.status_code != 200:
            raise SessionWithdrawn(f"refresh refused ({answer.status_code})")
        return self._tokens(answer.json(), refresh_token)

    def sign_out_url(self, return_to: str) -> str | None:
        """The provider's own sign-out (OpenID Connect RP-initiated logout), where it has one:
        without it a provider that keeps its own sign-in (Keycloak, Entra ID) lets the next
        person at a shared gate terminal straight back in."""
        endpoint = self._metadata().get("end_session_endpoint")
        if not endpoint:
            return None
        query = urlencode(
            {"client_id": self.client.client_id, "post_logout_redirect_uri": return_to}
        )
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"

    def revoke(self, refresh_token: str | None) -> None:
        """Best effort at sign-out: the session row is gone already, which is what counts."""
        endpoint = self._metadata().get("revocation_endpoint") if refresh_token else None
        if endpoint:
            try:
                requests.post(
                    endpoint,
                    timeout=TIMEOUT_S,
                    auth=(self.client.client_id, self.client.client_secret),
                    data={"token": refresh_token, "token_type_hint": "refresh_token"},
                )
            except requests.RequestException:
                pass
