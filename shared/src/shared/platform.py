"""The composition root's parts: what every process of a service is built from.

`Platform` holds the adapters (engine, sessions, topology, event registry); `ServiceDefinition`
says what a particular service adds (routes, handlers, models, CLI commands). Nothing is created
at import time: `build_platform(settings)` is called by the app factory, the consumer, the relay
and the CLI.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kombu import Connection
from sqlalchemy import Engine, MetaData
from sqlalchemy.orm import sessionmaker

from shared.clock import Clock, system_clock
from shared.config import Settings
from shared.crypto import at_rest
from shared.db import make_engine, make_session_factory
from shared.erasure import NEWS_ABOUT_ERASED
from shared.events import EventRegistry
from shared.events.catalogue import build_registry
from shared.messaging.connection import make_connection
from shared.messaging.publisher import BrokerPublisher
from shared.messaging.topology import Topology
from shared.startup_secrets import require_production_secrets
from shared.uow import UnitOfWork

if TYPE_CHECKING:
    import click
    from flask import Flask
    from flask_smorest import Api

    from shared.handlers import Guard, Handler


@dataclass
class Platform:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker
    registry: EventRegistry
    topology: Topology
    clock: Clock
    # Objects a service's handlers and background workers share within one process.
    extras: dict[str, Any] = field(default_factory=dict)
    # Rules that drop an inbound event before its handlers run (shared.handlers.Guard).
    guards: list[Guard] = field(default_factory=list)

    def unit_of_work(self, **kwargs: Any) -> UnitOfWork:
        return UnitOfWork(
            self.session_factory,
            source=self.settings.service,
            registry=self.registry,
            topology=self.topology,
            clock=self.clock,
            **kwargs,
        )

    def connection(self, *, confirm_publish: bool = False) -> Connection:
        return make_connection(self.settings, confirm_publish=confirm_publish)

    def publisher(self, connection: Connection) -> BrokerPublisher:
        """A publisher whose messages carry this service's broker principal (`user_id`)."""
        return BrokerPublisher(connection, user_id=self.settings.broker_principal)


def build_platform(settings: Settings, clock: Clock | None = None) -> Platform:
    """`clock`: the process's clock (tests pass a ManualClock); by default the system's,
    shifted as the settings say. Outside the embedded mode, weak or missing secrets stop it
    here (SettingsError), before it touches data."""
    require_production_secrets(settings)
    # The encrypted column types use this process's keyring (a bad key set fails here, early).
    at_rest.install(at_rest.keyring_from_settings(settings))
    engine = make_engine(settings.database_url)
    return Platform(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        registry=build_registry(),
        topology=Topology(settings),
        clock=clock or system_clock(settings.clock_offset_s),
        # Every service database remembers whom it erased: no service handles news about them.
        guards=[NEWS_ABOUT_ERASED],
    )


@dataclass(frozen=True)
class ServiceDefinition:
    name: str
    title: str
    metadata: MetaData
    migrations_dir: Path
    register_routes: Callable[[Api], None]
    handlers: Callable[[Platform], Mapping[str, Sequence[Handler]]]
    configure_app: Callable[[Flask, Platform], None] | None = None
    # Long-running workers, each its own process and command (`python -m vetting check-runner`):
    # name → a factory of an object with run() and stop(), and a `heartbeat` the command sets.
    workers: Mapping[str, Callable[[Platform], Any]] = field(default_factory=dict)
    # The service's own state for /metrics, read when scraped (prometheus_client Metric families).
    state_metrics: Callable[[Platform], Iterable[Any]] | None = None
    commands: Sequence[click.Command] = field(default_factory=tuple)
    # Settings of its own the service refuses to start with: raises SettingsError (every
    # command checks before it runs, `web` before gunicorn starts).
    check_settings: Callable[[Settings], None] | None = None
