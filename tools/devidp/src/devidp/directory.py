"""Who may sign in (users) and which applications may ask for tokens (clients), from JSON
files re-read whenever they change: removing a user from the file ends their sessions at the
next check (userinfo, refresh)."""

from __future__ import annotations

import hmac
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from authlib.oauth2.rfc6749 import ClientMixin


@dataclass(frozen=True)
class User:
    username: str
    password: str
    name: str
    roles: tuple[str, ...] = ()
    establishments: tuple[str, ...] = ()
    subject: str = ""
    # "staff" (roles, the staff front doors) or "public" (an email address, the coordinators'
    # portal): as GOV.UK One Login's users are not the staff provider's.
    people: str = "staff"
    email: str = ""

    def get_user_id(self) -> str:
        return self.subject or self.username

    def password_matches(self, attempt: str) -> bool:
        return hmac.compare_digest(self.password.encode(), attempt.encode())


@dataclass(frozen=True)
class Client(ClientMixin):
    client_id: str
    secret: str
    grant_types: tuple[str, ...]
    redirect_uris: tuple[str, ...] = ()
    # The services (token audiences) this client may ask for; the first is the default.
    audiences: tuple[str, ...] = ()
    # Client credentials: the roles and establishments its tokens carry. A test client may
    # also name its own (TEST_CLAIMS): tokens for whichever caller a test needs.
    roles: tuple[str, ...] = ()
    establishments: tuple[str, ...] = ()
    claims_from_request: bool = False
    scope: str = "openid profile"
    # Whose sign-in this client asks for: staff, or the public (see User.people).
    people: str = "staff"
    # A PEM public key: the client authenticates with a JWT signed by its private key
    # (private_key_jwt, as GOV.UK One Login requires), never with a secret.
    public_key: str = ""

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope: str) -> str:
        allowed = set(self.scope.split())
        return " ".join(s for s in (scope or "").split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(self.secret.encode(), (client_secret or "").encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if self.public_key:
            return method == "client_assertion_jwt"
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and "authorization_code" in self.grant_types

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.grant_types


class Directory:
    def __init__(self, users_file: Path, clients_file: Path) -> None:
        self.users_file = users_file
        self.clients_file = clients_file
        self._lock = threading.Lock()
        self._seen: dict[Path, tuple[int, Any]] = {}

    def _load(self, path: Path) -> Any:
        with self._lock:
            mtime = path.stat().st_mtime_ns
            seen = self._seen.get(path)
            if seen is None or seen[0] != mtime:
                seen = (mtime, json.loads(path.read_text()))
                self._seen[path] = seen
            return seen[1]

    def user(self, username: str) -> User | None:
        entry = self._load(self.users_file).get("users", {}).get(username)
        if entry is None:
            return None
        return User(
            username=username,
            password=entry["password"],
            name=entry.get("name", ""),
            roles=tuple(entry.get("roles", ())),
            establishments=tuple(entry.get("establishments", ())),
            subject=entry.get("sub", ""),
            people=entry.get("people", "staff"),
            email=entry.get("email", ""),
        )

    def user_by_subject(self, subject: str) -> User | None:
        for username in self._load(self.users_file).get("users", {}):
            user = self.user(username)
            if user is not None and user.get_user_id() == subject:
                return user
        return None

    def users(self) -> list[User]:
        names = list(self._load(self.users_file).get("users", {}))
        return [user for name in names if (user := self.user(name)) is not None]

    def client(self, client_id: str) -> Client | None:
        entry = self._load(self.clients_file).get("clients", {}).get(client_id)
        if entry is None:
            return None
        return Client(
            client_id=client_id,
            secret=entry.get("secret", ""),
            grant_types=tuple(entry.get("grant_types", ())),
            redirect_uris=tuple(entry.get("redirect_uris", ())),
            audiences=tuple(entry.get("audiences", ())),
            roles=tuple(entry.get("roles", ())),
            establishments=tuple(entry.get("establishments", ())),
            claims_from_request=bool(entry.get("claims_from_request", False)),
            scope=entry.get("scope", "openid profile"),
            people=entry.get("people", "staff"),
            public_key=entry.get("public_key", ""),
        )
