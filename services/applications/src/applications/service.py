"""The applications service's definition (its composition root): what it adds to the shared
platform, its inbound handlers bound, its CLI groups."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask

from applications.cli import commands
from applications.models import Base
from applications.routes.errors import register_error_mapping
from applications.service_layer import organisations, retention
from applications.service_layer.handlers import HANDLERS, RETIRED
from shared.handlers import Handler
from shared.platform import Platform, ServiceDefinition
from shared.retention import retention_group
from shared.web.auth import install_api_key_lookup

if TYPE_CHECKING:
    from flask_smorest import Api


def _configure_app(app: Flask, platform: Platform) -> None:
    # Autocommit on PostgreSQL: a single read needs no BEGIN/ROLLBACK round trips.
    reads = (
        platform.engine
        if platform.settings.is_sqlite
        else platform.engine.execution_options(isolation_level="AUTOCOMMIT")
    )

    def lookup(key_id: str):
        with reads.connect() as connection:
            return organisations.find_api_key(connection, key_id)

    install_api_key_lookup(app, lookup)
    register_error_mapping(app)
    # Imported here: only the web process needs the portal (and its templates, forms).
    from applications.portal.configure import configure_portal

    configure_portal(app, platform)


def _register_routes(api: Api) -> None:
    # Imported here: only the web process needs the routes (and flask-smorest behind them).
    from applications.routes import register_routes

    register_routes(api)


def _handlers(_platform: Platform) -> dict[str, list[Handler]]:
    # No collaborators to bind: every handler works from the event and the unit of work alone.
    return {**HANDLERS.bind(None), **RETIRED.bind(None)}


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="applications",
        title="Applications API",
        metadata=Base.metadata,
        migrations_dir=Path(__file__).parent / "migrations",
        register_routes=_register_routes,
        handlers=_handlers,
        configure_app=_configure_app,
        commands=(*commands(), retention_group(retention.PURGES)),
    )
