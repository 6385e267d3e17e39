"""Flask guards for the two kinds of caller: MA organisations (API key) and staff (an access
token from the identity provider, shared.staff_tokens).

Denials are 401 (no or bad credentials) or 403 (a staff member without the role) with a JSON
body that says nothing about what exists; each is written to the audit log (`auth.denied`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, NoReturn

from flask import Flask, abort, current_app, g, request

from shared.audit.trail import record_denial
from shared.auth import (
    API_KEY_PREFIX,
    AuthError,
    StaffIdentity,
    parse_api_key,
    secret_matches,
)
from shared.staff_tokens import StaffTokenVerifier
from shared.web.limits import (
    admit_api_key,
    admit_staff,
    first_denial_in_window,
    refused_credential,
)


@dataclass(frozen=True)
class StoredApiKey:
    organisation_id: str
    secret_hash: str
    revoked: bool


ApiKeyLookup = Callable[[str], StoredApiKey | None]


class ApiKeyCache:
    """Keys looked up in the last few seconds, remembered per process.

    The key check runs on every request, and its indexed read was a fifth of a submission's
    database work. A revocation therefore takes effect within `ttl_s` seconds (a documented
    trade-off; 0 turns the cache off). Unknown keys are never remembered, so guessing still
    costs a read each time.
    """

    def __init__(self, lookup: ApiKeyLookup, ttl_s: float, max_entries: int = 10_000) -> None:
        self.lookup = lookup
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._entries: dict[str, tuple[float, StoredApiKey]] = {}

    def __call__(self, key_id: str) -> StoredApiKey | None:
        if self.ttl_s <= 0:
            return self.lookup(key_id)
        moment = time.monotonic()
        hit = self._entries.get(key_id)
        if hit is not None and hit[0] > moment:
            return hit[1]
        stored = self.lookup(key_id)
        if stored is not None:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key_id] = (moment + self.ttl_s, stored)
        return stored


def install_api_key_lookup(app: Flask, lookup: ApiKeyLookup) -> None:
    """How a service tells the guard where its API keys live."""
    ttl_s = app.extensions["platform"].settings.api_key_cache_s
    app.extensions["api_key_lookup"] = ApiKeyCache(lookup, ttl_s)


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def authenticate_organisation() -> str:
    """The organisation id of the presented API key; aborts 401 otherwise."""
    token = bearer_token()
    lookup: ApiKeyLookup | None = current_app.extensions.get("api_key_lookup")
    if token is None or lookup is None:
        _refuse(401, "missing")
    try:
        key_id, secret = parse_api_key(token)
    except AuthError:
        _refuse(401, "malformed")
    stored = lookup(key_id)
    pepper = current_app.extensions["platform"].settings.api_key_pepper
    if stored is None or stored.revoked or not secret_matches(secret, stored.secret_hash, pepper):
        # The key id is the public half of a key: naming it lets an auditor see a key being
        # guessed at or a revoked one still in use.
        _refuse(
            401,
            "revoked" if stored is not None and stored.revoked else "invalid",
            f"api-key:{key_id}",
        )
    admit_api_key(key_id, stored.organisation_id)
    return stored.organisation_id


def _refuse(status: int, why: str, actor: str = "anonymous") -> NoReturn:
    if status == 401:
        refused_credential(why, actor)  # once per source per window, the caller's text cut
    elif first_denial_in_window(actor):  # once per person, endpoint and window
        record_denial(status, why, actor)
    abort(
        status,
        "Authentication required." if status == 401 else "You do not have permission to do this.",
    )


def organisation_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g.organisation_id = authenticate_organisation()
        return view(*args, **kwargs)

    return wrapper


def authenticate_staff() -> StaffIdentity:
    token = bearer_token()
    tokens: StaffTokenVerifier = current_app.extensions["staff_tokens"]
    if token is None:
        _refuse(401, "missing")
    try:
        return tokens.verify(token)
    except AuthError:
        _refuse(401, "invalid")


def _admit_staff(roles: tuple[str, ...]) -> None:
    """A valid staff token holding one of `roles` (any role if none are named), into `g.staff`;
    aborts 401/403 otherwise."""
    identity = authenticate_staff()
    admit_staff(identity.staff_id)
    if roles and not identity.has_role(*roles):
        _refuse(403, "role", identity.staff_id)
    g.staff = identity


def staff_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Require a valid staff token holding at least one of `roles`."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            _admit_staff(roles)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def organisation_or_staff(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Either an organisation's API key (the view scopes what it may touch) or a staff token
    holding one of `roles`: for the few things both may do, e.g. asking for erasure."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            token = bearer_token()
            if token is not None and token.startswith(f"{API_KEY_PREFIX}_"):
                g.organisation_id = authenticate_organisation()
            else:
                _admit_staff(roles)
            return view(*args, **kwargs)

        return wrapper

    return decorator
