"""Production-strength secrets for everything a test (or a benchmark) starts on PostgreSQL or
RabbitMQ: those processes refuse the development defaults (shared.startup_secrets).

One fresh set per test process (a pytest session, an xdist worker, a benchmark run), generated
at import.

- PostgreSQL: the shared server trusts loopback connections and ignores the password, so a
  URL without one is given the session's (the check wants one, a real server needs one).
- RabbitMQ: a URL whose password is weak (the shared server's guest/guest) is exchanged for a
  user of this process with a generated password, made with `rabbitmqctl` on the node the
  URL names and deleted when the process ends.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import threading
import uuid
from urllib.parse import quote, urlsplit, urlunsplit

from shared.config import Settings
from shared.startup_secrets import generate_fernet_key, generate_secret, weakness

SECRETS: dict[str, str] = {
    "SECRET_KEY": generate_secret(),
    "API_KEY_PEPPER": generate_secret(),
    "DATA_ENCRYPTION_KEYS": generate_fernet_key(),
    # The access console's client at the test identity provider (tests/support/identity.py).
    "ACCESS_CONSOLE_OIDC_CLIENT_SECRET": generate_secret(),
    # The vetting workbench's, likewise.
    "VETTING_WORKBENCH_OIDC_CLIENT_SECRET": generate_secret(),
    # The coordinators' portal's (One Login in production; the test provider here).
    "APPLICATIONS_PORTAL_OIDC_CLIENT_SECRET": generate_secret(),
}
DATABASE_PASSWORD = generate_secret()


def with_password(url: str, password: str) -> str:
    """`url` with `password` for its user, unless it carries one already."""
    parts = urlsplit(url)
    if parts.password or not parts.username:
        return url
    netloc = f"{parts.username}:{quote(password, safe='')}@{parts.hostname}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


def database_url(url: str) -> str:
    return with_password(url, DATABASE_PASSWORD)


_users: dict[str, str] = {}
_lock = threading.Lock()


def broker_url(url: str, *, rabbitmqctl: tuple[str, ...] = ("rabbitmqctl",)) -> str:
    """`url` if its password is strong, else the same server and vhost as a user of this
    process with a generated password (made once; `rabbitmqctl` reaches the node)."""
    parts = urlsplit(url)
    if parts.password and weakness(parts.password) is None:
        return url
    with _lock:
        key = f"{' '.join(rabbitmqctl)}|{parts.hostname}:{parts.port}{parts.path}"
        if key not in _users:
            user, password = f"test-{os.getpid()}-{uuid.uuid4().hex[:8]}", generate_secret()
            vhost = parts.path[1:] or "/"
            _ctl(rabbitmqctl, "add_user", user, password)
            atexit.register(_ctl, rabbitmqctl, "delete_user", user, check=False)
            _ctl(rabbitmqctl, "set_permissions", "-p", vhost, user, ".*", ".*", ".*")
            netloc = f"{user}:{password}@{parts.hostname}" + (
                f":{parts.port}" if parts.port else ""
            )
            _users[key] = urlunsplit(parts._replace(netloc=netloc))
        return _users[key]


def broker_user(url: str) -> str:
    return urlsplit(url).username or ""


def grant_vhost(url: str, vhost: str, rabbitmqctl: tuple[str, ...] = ("rabbitmqctl",)) -> None:
    """Let the user of `url` (one of ours) use another vhost too."""
    _ctl(rabbitmqctl, "set_permissions", "-p", vhost, broker_user(url), ".*", ".*", ".*")


def _ctl(rabbitmqctl: tuple[str, ...], *args: str, check: bool = True) -> None:
    if not shutil.which(rabbitmqctl[0]):
        raise RuntimeError(
            f"{rabbitmqctl[0]} not found: give TEST_AMQP_URL a user whose "
            "password is 32 random bytes (url-safe base64)"
        )
    result = subprocess.run(
        [*rabbitmqctl, "-q", *args], capture_output=True, text=True, timeout=120
    )
    if check and result.returncode != 0:
        raise RuntimeError(f"rabbitmqctl {args[0]}: {(result.stderr or result.stdout)[-500:]}")


def service_env() -> dict[str, str]:
    """The secrets every service process of this test process gets."""
    return dict(SECRETS)


def secrets_of(settings: Settings) -> dict[str, str]:
    """The secret variables a process needs to join the one `settings` describe."""
    env = {"SECRET_KEY": settings.secret_key, "API_KEY_PEPPER": settings.api_key_pepper}
    if settings.data_encryption_keys:
        env["DATA_ENCRYPTION_KEYS"] = ",".join(settings.data_encryption_keys)
    return env


# What every process a test starts outside the embedded mode gets: the session's secrets, and
# the simulated check providers asked for explicitly (as a demonstration deployment would).
DEPLOYMENT_ENV: dict[str, str] = {**SECRETS, "VETTING_ALLOW_SIMULATED": "1"}
