"""The applications service's definition: what it adds to the shared platform."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask

from applications.cli_commands import commands
from applications.models import Base
from applications.routes.common import register_error_mapping
from applications.service_layer import erasure, organisations, retention
from applications.service_layer.timeline import HANDLERS
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


def _register_routes(api: Api) -> None:
    # Imported here: only the web process needs the routes (and flask-smorest behind them).
    from applications.routes import register_routes

    register_routes(api)


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="applications",
        title="Applications API",
        metadata=Base.metadata,
        migrations_dir=Path(__file__).parent / "migrations",
        register_routes=_register_routes,
        handlers=lambda _platform: {**HANDLERS, **erasure.HANDLERS},
        configure_app=_configure_app,
        commands=(*commands(), retention_group(retention.PURGES)),
    )
