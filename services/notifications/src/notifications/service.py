"""The notifications service's definition: what it adds to the shared platform."""

from __future__ import annotations

from pathlib import Path

from notifications import service_layer
from notifications.models import Base
from notifications.routes import register_routes
from notifications.sender import EmailSender
from shared.platform import Platform, ServiceDefinition


def _sender(platform: Platform) -> EmailSender:
    # One sender per process, shared by the handlers (which wake it) and the consume command.
    if "sender" not in platform.extras:
        platform.extras["sender"] = EmailSender(platform)
    return platform.extras["sender"]


def _handlers(platform: Platform):  # type: ignore[no-untyped-def]
    sender = _sender(platform)
    return {
        "application.submitted": [service_layer.remember_recipient],
        "vetting.case_opened": [service_layer.make_vetting_started_handler(sender.wake)],
    }


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="notifications",
        title="Notifications API",
        metadata=Base.metadata,
        migrations_dir=Path(__file__).parent / "migrations",
        register_routes=register_routes,
        handlers=_handlers,
        background=lambda platform: [_sender(platform)],
    )
