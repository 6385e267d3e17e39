"""The applications service's definition: what it adds to the shared platform."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from applications import service_layer
from applications.cli_commands import commands
from applications.models import Base
from applications.routes import register_routes
from shared.platform import Platform, ServiceDefinition


def _configure_app(app: Flask, platform: Platform) -> None:
    def lookup(key_id: str):  # type: ignore[no-untyped-def]
        with platform.session_factory() as session:
            return service_layer.find_api_key(session, key_id)

    app.extensions["api_key_lookup"] = lookup


def _handlers(_platform: Platform):  # type: ignore[no-untyped-def]
    return {
        "vetting.case_opened": [service_layer.on_vetting_case_opened],
        "notification.sent": [service_layer.on_notification_sent],
    }


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="applications",
        title="Applications API",
        metadata=Base.metadata,
        migrations_dir=Path(__file__).parent / "migrations",
        register_routes=register_routes,
        handlers=_handlers,
        configure_app=_configure_app,
        commands=commands(),
    )
