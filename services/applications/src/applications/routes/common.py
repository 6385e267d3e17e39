"""What every route of this service needs: the platform, reference data, error mapping."""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, current_app, jsonify
from sqlalchemy import select

from applications.lifecycle import IllegalTransition
from applications.models import Establishment
from applications.readiness import ReadinessPolicy
from applications.service_layer.common import Conflict, NotFound
from applications.service_layer.contacts import ContactLinks
from applications.service_layer.submission import IdempotencyKeyReused, NotReady, readiness_view
from shared.platform import Platform
from shared.web.errors import error_body

REFERENCE_TTL_S = 60.0


def platform() -> Platform:
    return current_app.extensions["platform"]


def establishments() -> dict[str, Establishment]:
    """Known establishments, cached briefly (an operator reload shows within a minute)."""
    cached = current_app.extensions.get("establishments")
    if cached and time.monotonic() - cached[0] < REFERENCE_TTL_S:
        return cached[1]
    with platform().session_factory() as session:
        rows = {e.code: e for e in session.execute(select(Establishment)).scalars()}
    current_app.extensions["establishments"] = (time.monotonic(), rows)
    return rows


def readiness_policy() -> ReadinessPolicy:
    extra = platform().settings.extra
    return ReadinessPolicy(
        address_history_years=int(extra.get("APPLICATIONS_ADDRESS_HISTORY_YEARS", 5))
    )


def contact_links() -> ContactLinks:
    settings = platform().settings
    return ContactLinks(
        base_url=settings.extra.get("APPLICATIONS_PUBLIC_URL", "http://127.0.0.1:8001"),
        secret=settings.secret_key,
    )


def _json(status: int, body: dict[str, Any]):
    response = jsonify(body)
    response.status_code = status
    return response


def register_error_mapping(app: Flask) -> None:
    app.register_error_handler(NotFound, lambda _e: _json(404, error_body(404, "Not found.")))
    app.register_error_handler(Conflict, lambda e: _json(409, error_body(409, str(e))))
    app.register_error_handler(
        IllegalTransition, lambda e: _json(409, {**error_body(409, str(e)), "state": e.state})
    )
    app.register_error_handler(
        NotReady,
        lambda e: _json(
            422,
            {
                **error_body(
                    422, "The application is not ready to submit: fix the problems listed."
                ),
                **readiness_view(e.problems),
            },
        ),
    )
    app.register_error_handler(
        IdempotencyKeyReused,
        lambda _e: _json(
            422,
            error_body(
                422,
                "This Idempotency-Key was used for a different request.",
                {"Idempotency-Key": ["Use a new key for a new request."]},
            ),
        ),
    )
