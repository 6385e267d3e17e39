"""Every error is JSON: a message and, where there are any, field-level errors.

A database that is unreachable is the caller's cue to retry (503 with Retry-After), never a 500
with a stack trace.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify, request
from marshmallow import Schema, fields
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from shared.errors import DomainError

log = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,
)


def error_body(status: int, message: str, errors: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"status": status, "message": message}
    if errors:
        body["errors"] = errors
    return body


class ErrorSchema(Schema):
    """What `error_body` writes, as every OpenAPI document describes an error.

    flask-smorest's own default documents its handler's body (`status` the HTTP reason
    phrase, a `code`), which our handlers never send: every documented error response was
    wrong until the fuzz (tests/fuzz) compared the two.
    """

    status = fields.Integer(required=True, metadata={"description": "The HTTP status code."})
    message = fields.String(required=True, metadata={"description": "What went wrong."})
    errors = fields.Dict(metadata={"description": "Field-level messages, by field."})
    state = fields.String(
        metadata={
            "description": (
                "A 409 refused by a lifecycle: the state the record is in (the message says why)."
            )
        }
    )


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        data = getattr(exc, "data", None) or {}
        errors = data.get("messages") if isinstance(data, dict) else None
        if isinstance(errors, dict) and set(errors) <= {
            "json",
            "query",
            "headers",
            "files",
            "form",
            "view_args",
            "path",
        }:
            # webargs nests field errors under their location; keep the body's own layout flat.
            errors = errors.get("json") or errors.get("query") or errors
        message = data.get("message") if isinstance(data, dict) else None
        if isinstance(errors, list):
            # About the whole body, not a field (e.g. "Invalid JSON body."): say it, and keep
            # `errors` a mapping under marshmallow's key for the whole input.
            message = message or "; ".join(map(str, errors))
            errors = {"_schema": errors}
        response = jsonify(error_body(status, message or exc.description or exc.name, errors))
        response.status_code = status
        for name, value in exc.get_headers() if status == 405 else []:
            if name.lower() == "allow":
                response.headers["Allow"] = value
        if status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    def database_unavailable(exc: Exception):
        log.warning("database unavailable: %s", exc.__class__.__name__)
        response = jsonify(error_body(503, "The service is briefly unavailable; retry shortly."))
        response.status_code = 503
        response.headers["Retry-After"] = "1"
        return response

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        response = jsonify(error_body(exc.status, str(exc), getattr(exc, "errors", None)))
        response.status_code = exc.status
        return response

    for error_class in DATABASE_UNAVAILABLE:
        app.register_error_handler(error_class, database_unavailable)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unhandled error")
        response = jsonify(error_body(500, "Internal error. It has been logged."))
        response.status_code = 500
        return response


NUL = "\x00"


def _nul_fields(value: Any, path: str) -> list[str]:
    if isinstance(value, str):
        return [path or "_schema"] if NUL in value else []
    if isinstance(value, dict):
        return [
            found
            for key, item in value.items()
            for found in ([f"{path}.{key}".lstrip(".")] if NUL in str(key) else [])
            + _nul_fields(item, f"{path}.{key}".lstrip("."))
        ]
    if isinstance(value, list):
        return [
            found
            for i, item in enumerate(value)
            for found in _nul_fields(item, f"{path}.{i}".lstrip("."))
        ]
    return []


def refuse_nul_characters(app: Flask) -> None:
    """A NUL character in any text a request carries is a 422 naming the field.

    PostgreSQL cannot store it in text (the write was a 500 there, and stored on SQLite), and
    no real name, reason or answer contains one: refusing it here keeps both run modes alike
    and every service's schemas free of a rule each would otherwise repeat.
    """

    @app.before_request
    def nul_characters():
        fields_ = [
            name for name, value in request.args.items(multi=True) if NUL in name or NUL in value
        ]
        fields_ += [
            name
            for name, value in (request.view_args or {}).items()
            if isinstance(value, str) and NUL in value
        ]
        if request.is_json:
            fields_ += _nul_fields(request.get_json(silent=True), "")
        if not fields_:
            return None
        response = jsonify(
            error_body(
                422,
                "Text may not contain the NUL character (\\u0000).",
                {name: ["Must not contain the NUL character."] for name in fields_},
            )
        )
        response.status_code = 422
        return response
