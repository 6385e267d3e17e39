"""Auth building blocks: organisation API keys and staff identities.

API keys look like `maak_<key id>_<secret>`. Only a keyed hash of the secret is stored, so a
database leak does not leak usable keys; the key id lets us find the row without scanning. The
secret has 256 bits of entropy, so a fast keyed hash (HMAC-SHA256 with a server-side pepper) is
the right tool (slow password hashes are for low-entropy human passwords, which staff type only
at the identity provider).

Staff are identified by the OpenID Connect provider's access tokens (shared.staff_tokens):
the subject, roles and establishment scopes become a `StaffIdentity`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

API_KEY_PREFIX = "maak"

# Every staff role this system gives powers to; a token's other roles are ignored.
STAFF_ROLES = frozenset(
    {
        "vetting_officer",
        "vetting_manager",
        "security_officer",
        "head_of_security",
        "operator",
        "auditor",
        "data_protection_officer",
        # An establishment's governor: asks vetting to reconsider a refusal concerning it.
        "governor",
    }
)


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


@dataclass(frozen=True)
class StaffIdentity:
    staff_id: str
    roles: frozenset[str] = field(default_factory=frozenset)
    establishments: frozenset[str] = field(default_factory=frozenset)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def covers(self, establishment_code: str) -> bool:
        return establishment_code in self.establishments
