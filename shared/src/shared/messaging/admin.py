"""RabbitMQ administration: virtual hosts, users and their permissions, as one definitions
document (RabbitMQ's own import format) applied in one call.

Two ways in, named by BROKER_ADMIN_URL:
- `http://user:password@host:15672` (or https): the management plugin's HTTP API
  (`POST /api/definitions`), which the `rabbitmq:*-management` images serve (compose);
- `rabbitmqctl:` or `rabbitmqctl:rabbit@host`: the broker's own CLI on this machine
  (`rabbitmqctl import_definitions`, for a broker without the management plugin; the node's
  Erlang cookie must be readable).
An import creates what is missing and overwrites what is there: running it again is harmless.
Passwords travel only as salted hashes, never in clear on a command line.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import ssl
import subprocess
from typing import Any, Protocol
from urllib.error import HTTPError
from urllib.parse import quote, urlsplit
from urllib.request import Request, urlopen


class BrokerAdminError(RuntimeError):
    """The broker refused or could not be reached for an administrative call."""


class BrokerAdmin(Protocol):
    def apply(self, definitions: dict[str, Any]) -> None: ...
    def delete_user(self, name: str) -> None: ...
    def delete_vhost(self, vhost: str) -> None: ...


def password_hash(password: str) -> str:
    """RabbitMQ's stored form (rabbit_password_hashing_sha256): base64(salt + sha256(salt +
    password)) with a 4-byte random salt."""
    salt = os.urandom(4)
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def user_definition(name: str, password: str) -> dict[str, Any]:
    return {
        "name": name,
        "password_hash": password_hash(password),
        "hashing_algorithm": "rabbit_password_hashing_sha256",
        "tags": [],
    }


def admin_from_url(url: str, *, ca_file: str | None = None) -> BrokerAdmin:
    if url.startswith("rabbitmqctl:"):
        return Rabbitmqctl(url.removeprefix("rabbitmqctl:").strip("/") or None)
    if url.startswith(("http://", "https://")):
        return ManagementApi(url, ca_file=ca_file)
    raise BrokerAdminError(
        "BROKER_ADMIN_URL: expected http(s)://user:password@host:15672 "
        "(the management API) or rabbitmqctl:[node] (the local CLI)"
    )


class ManagementApi:
    def __init__(self, url: str, *, ca_file: str | None = None) -> None:
        parts = urlsplit(url)
        if not parts.username:
            raise BrokerAdminError("BROKER_ADMIN_URL names no user (http://user:password@…)")
        self.base = f"{parts.scheme}://{parts.hostname}:{parts.port or 15672}/api"
        credentials = f"{parts.username}:{parts.password or ''}".encode()
        self.auth = "Basic " + base64.b64encode(credentials).decode()
        self.context = (
            ssl.create_default_context(cafile=ca_file) if parts.scheme == "https" else None
        )

    def _call(
        self, method: str, path: str, body: dict[str, Any] | None = None, missing_ok: bool = False
    ) -> None:
        request = Request(
            self.base + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": self.auth, "Content-Type": "application/json"},
        )
        try:
            with urlopen(request, timeout=30, context=self.context):
                pass
        except HTTPError as exc:
            if missing_ok and exc.code == 404:
                return
            # The API's reason, never the request (it may carry a password).
            raise BrokerAdminError(
                f"{method} {path.split('/')[1]}: HTTP {exc.code} "
                f"{exc.read()[:300].decode(errors='replace')}"
            ) from None
        except OSError as exc:
            raise BrokerAdminError(f"management API at {self.base}: {exc}") from None

    def apply(self, definitions: dict[str, Any]) -> None:
        self._call("POST", "/definitions", definitions)

    def delete_user(self, name: str) -> None:
        self._call("DELETE", f"/users/{quote(name, safe='')}", missing_ok=True)

    def delete_vhost(self, vhost: str) -> None:
        self._call("DELETE", f"/vhosts/{quote(vhost, safe='')}", missing_ok=True)


class Rabbitmqctl:
    def __init__(self, node: str | None = None, program: str = "rabbitmqctl") -> None:
        self.prefix = [program, "-q", *(["-n", node] if node else [])]

    def _run(self, *args: str, stdin: str | None = None) -> str:
        try:
            result = subprocess.run(
                [*self.prefix, *args], input=stdin, capture_output=True, text=True, timeout=120
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise BrokerAdminError(f"rabbitmqctl {args[0]}: {exc}") from None
        if result.returncode != 0:
            raise BrokerAdminError(
                f"rabbitmqctl {args[0]}: exit {result.returncode}: "
                f"{(result.stderr or result.stdout).strip()[-300:]}"
            )
        return result.stdout

    def apply(self, definitions: dict[str, Any]) -> None:
        self._run("import_definitions", "--format", "json", stdin=json.dumps(definitions))

    def _delete(self, *args: str) -> None:
        try:
            self._run(*args)
        except BrokerAdminError as exc:
            if "does not exist" not in str(exc):
                raise

    def delete_user(self, name: str) -> None:
        self._delete("delete_user", name)

    def delete_vhost(self, vhost: str) -> None:
        self._delete("delete_vhost", vhost)
