"""The development identity provider (tools/devidp) as the tests use it: a real process, one
per test process, started on first use, like the SMTP sink.

Its users and clients are files the tests may change while it runs (it re-reads them): a user
removed from the file can no longer refresh or call userinfo. In test mode its `test-minter`
client may name the claims of the token it asks for (subject, roles, establishments, audience,
issue time, lifetime), which is how most tests get a staff token in one HTTP call.
"""

from __future__ import annotations

import atexit
import ctypes
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
import requests.adapters

from tests.support.deployment_secrets import SECRETS
from tests.support.network import free_port

TEST_PASSWORD = "test-password-only"
MINTER, MINTER_SECRET = "test-minter", "test-minter-secret"
# The security console's client (authorisation code + PKCE); a test serving the console at
# another address allows its callback with `allow_console_at`.
CONSOLE_CLIENT, CONSOLE_SECRET = "access-console-test", SECRETS["ACCESS_CONSOLE_OIDC_CLIENT_SECRET"]
IN_PROCESS_CALLBACK = "http://localhost/console/auth/callback"  # Flask's test client
# The vetting workbench's, likewise (`allow_workbench_at`).
WORKBENCH_CLIENT = "vetting-workbench-test"
WORKBENCH_SECRET = SECRETS["VETTING_WORKBENCH_OIDC_CLIENT_SECRET"]
WORKBENCH_IN_PROCESS_CALLBACK = "http://localhost/workbench/auth/callback"
# The coordinators' portal's: members of the public, as GOV.UK One Login has them
# (`allow_portal_at`; its users come from `add_public_user`; no staff user signs in there).
PORTAL_CLIENT = "applications-portal-test"
PORTAL_SECRET = SECRETS["APPLICATIONS_PORTAL_OIDC_CLIENT_SECRET"]
PORTAL_IN_PROCESS_CALLBACK = "http://localhost/portal/auth/callback"


