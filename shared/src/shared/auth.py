"""Auth building blocks: organisation API keys and staff identities.

API keys look like `maak_<key id>_<secret>`. Only a keyed hash of the secret is stored, so a
database leak does not leak usable keys; the key id lets us find the row without scanning. The
secret has 256 bits of entropy, so a fast keyed hash (HMAC-SHA256 with a server-side pepper) is
the right tool; slow password hashes are for low-entropy human passwords (staff logins).

Staff tokens are signed and time-limited (itsdangerous): they carry the staff id, roles and
establishment scopes. Every service verifies them with the shared signing secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from shared.clock import Clock, process_clock

API_KEY_PREFIX = "maak"


class AuthError(Exception):
    """Credentials missing, malformed, wrong, expired or revoked. Says nothing more on purpose."""


@dataclass(frozen=True)
class NewApiKey:
    key_id: str
    plaintext: str  # shown once to the operator, never stored
    secret_hash: str


def generate_api_key(pepper: str) -> NewApiKey:
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    return NewApiKey(key_id, f"{API_KEY_PREFIX}_{key_id}_{secret}", hash_secret(secret, pepper))


def hash_secret(secret: str, pepper: str) -> str:
    return hmac.new(pepper.encode(), secret.encode(), hashlib.sha256).hexdigest()


def parse_api_key(plaintext: str) -> tuple[str, str]:
    """Split a presented key into (key id, secret); AuthError if it is not shaped like one."""
    parts = plaintext.split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX or not parts[1] or not parts[2]:
        raise AuthError("invalid credentials")
    return parts[1], parts[2]


def secret_matches(secret: str, stored_hash: str, pepper: str) -> bool:
    return hmac.compare_digest(hash_secret(secret, pepper), stored_hash)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def password_matches(stored_hash: str, password: str) -> bool:
    return check_password_hash(stored_hash, password)


@dataclass(frozen=True)
class StaffIdentity:
    staff_id: str
    roles: frozenset[str] = field(default_factory=frozenset)
    establishments: frozenset[str] = field(default_factory=frozenset)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def covers(self, establishment_code: str) -> bool:
        return establishment_code in self.establishments


class StaffTokens:
    def __init__(self, secret: str, max_age_s: int, clock: Clock | None = None) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="staff-token-v1",
                                                  signer=_signer_on(clock or process_clock()))
        self.max_age_s = max_age_s

    def issue(self, identity: StaffIdentity) -> str:
        return self._serializer.dumps({
            "sub": identity.staff_id,
            "roles": sorted(identity.roles),
            "est": sorted(identity.establishments),
        })

    def verify(self, token: str) -> StaffIdentity:
        try:
            claims = self._serializer.loads(token, max_age=self.max_age_s)
        except (SignatureExpired, BadSignature) as exc:
            raise AuthError("invalid credentials") from exc
        try:
            return StaffIdentity(
                staff_id=str(claims["sub"]),
                roles=frozenset(claims["roles"]),
                establishments=frozenset(claims["est"]),
            )
        except (KeyError, TypeError) as exc:
            raise AuthError("invalid credentials") from exc


def _signer_on(clock: Clock) -> type[TimestampSigner]:
    """itsdangerous's timestamp signer, telling the time by `clock` (issue and expiry alike)."""

    class ClockSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(clock.now().timestamp())

    return ClockSigner
