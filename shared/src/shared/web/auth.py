"""Flask guards for the two kinds of caller: MA organisations (API key) and staff (token).

Denials are 401 (no or bad credentials) or 403 (a staff member without the role) with a JSON
body that says nothing about what exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import abort, current_app, g, request

from shared.auth import AuthError, StaffIdentity, StaffTokens, parse_api_key, secret_matches


@dataclass(frozen=True)
class StoredApiKey:
    organisation_id: str
    secret_hash: str
    revoked: bool


ApiKeyLookup = Callable[[str], StoredApiKey | None]


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
        abort(401, "Authentication required.")
    try:
        key_id, secret = parse_api_key(token)
    except AuthError:
        abort(401, "Authentication required.")
    stored = lookup(key_id)
    pepper = current_app.extensions["platform"].settings.api_key_pepper
    if stored is None or stored.revoked or not secret_matches(secret, stored.secret_hash, pepper):
        abort(401, "Authentication required.")
    return stored.organisation_id


def organisation_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g.organisation_id = authenticate_organisation()
        return view(*args, **kwargs)

    return wrapper


def authenticate_staff() -> StaffIdentity:
    token = bearer_token()
    tokens: StaffTokens = current_app.extensions["staff_tokens"]
    if token is None:
        abort(401, "Authentication required.")
    try:
        return tokens.verify(token)
    except AuthError:
        abort(401, "Authentication required.")


def staff_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Require a valid staff token holding at least one of `roles`."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            identity = authenticate_staff()
            if roles and not identity.has_role(*roles):
                abort(403, "You do not have permission to do this.")
            g.staff = identity
            return view(*args, **kwargs)

        return wrapper

    return decorator
