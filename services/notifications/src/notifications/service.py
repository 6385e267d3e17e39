"""The notifications service's definition: what it adds to the shared platform (its composition
root).

Configuration (environment, beside the shared settings and the delivery settings in
`notifications.adapters.channels.config`):
- NOTIFICATIONS_TEMPLATES_DIR: another folder of message templates (checked at start-up).
- NOTIFICATIONS_SECURITY_INBOX: an establishment security inbox's address, `{code}` standing for
  the establishment's code in lower case (default security-{code}@establishments.example).
- NOTIFICATIONS_CONSOLE_URL: the security console's address, for the security inbox's messages
  (each links to its request there).
- NOTIFICATIONS_VETTING_CONTACT_EMAIL, NOTIFICATIONS_VETTING_CONTACT_PHONE: how a volunteer
  answers a sensitive information request, directly to the vetting team (defaults reach
  nobody: `notifications.domain.personalisation.DEFAULT_VETTING_EMAIL`, `DEFAULT_VETTING_PHONE`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from notifications.adapters.channels.config import delivery_config
from notifications.adapters.channels.log import FILE_NAME
from notifications.adapters.templates import TemplateError, Templates
from notifications.domain.personalisation import (
    DEFAULT_VETTING_EMAIL,
    DEFAULT_VETTING_PHONE,
    personalisation,
)
from notifications.domain.quiet_hours import next_send_time
from notifications.models import Base
from notifications.service_layer import retention
from notifications.service_layer.handlers import HANDLERS, Dependencies
from notifications.service_layer.queueing import Queueing
from notifications.workers.sender import Sender
from shared.handlers import Handler
from shared.platform import Platform, ServiceDefinition
from shared.reference import load_establishments
from shared.retention import retention_group

if TYPE_CHECKING:
    from flask import Flask
    from flask_smorest import Api

DEFAULT_SECURITY_INBOX = "security-{code}@establishments.example"
DEFAULT_CONSOLE_URL = "http://127.0.0.1:8003/console"


def _sender(platform: Platform) -> Sender:
    # One sender per process, shared by the handlers (which wake it) and the consume command.
    if "sender" not in platform.extras:
        platform.extras["sender"] = Sender(platform)
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
                f"notifications: the message templates are not valid, so the service stops.\n{exc}"
            ) from None
        platform.extras["templates"] = loaded
    return platform.extras["templates"]


def _queueing(platform: Platform) -> Queueing:
    extra = platform.settings.extra
    inbox = extra.get("NOTIFICATIONS_SECURITY_INBOX", DEFAULT_SECURITY_INBOX)
    config = delivery_config(platform)
    return Queueing(
        render=templates(platform).render,
        personalise=functools.partial(
            personalisation,
            vetting_email=extra.get("NOTIFICATIONS_VETTING_CONTACT_EMAIL", DEFAULT_VETTING_EMAIL),
            vetting_phone=extra.get("NOTIFICATIONS_VETTING_CONTACT_PHONE", DEFAULT_VETTING_PHONE),
            service_name=config.service_name,
            contact_email=config.contact_email,
        ),
        send_time=lambda channel, moment: next_send_time(channel, moment, config.quiet_hours),
        establishment_names={code: e.name for code, e in load_establishments().items()},
        console_url=extra.get("NOTIFICATIONS_CONSOLE_URL", DEFAULT_CONSOLE_URL),
        security_inbox=lambda code: inbox.format(code=code.lower()),
        wake_sender=_sender(platform).wake,
    )


def _handlers(platform: Platform) -> dict[str, list[Handler]]:
    deps = Dependencies(
        queueing=_queueing(platform), log_file=platform.settings.var_dir / FILE_NAME
    )
    return HANDLERS.bind(deps)


def _check_templates(_app: Flask, platform: Platform) -> None:
    # The web process checks the templates at start-up too, as the consume process does.
    templates(platform)


def _register_routes(api: Api) -> None:
    # Imported here: only the web process needs the routes (and flask-smorest behind them).
    from notifications.routes import register_routes

    register_routes(api)


def _state_metrics(platform: Platform) -> Iterable[Any]:
    # Imported here: only a web process answering a scrape needs it.
    from notifications.adapters.state_metrics import notifications_by_status

    return notifications_by_status(platform)


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="notifications",
        title="Notifications API",
        metadata=Base.metadata,
        migrations_dir=Path(__file__).parent / "migrations",
        register_routes=_register_routes,
        handlers=_handlers,
        configure_app=_check_templates,
        workers={"send": _sender},
        state_metrics=_state_metrics,
        commands=(retention_group(retention.PURGES),),
    )
