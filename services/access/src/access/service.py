"""The access service's definition (its composition root): what it adds to the shared platform,
its inbound handlers bound, its CLI groups.

It works only from events (vetting's news about clearances), so an establishment's decisions
and its gate keep working when intake or vetting is down.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from access.cli import establishments_group, sweep_command
from access.console.configure import configure_console
from access.models import Base
from access.service_layer import retention
from access.service_layer.handlers import HANDLERS, RETIRED
from shared.handlers import Handler
from shared.platform import Platform, ServiceDefinition
from shared.retention import retention_group

if TYPE_CHECKING:
    from flask_smorest import Api


def _handlers(_platform: Platform) -> dict[str, list[Handler]]:
    # No collaborators to bind: every handler works from the event and the unit of work alone.
    return {**HANDLERS.bind(None), **RETIRED.bind(None)}


def _register_routes(api: Api) -> None:
    # Imported here: only the web process needs the routes (and flask-smorest behind them).
    from access.routes import register_routes

    register_routes(api)


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="access",
        title="Access API",
        metadata=Base.metadata,
        migrations_dir=Path(__file__).parent / "migrations",
        register_routes=_register_routes,
        handlers=_handlers,
        configure_app=configure_console,
        commands=(establishments_group, sweep_command, retention_group(retention.PURGES)),
    )