class DevIdentityProvider:
    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.directory = directory
        self.port = port or free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.users_file = directory / "users.json"
        self.clients_file = directory / "clients.json"
        self.log_file = directory / "devidp.log"
        self.process: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._minted: dict[tuple[Any, ...], str] = {}
        self._http = requests.Session()
        directory.mkdir(parents=True, exist_ok=True)
        self._write(self.users_file, {"users": {}})
        self._write(
            self.clients_file,
            {
                "clients": {
                    MINTER: {
                        "secret": MINTER_SECRET,
                        "grant_types": ["client_credentials"],
                        "claims_from_request": True,
                    },
                    CONSOLE_CLIENT: {
                        "secret": CONSOLE_SECRET,
                        "audiences": ["access"],
                        "grant_types": ["authorization_code", "refresh_token"],
                        "redirect_uris": [IN_PROCESS_CALLBACK],
                    },
                    WORKBENCH_CLIENT: {
                        "secret": WORKBENCH_SECRET,
                        "audiences": ["vetting"],
                        "grant_types": ["authorization_code", "refresh_token"],
                        "redirect_uris": [WORKBENCH_IN_PROCESS_CALLBACK],
                    },
                    PORTAL_CLIENT: {
                        "secret": PORTAL_SECRET,
                        "audiences": ["applications"],
                        "grant_types": ["authorization_code"],
                        "redirect_uris": [PORTAL_IN_PROCESS_CALLBACK],
                        "scope": "openid email",
                        "people": "public",
                    },
                }
            },
        )

    @staticmethod
    def _write(path: Path, data: dict[str, Any]) -> None:
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data))
        os.replace(temporary, path)
        # The provider notices a change by the file's mtime: make sure it moves.
        stamp = time.time_ns()
        os.utime(path, ns=(stamp, stamp))

    # The process -------------------------------------------------------------------------

    def ensure_started(self) -> DevIdentityProvider:
        with self._lock:
            if self.process is None or self.process.poll() is not None:
                self._start()
        return self

    def _start(self) -> None:
        log = open(self.log_file, "ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "devidp",
                "serve",
                "--port",
                str(self.port),
                "--var-dir",
                str(self.directory / "keys"),
                "--users",
                str(self.users_file),
                "--clients",
                str(self.clients_file),
                "--test-mode",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
        atexit.register(self.stop)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.issuer}/jwks", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError(f"devidp did not start: {self.log_file.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    # Tokens --------------------------------------------------------------------------------

    def mint(
        self,
        audience: str,
        subject: str,
        roles: Iterable[str] = (),
        establishments: Iterable[str] = (),
        *,
        at: datetime | None = None,
        lifetime_s: int | None = None,
    ) -> str:
        """An access token for `audience` (a service), issued at `at` (default: now on the
        provider's clock, which is the run's)."""
        issued = int(at.timestamp()) if at is not None else None
        key = (
            audience,
            subject,
            tuple(sorted(roles)),
            tuple(sorted(establishments)),
            issued // 60 if issued is not None else None,
            lifetime_s,
        )
        with self._lock:
            cached = self._minted.get(key)
        if cached is not None and issued is not None:
            return cached
        self.ensure_started()
        form = {
            "grant_type": "client_credentials",
            "resource": audience,
            "test_subject": subject,
            "test_roles": " ".join(key[2]),
            "test_establishments": " ".join(key[3]),
        }
        if issued is not None:
            form["test_issued_at"] = str(issued)
        if lifetime_s is not None:
            form["test_lifetime_s"] = str(lifetime_s)
        response = self._http.post(
            f"{self.issuer}/token", data=form, timeout=10, auth=(MINTER, MINTER_SECRET)
        )
        response.raise_for_status()
        token = response.json()["access_token"]
        if issued is not None:
            with self._lock:
                self._minted[key] = token
        return token

    def client_credentials(self, client_id: str, secret: str, audience: str) -> str:
        self.ensure_started()
        response = self._http.post(
            f"{self.issuer}/token",
            timeout=10,
            auth=(client_id, secret),
            data={"grant_type": "client_credentials", "resource": audience},
        )
        response.raise_for_status()
        return response.json()["access_token"]

    def rotate_keys(self, alg: str = "RS256") -> str:
        self.ensure_started()
        response = self._http.post(f"{self.issuer}/test/rotate-keys", data={"alg": alg}, timeout=30)
        response.raise_for_status()
        return response.json()["kid"]

    # Who exists ----------------------------------------------------------------------------

    def add_user(
        self,
        username: str,
        name: str,
        roles: Iterable[str],
        establishments: Iterable[str] = (),
        password: str = TEST_PASSWORD,
    ) -> None:
        with self._lock:
            data = json.loads(self.users_file.read_text())
            data["users"][username] = {
                "name": name,
                "password": password,
                "roles": list(roles),
                "establishments": list(establishments),
            }
            self._write(self.users_file, data)

    def add_public_user(
        self, username: str, email: str, subject: str | None = None, password: str = TEST_PASSWORD
    ) -> None:
        """A member of the public (the portal's users): who they are and their email address."""
        with self._lock:
            data = json.loads(self.users_file.read_text())
            data["users"][username] = {
                "name": username,
                "password": password,
                "people": "public",
                "email": email,
                "sub": subject or f"public-{username}",
            }
            self._write(self.users_file, data)

    def remove_user(self, username: str) -> None:
        with self._lock:
            data = json.loads(self.users_file.read_text())
            data["users"].pop(username, None)
            self._write(self.users_file, data)

    def allow_console_at(self, base_url: str) -> None:
        """Let the console client come back to a console served at `base_url`."""
        self.allow_callback(CONSOLE_CLIENT, f"{base_url}/console/auth/callback")

    def allow_workbench_at(self, base_url: str) -> None:
        """Let the workbench client come back to a workbench served at `base_url`."""
        self.allow_callback(WORKBENCH_CLIENT, f"{base_url}/workbench/auth/callback")

    def allow_portal_at(self, base_url: str) -> None:
        """Let the portal client come back to a portal served at `base_url`."""
        self.allow_callback(PORTAL_CLIENT, f"{base_url}/portal/auth/callback")

    def allow_callback(self, client_id: str, uri: str) -> None:
        with self._lock:
            data = json.loads(self.clients_file.read_text())
            data["clients"][client_id]["redirect_uris"].append(uri)
            self._write(self.clients_file, data)

    def add_client(self, client_id: str, **entry: Any) -> None:
        with self._lock:
            data = json.loads(self.clients_file.read_text())
            data["clients"][client_id] = entry
            self._write(self.clients_file, data)


def _die_with_parent() -> None:
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


# One provider per test process (each xdist worker has its own), started when first asked for
# a token. tests/conftest.py points every service this process builds or starts at it.
PROVIDER = DevIdentityProvider(Path(tempfile.mkdtemp(prefix="devidp-")))
atexit.register(shutil.rmtree, PROVIDER.directory, True)
TEST_OIDC_ENV = {
    "OIDC_ISSUER": PROVIDER.issuer,
    # A rotation at the provider is seen at the very next token naming the new key.
    "OIDC_JWKS_MIN_REFETCH_S": "0",
}
# The access service's console, as the tests run it: its client at the test provider, and the
# provider asked on every request (a removed user is out at the next click).
CONSOLE_ENV = {
    "ACCESS_CONSOLE_OIDC_CLIENT_ID": CONSOLE_CLIENT,
    "ACCESS_CONSOLE_OIDC_CLIENT_SECRET": CONSOLE_SECRET,
    "ACCESS_CONSOLE_SESSION_CHECK_S": "0",
}
# The vetting workbench, likewise.
WORKBENCH_ENV = {
    "VETTING_WORKBENCH_OIDC_CLIENT_ID": WORKBENCH_CLIENT,
    "VETTING_WORKBENCH_OIDC_CLIENT_SECRET": WORKBENCH_SECRET,
    "VETTING_WORKBENCH_SESSION_CHECK_S": "0",
}

# The coordinators' portal, likewise.
PORTAL_ENV = {
    "APPLICATIONS_PORTAL_OIDC_CLIENT_ID": PORTAL_CLIENT,
    "APPLICATIONS_PORTAL_OIDC_CLIENT_SECRET": PORTAL_SECRET,
}


def mint(
    audience: str,
    subject: str,
    roles: Iterable[str] = (),
    establishments: Iterable[str] = (),
    **kwargs: Any,
) -> str:
    return PROVIDER.mint(audience, subject, roles, establishments, **kwargs)


class TestTokens:
    """Staff tokens for one service (the audience), issued at a clock's time: what the
    in-process harnesses hand their apps."""

    __test__ = False  # not a pytest test class

    def __init__(self, audience: str, clock: Any = None) -> None:
        self.audience = audience
        self.clock = clock

    def issue(self, identity: Any) -> str:
        from shared.clock import process_clock

        at = (self.clock or process_clock()).now()
        return mint(
            self.audience, identity.staff_id, identity.roles, identity.establishments, at=at
        )


def sign_in(
    client: Any,
    username: str,
    password: str = TEST_PASSWORD,
    start: str = "/console/login/start",
    http: requests.Session | None = None,
) -> Any:
    """The console's sign-in as a browser makes it, for Flask's test client: the console sends
    it to the provider, the provider's sign-in form is filled in over real HTTP, and the
    provider's redirect comes back to the console. The console's last answer, or the
    provider's when it did not send the browser back (a wrong password: 401; too many: 429)."""
    PROVIDER.ensure_started()
    to_provider = client.get(start)
    assert to_provider.status_code == 302, to_provider.text
    authorize = to_provider.headers["Location"]
    http = http or requests.Session()
    assert http.get(authorize, timeout=10).status_code == 200
    answer = http.post(
        authorize,
        data={"username": username, "password": password},
        allow_redirects=False,
        timeout=10,
    )
    if answer.status_code != 302:
        return answer
    back = urlsplit(answer.headers["Location"])
    return client.get(f"{back.path}?{back.query}")


class _FromAddress(requests.adapters.HTTPAdapter):
    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def from_address(address: str | None = None) -> requests.Session:
    """HTTP from another loopback address (the whole of 127/8 is this machine): what the
    provider's per-address limits see, without trusting any header. Default: a random one, so
    a test's wrong passwords never count against another's."""
    address = (
        address
        or f"127.{secrets.randbelow(250) + 1}.{secrets.randbelow(250) + 1}."
        f"{secrets.randbelow(250) + 2}"
    )
    session = requests.Session()
    adapter = _FromAddress(address)
    session.mount("http://", adapter)
    return session
