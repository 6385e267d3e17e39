"""What a probe or an operator asks a web process: is it alive, can it serve, what is it.

Readiness depends on the process's own database only. The broker is reported as a degraded
detail and never fails readiness: the gate check and every read must keep answering while
RabbitMQ is away (writes queue in the outbox until it is back).
"""

from __future__ import annotations

import os
from importlib import metadata

from flask import Flask, jsonify

from shared.db import ping
from shared.platform import Platform
from shared.web.errors import DATABASE_UNAVAILABLE

# Set at image build time (the Dockerfile's build arguments); "unknown" on a developer's machine.
BUILD_ENV = {"git_sha": "APP_GIT_SHA", "build_time": "APP_BUILD_TIME"}


def register_health(app: Flask, platform: Platform) -> None:
    service = platform.settings.service

    @app.get("/health/liveness")
    def liveness():
        return {"status": "ok", "service": service}

    @app.get("/health/readiness")
    def readiness():
        checks = {"database": "ok", "broker": "ok"}
        try:
            ping(platform.engine)
        except DATABASE_UNAVAILABLE:
            checks["database"] = "unavailable"
        try:
            with platform.connection() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
        except Exception:  # noqa: BLE001 - any failure means the broker is away
            checks["broker"] = "unavailable"
        ready = checks["database"] == "ok"
        status = "unavailable" if not ready else "ok" if checks["broker"] == "ok" else "degraded"
        # What an operator must know about how this process runs (vetting: simulated checks).
        notes = platform.extras.get("readiness_notes", {})
        response = jsonify({"status": status, "checks": checks, **notes})
        response.status_code = 200 if ready else 503
        if not ready:
            response.headers["Retry-After"] = "1"
        return response

    @app.get("/info")
    def info():
        return {
            "service": service,
            "version": _version(service),
            **{key: os.environ.get(name) or "unknown" for key, name in BUILD_ENV.items()},
        }


def _version(service: str) -> str:
    try:
        return metadata.version(f"ma-{service}")
    except metadata.PackageNotFoundError:
        return "unknown"
