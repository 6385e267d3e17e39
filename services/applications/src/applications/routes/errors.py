"""How a lifecycle's refusal answers: the shared 409 body, plus the state the record is in
(`state`), so a client can tell "not in this state" from other conflicts without parsing the
message. Every other refusal is a `shared.errors` class the shared web layer answers."""

from __future__ import annotations

from flask import Flask, jsonify

from shared.lifecycle import StateConflict
from shared.web.errors import error_body


def _state_conflict(exc: StateConflict):
    response = jsonify({**error_body(409, str(exc), exc.errors or None), "state": exc.state})
    response.status_code = 409
    return response


def register_error_mapping(app: Flask) -> None:
    app.register_error_handler(StateConflict, _state_conflict)
