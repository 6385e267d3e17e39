"""An API operation that reads a JSON body refuses any other body with a 415 naming the type it
expects, before any view or guard runs.

Without this, webargs reads a body that is not JSON (text/plain, a form, no content type) as no
body at all: a schema whose fields are all optional, like a draft's, then loaded nothing and
the call made an empty record. The operations are found from flask-smorest's own record of each
view's arguments (`@blp.arguments`, location "json"), so every service gets it from the app
factory and a new endpoint needs nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, jsonify, request

from shared.web.errors import error_body

EXPECTED = "application/json"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
UNSUPPORTED = 415


def reads_json(doc: Mapping[str, Any]) -> bool:
    """True when a view's flask-smorest documentation (its `_apidoc`) has a JSON body."""
    arguments = doc.get("arguments")
    parameters = arguments.get("parameters", []) if isinstance(arguments, Mapping) else []
    return any(isinstance(p, Mapping) and p.get("in") == "json" for p in parameters)


def _view_reads_json(app: Flask, endpoint: str, method: str) -> bool:
    view = app.view_functions.get(endpoint)
    if view is None:
        return False
    view_class = getattr(view, "view_class", None)
    handler = getattr(view_class, method.lower(), None) if view_class is not None else view
    return reads_json(getattr(handler, "_apidoc", None) or {})


def _carries_body() -> bool:
    """A body, or a content type saying what one would be (an empty form post still is one)."""
    return bool(
        request.content_length or request.headers.get("Transfer-Encoding") or request.mimetype
    )


def refuse_non_json_bodies(app: Flask) -> None:
    """Register before any hook that reads the body."""
    known: dict[tuple[str, str], bool] = {}

    @app.before_request
    def json_body_type() -> Response | None:
        if request.method not in BODY_METHODS or request.endpoint is None or request.is_json:
            return None
        if not _carries_body():
            return None  # no body at all: the schema says whether one is required
        key = (request.endpoint, request.method)
        if key not in known:
            known[key] = _view_reads_json(app, *key)
        if not known[key]:
            return None
        given = request.mimetype or "no content type"
        response = jsonify(
            error_body(
                UNSUPPORTED,
                f"The body must be JSON: send it with Content-Type: {EXPECTED} (got {given}).",
                {"_schema": [f"Expected {EXPECTED}."]},
            )
        )
        response.status_code = UNSUPPORTED
        return response


def document_refusal(docs: Mapping[str, Mapping[str, Any]]) -> None:
    """Add the 415 to each JSON-reading operation of a blueprint's stored documentation
    (flask-smorest's `Blueprint._docs`: endpoint -> method -> doc), before it is rendered."""
    for methods in docs.values():
        for doc in methods.values():
            if isinstance(doc, dict) and reads_json(doc):
                responses = doc["arguments"].setdefault("responses", {})
                responses.setdefault(UNSUPPORTED, "UNSUPPORTED_MEDIA_TYPE")
