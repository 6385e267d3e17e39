"""The secrets a deployment must set, and the check that refuses to start without them.

Outside the embedded mode (the database is not SQLite, or the broker is not `filesystem://`)
every process checks each entry of `REQUIRED_SECRETS` before it touches data, and stops with one
line per bad variable when a value is missing, weaker than 32 random bytes, or one of the
defaults that appear in this repository (`KNOWN_DEFAULTS`). The embedded mode keeps its
development defaults and says once, loudly, that it is for development.

"32 bytes of entropy" cannot be measured in a string; what is checked is what a generated value
always has and a chosen one rarely does: at least 43 characters (32 bytes in url-safe base64;
64 if it is hexadecimal), a spread of characters worth at least 160 bits, and not mostly runs
like "aaaa" or "abcd". A Fernet key is 32 bytes by construction; its bytes must not repeat.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import logging
import math
import secrets
import string
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from shared.config import INSECURE_DEV_SECRET, Settings, SettingsError

log = logging.getLogger(__name__)


def _development_key(secret: str) -> str:
    # The key shared.crypto.at_rest derives from the development secret (kept in step by a test).
    return base64.urlsafe_b64encode(hashlib.sha256(f"data-key:{secret}".encode()).digest()).decode()


# Every default or example secret that has appeared in this repository: refused whatever its
# strength. tests/unit/test_startup_secrets.py scans the tracked files and fails on one missing.
KNOWN_DEFAULTS = frozenset(
    {
        INSECURE_DEV_SECRET,
        _development_key(INSECURE_DEV_SECRET),
        # docker-compose.yml's former defaults
        "compose-dev-secret-change-me",
        "compose-dev-staff-token-secret-change-me",
        "compose-dev-api-key-pepper-change-me",
        "p7aGjWLxR6th7X4FHemIBrNJrsKNgwUrPrbUvc03iII=",
        "compose-dev-db-password",
        "compose-dev-postgres-password",
        "compose-dev-broker-password",
        # the Fernet key docs/operations.md shows as an example
        "lFi5wpRiNFszCu-yc-30l7MoidP2NSgzbmEB27ywpWM=",
        # RabbitMQ's and PostgreSQL's own defaults
        "guest",
        "postgres",
        # the development identity provider's front-door clients
        "dev-console-secret-change-me",
        "dev-workbench-secret-change-me",
        "dev-portal-secret-change-me",
    }
)

PLACEHOLDER_PREFIX = "change-me"  # deploy/.env.example's values all start so


@dataclass(frozen=True)
class RequiredSecret:
    """One variable a non-embedded process refuses to start without."""

    variable: str
    read: Callable[[Settings], Sequence[str] | str | None]
    # "secret", "fernet_keys", "url_password", "secret_or_private_key" or "optional" (checked if
    # set)
    kind: str = "secret"
    service: str | None = None  # only this service's processes need it


def _password(url: str) -> str | None:
    """The password inside a URL (percent-decoded), '' if it has none, None if the URL is one
    that takes none (SQLite, the filesystem transport)."""
    if url.startswith(("sqlite", "filesystem:", "memory:")):
        return None
    try:
        password = urlsplit(url).password
    except ValueError:
        return ""
    return unquote(password) if password else ""


# The one list to edit when a secret comes or goes (each is a line).
REQUIRED_SECRETS: tuple[RequiredSecret, ...] = (
    RequiredSecret("SECRET_KEY", lambda s: s.secret_key),
    RequiredSecret("API_KEY_PEPPER", lambda s: s.api_key_pepper),
    RequiredSecret("DATA_ENCRYPTION_KEYS", lambda s: s.data_encryption_keys, "fernet_keys"),
    RequiredSecret("DATABASE_URL", lambda s: _password(s.database_url), "url_password"),
    RequiredSecret("BROKER_URL", lambda s: _password(s.broker_url), "url_password"),
    # The front doors' clients at the identity provider (their defaults are the development
    # provider's): the security console and the vetting workbench.
    RequiredSecret(
        "ACCESS_CONSOLE_OIDC_CLIENT_SECRET",
        lambda s: s.extra.get("ACCESS_CONSOLE_OIDC_CLIENT_SECRET", ""),
        service="access",
    ),
    RequiredSecret(
        "VETTING_WORKBENCH_OIDC_CLIENT_SECRET",
        lambda s: s.extra.get("VETTING_WORKBENCH_OIDC_CLIENT_SECRET", ""),
        service="vetting",
    ),
    # The coordinators' portal's: GOV.UK One Login authenticates clients by a signed JWT, so a
    # private key (APPLICATIONS_PORTAL_OIDC_PRIVATE_KEY) stands in for the secret.
    RequiredSecret(
        "APPLICATIONS_PORTAL_OIDC_CLIENT_SECRET",
        lambda s: (
            s.extra.get("APPLICATIONS_PORTAL_OIDC_CLIENT_SECRET", ""),
            s.extra.get("APPLICATIONS_PORTAL_OIDC_PRIVATE_KEY", ""),
        ),
        "secret_or_private_key",
        service="applications",
    ),
    # Optional, but when set they must be as strong as the rest.
    RequiredSecret("METRICS_TOKEN", lambda s: s.metrics_token, "optional"),
    RequiredSecret(
        "VETTING_IDENTITY_KEY",
        lambda s: s.extra.get("VETTING_IDENTITY_KEY", "").strip(),
        "optional",
        service="vetting",
    ),
)

IDENTITY_PROVIDER_SECRETS = (
    "KEYCLOAK_ADMIN_PASSWORD",
    "ACCESS_CONSOLE_OIDC_CLIENT_SECRET",
    "VETTING_WORKBENCH_OIDC_CLIENT_SECRET",
    "SUBJECT_ACCESS_CLIENT_SECRET",
)

_URL_SAFE = frozenset(string.ascii_letters + string.digits + "-_")
_HEX = frozenset(string.hexdigits.lower())


def weakness(value: str) -> str | None:
    """Why `value` cannot be a production secret, or None if it can."""
    if not value:
        return "missing"
    if value in KNOWN_DEFAULTS or value.lower().startswith(PLACEHOLDER_PREFIX):
        return "a default from the repository"
    minimum = 64 if set(value) <= _HEX else 43
    if len(value) < minimum:
        return (
            f"too short ({len(value)} characters; at least {minimum}, i.e. 32 random "
            "bytes: `python -m shared secrets` makes them)"
        )
    counts = Counter(value)
    spread = -sum(n * math.log2(n / len(value)) for n in counts.values())
    runs = sum(abs(ord(a) - ord(b)) <= 1 for a, b in itertools.pairwise(value)) / (len(value) - 1)
    if spread < 160 or runs > 0.6:
        return "repetitive: not 32 random bytes"
    return None


def fernet_weakness(key: str) -> str | None:
    if key in KNOWN_DEFAULTS:
        return "a default from the repository"
    try:
        raw = base64.urlsafe_b64decode(key.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeError):
        raw = b""
    if len(raw) != 32:
        return "not a Fernet key (32 url-safe base64 bytes)"
    if len(set(raw)) < 16:
        return "repetitive: not 32 random bytes"
    return None


def private_key_weakness(pem: str) -> str | None:
    """Why `pem` cannot sign a client's JWT (an RSA key of at least 2048 bits), or None."""
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError):
        return "not a PEM private key without a passphrase"
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < 2048:
        return "not an RSA key of at least 2048 bits"
    return None


