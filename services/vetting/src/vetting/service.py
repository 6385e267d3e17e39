"""The vetting service's definition: what it adds to the shared platform."""

from __future__ import annotations

from pathlib import Path

from shared.platform import Platform, ServiceDefinition
from vetting import service_layer
from vetting.models import Base
from vetting.routes import register_routes


def _handlers(_platform: Platform):  # type: ignore[no-untyped-def]
    return {
        "application.submitted": [service_layer.open_case],
        "application.withdrawn": [service_layer.close_withdrawn_case],
        "application.info_provided": [service_layer.record_information],
        "application.circumstances_changed": [service_layer.record_change_of_circumstances],
    }


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="vetting",
        title="Vetting API",
        metadata=Base.metadata,
        migrations_dir=Path(__file__).parent / "migrations",
        register_routes=register_routes,
        handlers=_handlers,
    )
