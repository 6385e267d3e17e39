"""The access service's definition: what it adds to the shared platform."""

from __future__ import annotations

from pathlib import Path

from access import service_layer
from access.models import Base
from access.routes import register_routes
from shared.platform import Platform, ServiceDefinition


def _handlers(_platform: Platform):  # type: ignore[no-untyped-def]
    return {
        "vetting.case_opened": [service_layer.record_incoming_case],
        "application.withdrawn": [service_layer.forget_withdrawn],
    }


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="access",
        title="Access API",
        metadata=Base.metadata,
        migrations_dir=Path(__file__).parent / "migrations",
        register_routes=register_routes,
        handlers=_handlers,
    )
