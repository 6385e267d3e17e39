"""The WSGI app factory (gunicorn: `notifications.app:create_app()`)."""

from __future__ import annotations

from flask import Flask

from notifications.service import definition
from shared.config import Settings
from shared.web import create_service_app


def create_app(settings: Settings | None = None) -> Flask:
    return create_service_app(definition(), settings)