def problems(settings: Settings) -> list[str]:
    """One line per bad variable (none in the embedded mode)."""
    if is_embedded(settings):
        return []
    found = []
    for entry in REQUIRED_SECRETS:
        if entry.service not in (None, settings.service):
            continue
        value = entry.read(settings)
        if entry.kind == "fernet_keys":
            keys = [k for k in (value or ()) if k]
            issues = (
                [
                    f"key {n}: {why}"
                    for n, key in enumerate(keys, 1)
                    if (why := fernet_weakness(key))
                ]
                if keys
                else ["missing"]
            )
            why = "; ".join(issues) or None
        elif entry.kind == "url_password":
            if not isinstance(value, str):
                continue  # SQLite or the filesystem transport: no password to have
            why = weakness(value)
            why = f"password {why}" if why else None
        elif entry.kind == "secret_or_private_key":
            secret, private_key = value if isinstance(value, tuple) else ("", "")
            why = private_key_weakness(private_key) if private_key else weakness(secret)
        elif entry.kind == "optional":
            why = weakness(value) if isinstance(value, str) and value else None
        else:
            why = weakness(value if isinstance(value, str) else "")
        if why:
            found.append(f"{entry.variable}: {why}")
    return found


def is_embedded(settings: Settings) -> bool:
    return settings.is_sqlite and settings.is_embedded_broker


def require_production_secrets(settings: Settings) -> None:
    """Raise SettingsError naming every bad secret; in the embedded mode, warn (once)."""
    found = problems(settings)
    if found:
        raise SettingsError(
            f"{settings.service}: refusing to start outside the embedded mode (SQLite and "
            "filesystem://) without production secrets:\n" + "\n".join(found)
        )
    if is_embedded(settings):
        warn_embedded(settings.service)


_warned = False


def warn_embedded(service: str) -> None:
    global _warned
    if not _warned:
        _warned = True
        log.warning(
            "EMBEDDED MODE IS FOR DEVELOPMENT ONLY: SQLite, the filesystem broker and "
            "public development secrets; never put real people's data here",
            extra={"service": service},
        )


def generate_secret() -> str:
    """32 random bytes, url-safe base64 (43 characters), never starting with "-" (which a
    command line such as rabbitmqctl would read as an option)."""
    while (value := secrets.token_urlsafe(32)).startswith("-"):
        pass
    return value


def generate_fernet_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


def env_file_values(services: Sequence[str]) -> dict[str, str]:
    """A fresh value for every secret docker-compose.yml asks of `.env`: each entry of
    REQUIRED_SECRETS but the URLs, PostgreSQL's superuser and two roles per service, and
    RabbitMQ's administrator and one user per service (the URLs are built from these)."""
    values: dict[str, str] = {}
    for entry in REQUIRED_SECRETS:
        if entry.kind in ("secret", "secret_or_private_key"):
            values[entry.variable] = generate_secret()
        elif entry.kind == "fernet_keys":
            values[entry.variable] = generate_fernet_key()
    values["POSTGRES_PASSWORD"] = generate_secret()
    for service in services:  # the database's owner (migrations) and the runtime role
        values[f"DATABASE_PASSWORD_{service.upper()}"] = generate_secret()
        values[f"DATABASE_PASSWORD_{service.upper()}_APP"] = generate_secret()
    values["RABBITMQ_ADMIN_PASSWORD"] = generate_secret()
    values.update({f"BROKER_PASSWORD_{service.upper()}": generate_secret() for service in services})
    # Compose's identity provider (Keycloak): its administrator, and the secrets of the
    # console's and the subject access bundle's clients there.
    values.update({name: generate_secret() for name in IDENTITY_PROVIDER_SECRETS})
    return values
