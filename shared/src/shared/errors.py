"""Errors a service layer raises, free of HTTP: the web layer maps each to one status code
(shared.web.errors), so every service answers the same way for the same kind of refusal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class DomainError(Exception):
    status = 400


class NotFound(DomainError, LookupError):
    """The thing does not exist, or the caller may not know it does (404 leaks nothing)."""

    status = 404

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message)


class Forbidden(DomainError):
    """The caller is known and may see the thing, but not do this to it."""

    status = 403


class Conflict(DomainError):
    """Not in this state: e.g. clearing a case whose checks are still running. `errors` (by
    field) may name the state, or what must happen first."""

    status = 409

    def __init__(self, message: str, errors: Mapping[str, Sequence[str]] | None = None) -> None:
        super().__init__(message)
        self.errors = {field: list(messages) for field, messages in (errors or {}).items()}


class Invalid(DomainError):
    """The request is well-formed but breaks a rule; `errors` maps fields to messages."""

    status = 422

    def __init__(self, message: str, errors: Mapping[str, Sequence[str]] | None = None) -> None:
        super().__init__(message)
        self.errors = {field: list(messages) for field, messages in (errors or {}).items()}
