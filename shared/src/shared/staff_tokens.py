"""Staff access tokens from the OpenID Connect provider, verified.

Services hold no signing secret for staff: they check the provider's signature (RS256/ES256)
against its published keys (JWKS, cached and fetched again when a token names a key id not
seen yet), the issuer, this service's audience, expiry and not-before on the system's one
clock, and that the token lives no longer than the provider's 15 minutes. Roles and
establishments come from claims whose names are settings; a role this system does not know is
ignored. The subject (`sub`) is the member of staff's id everywhere (audit, two-person rules).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.request import Request, urlopen

import jwt

from shared.auth import STAFF_ROLES, AuthError, StaffIdentity
from shared.clock import Clock

log = logging.getLogger(__name__)

JWKS_TTL_S = 300.0


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    audience: str
    jwks_url: str = ""  # empty: discovered from the issuer's openid-configuration
    roles_claim: str = "roles"
    establishments_claim: str = "establishments"
    algorithms: tuple[str, ...] = ("RS256", "ES256")
    max_lifetime_s: int = 15 * 60
    leeway_s: int = 30
    # A burst of tokens naming unknown keys must not become a burst of fetches at the provider.
    jwks_min_refetch_s: float = 10.0


def fetch_json(url: str, timeout_s: float = 5.0) -> Any:
    request = Request(url, headers={"Accept": "application/json"})
    with urlopen(request, timeout=timeout_s) as response:
        return json.loads(response.read())


class JwksCache:
    """The provider's public keys by key id, fetched when first needed, again after a while,
    and at once (at most every `jwks_min_refetch_s`) when a token names an unknown key: a rotation
    at the provider needs no restart here."""

    def __init__(self, settings: OidcSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._keys: dict[str, Any] = {}
        self._fetched_at = float("-inf")

    def _jwks_url(self) -> str:
        if self.settings.jwks_url:
            return self.settings.jwks_url
        issuer = self.settings.issuer.rstrip("/")
        return str(fetch_json(f"{issuer}/.well-known/openid-configuration")["jwks_uri"])

    def _refresh(self) -> None:
        keys = {}
        for entry in fetch_json(self._jwks_url()).get("keys", []):
            if entry.get("use", "sig") != "sig" or "kid" not in entry:
                continue
            try:
                keys[entry["kid"]] = jwt.PyJWK.from_dict(entry)
            except jwt.PyJWKError:
                log.warning("skipping a JWKS key that cannot be used", extra={"kid": entry["kid"]})
        self._keys = keys
        self._fetched_at = time.monotonic()

    def key(self, kid: str) -> Any:
        with self._lock:
            age = time.monotonic() - self._fetched_at
            if age > JWKS_TTL_S or (
                kid not in self._keys and age >= self.settings.jwks_min_refetch_s
            ):
                try:
                    self._refresh()
                except (OSError, ValueError, KeyError) as exc:
                    log.warning("could not fetch the identity provider's keys: %s", exc)
            found = self._keys.get(kid)
        if found is None:
            raise AuthError("invalid credentials")
        return found


class StaffTokenVerifier:
    def __init__(self, settings: OidcSettings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.jwks = JwksCache(settings)

    def verify(self, token: str) -> StaffIdentity:
        settings = self.settings
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") not in settings.algorithms or not header.get("kid"):
                raise AuthError("invalid credentials")
            key = self.jwks.key(str(header["kid"]))
            # Times are checked below on the system's clock, not PyJWT's wall clock.
            claims = jwt.decode(
                token,
                key=key,
                algorithms=list(settings.algorithms),
                audience=settings.audience,
                issuer=settings.issuer,
                options={
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                    "require": ["exp", "iat", "sub", "iss", "aud"],
                },
            )
        except jwt.PyJWTError as exc:
            raise AuthError("invalid credentials") from exc
        self._check_times(claims)
        return self.identity(claims)

    def _check_times(self, claims: dict[str, Any]) -> None:
        now, leeway = self.clock.now().timestamp(), self.settings.leeway_s
        try:
            expires, issued = float(claims["exp"]), float(claims["iat"])
            not_before = float(claims.get("nbf", issued))
        except (TypeError, ValueError) as exc:
            raise AuthError("invalid credentials") from exc
        if (
            expires <= now - leeway
            or not_before > now + leeway
            or issued > now + leeway
            or expires - issued > self.settings.max_lifetime_s
        ):
            raise AuthError("invalid credentials")

    def identity(self, claims: dict[str, Any]) -> StaffIdentity:
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject or len(subject) > 200:
            raise AuthError("invalid credentials")
        return StaffIdentity(
            staff_id=subject,
            roles=frozenset(_strings(claims.get(self.settings.roles_claim))) & STAFF_ROLES,
            establishments=frozenset(_strings(claims.get(self.settings.establishments_claim))),
        )


def _strings(value: Any) -> list[str]:
    """A claim as a list of strings: a list, or one space-separated string (as some providers
    send a single value); anything else is nothing."""
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []
