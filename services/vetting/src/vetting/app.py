"""The WSGI app factory (gunicorn: `vetting.app:create_app()`)."""

from __future__ import annotations

from flask import Flask

from shared.config import Settings
from shared.web import create_service_app
from vetting.service import definition


def create_app(settings: Settings | None = None) -> Flask:
    return create_service_app(definition(), settings)
