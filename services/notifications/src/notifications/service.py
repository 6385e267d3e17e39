"""The notifications service's definition: what it adds to the shared platform."""

from __future__ import annotations

from pathlib import Path

from notifications import service_layer
from notifications.models import Base
from notifications.rendering import TemplateError, Templates
from notifications.routes import register_routes
from notifications.sender import EmailSender
from shared.platform import Platform, ServiceDefinition


def _sender(platform: Platform) -> EmailSender:
    # One sender per process, shared by the handlers (which wake it) and the consume command.
    if "sender" not in platform.extras:
        platform.extras["sender"] = EmailSender(platform)
    return platform.extras["sender"]


def templates(platform: Platform) -> Templates:
    """The message templates, loaded and checked against the catalogue once per process
    (NOTIFICATIONS_TEMPLATES_DIR may name another folder); a bad template stops the process
    with every problem named, rather than failing on the first event that needs it."""
    if "templates" not in platform.extras:
        folder = platform.settings.extra.get("NOTIFICATIONS_TEMPLATES_DIR")
        try:
            loaded = Templates.load(Path(folder) if folder else None)
            loaded.validate()
        except TemplateError as exc:
            raise SystemExit(
                f"notifications: the message templates are not valid, so the service stops.\n"
                f"{exc}") from None
        platform.extras["templates"] = loaded
    return platform.extras["templates"]


def _handlers(platform: Platform):  # type: ignore[no-untyped-def]
    templates(platform)
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
        configure_app=lambda _app, platform: templates(platform),
        background=lambda platform: [_sender(platform)],
    )
