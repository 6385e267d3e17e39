"""The command line every service has: its processes and the operator's tools.

python -m <service> migrate | web | consume | relay
python -m <service> dead-letters list | dead-letters replay ID... | dead-letters replay --all
python -m <service> outbox lag | outbox replay --since 2026-11-27T10:00:00Z
python -m <service> keys generate | keys rotate [--batch-size N]   (encrypted columns only)
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import shutil
import signal
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import click
from sqlalchemy import select

from shared.config import Settings, SettingsError, load_settings
from shared.consumer import EventConsumer
from shared.crypto.cli import keys_group
from shared.db import dead_letters_table
from shared.heartbeat import Heartbeat
from shared.inbox import Dispatcher
from shared.logs import configure_logging
from shared.messaging.trust import is_untrusted
from shared.outbox import OutboxRelay, relay_lag, replay_since
from shared.platform import Platform, ServiceDefinition, build_platform
from shared.startup_secrets import require_production_secrets

log = logging.getLogger(__name__)


class CliState:
    def __init__(self, definition: ServiceDefinition) -> None:
        self.definition = definition

    @cached_property
    def settings(self) -> Settings:
        try:
            settings = load_settings(self.definition.name)
            # Every command that touches data (and `web`, before gunicorn) stops here when a
            # production secret is missing or weak; the embedded mode warns.
            configure_logging(self.definition.name, settings.log_level)
            require_production_secrets(settings)
            if self.definition.check_settings is not None:
                self.definition.check_settings(settings)
            return settings
        except SettingsError as exc:
            # One line per problem, not a traceback: the process must not start.
            raise click.ClickException(str(exc)) from None

    @cached_property
    def platform(self) -> Platform:
        try:
            return build_platform(self.settings)
        except SettingsError as exc:
            raise click.ClickException(str(exc)) from None

    def publishing_platform(self) -> Platform:
        """The platform of a process that publishes: it must publish as the user the other
        services expect, or they would dead-letter everything it sends."""
        problem = self.settings.broker_principal_problem()
        if problem:
            raise click.ClickException(problem)
        return self.platform

    def dispatcher(self) -> Dispatcher:
        platform = self.platform
        return Dispatcher.for_platform(platform, self.definition.handlers(platform))


pass_state = click.make_pass_decorator(CliState)


def gunicorn_args(wsgi_target: str, bind: str, workers: int | None) -> list[str]:
    """gunicorn's arguments for `web` (the benchmarks run their bare baselines under the same)."""
    workers = workers or int(os.environ.get("WEB_CONCURRENCY", 2))
    return [
        wsgi_target,
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        "4",
        "--access-logfile",
        "-",
        "--logger-class",
        "shared.web.access_log.JsonAccessLogger",
        "--name",
        wsgi_target.split(".", 1)[0],
        "--graceful-timeout",
        "10",
    ]


def make_cli(definition: ServiceDefinition, wsgi_target: str) -> click.Group:
    @click.group(help=f"{definition.title}: processes and operator commands.")
    @click.pass_context
    def cli(ctx: click.Context) -> None:
        ctx.obj = CliState(definition)

    @cli.command(help="Apply the database migrations.")
    @pass_state
    def migrate(state: CliState) -> None:
        # Alembic: only the migrating process loads it.
        from shared.migrations import grant_runtime_role, upgrade

        upgrade(state.settings, definition.migrations_dir)
        click.echo(f"{definition.name}: database at head")
        if state.settings.database_runtime_role:
            grant_runtime_role(state.settings, state.settings.database_runtime_role)
            click.echo(
                f"{definition.name}: {state.settings.database_runtime_role} may read "
                "and write its tables, and only read and append to the audit log"
            )

    @cli.command("make-migration", help="Autogenerate a migration from the models (dev).")
    @click.option("-m", "--message", required=True)
    @click.option("--rev-id", default=None)
    @pass_state
    def make_migration(state: CliState, message: str, rev_id: str | None) -> None:
        from alembic import command

        from shared.migrations import alembic_config

        config = alembic_config(state.settings, definition.migrations_dir)
        command.revision(config, message=message, autogenerate=True, rev_id=rev_id)

    @cli.command(help="Serve the HTTP API with gunicorn.")
    @click.option("--bind", default=None, help="host:port (default 127.0.0.1:$PORT)")
    @click.option("--workers", default=None, type=int)
    @pass_state
    def web(state: CliState, bind: str | None, workers: int | None) -> None:
        bind = bind or f"127.0.0.1:{state.settings.port}"
        _count_across_workers(state.settings.var_dir / "metrics" / f"{definition.name}-web")
        # gunicorn runs in this process, and the app's modules are imported before it forks
        # its workers: each worker starts from them rather than importing everything again
        # (importing is most of a process's start-up). The app itself is built in the worker.
        importlib.import_module(wsgi_target.split(":", 1)[0])
        sys.argv = [sys.argv[0], *gunicorn_args(wsgi_target, bind, workers)]
        from gunicorn.app.wsgiapp import run

        run(prog="gunicorn")

    @cli.command(help="Consume this service's events.")
    @pass_state
    def consume(state: CliState) -> None:
        platform = state.publishing_platform()
        with platform.connection() as connection:
            consumer = EventConsumer(
                platform.settings,
                connection,
                state.dispatcher(),
                platform.topology,
                Heartbeat.for_role(platform.settings.var_dir, "consume"),
            )
            _stop_on_sigterm(lambda: setattr(consumer, "should_stop", True))
            log.info("consumer started")
            consumer.run()

    for name, build in definition.workers.items():
        cli.add_command(_worker_command(name, build))

    @cli.command(help="Publish committed outbox rows to the broker.")
    @pass_state
    def relay(state: CliState) -> None:
        platform = state.publishing_platform()
        with platform.connection() as connection:
            platform.topology.declare_all(connection)
            outbox_relay = OutboxRelay(
                platform.engine,
                platform.publisher(connection),
                clock=platform.clock,
                batch_size=platform.settings.relay_batch_size,
                idle_wait_s=platform.settings.relay_idle_wait_s,
                heartbeat=Heartbeat.for_role(platform.settings.var_dir, "relay"),
            )
            _stop_on_sigterm(outbox_relay.stop)
            outbox_relay.run()

    @cli.group("dead-letters", help="Events a handler could not process.")
    def dead_letters() -> None:
        pass

    @dead_letters.command("list")
    @click.option("--all", "include_replayed", is_flag=True, help="Include replayed ones.")
    @pass_state
    def list_dead_letters(state: CliState, include_replayed: bool) -> None:
        query = select(dead_letters_table).order_by(dead_letters_table.c.id)
        if not include_replayed:
            query = query.where(dead_letters_table.c.replayed_at.is_(None))
        with state.platform.engine.connect() as conn:
            for row in conn.execute(query):
                click.echo(
                    json.dumps(
                        {
                            "id": row.id,
                            "event_id": row.event_id,
                            "event_type": row.event_type,
                            "handler": row.handler,
                            "attempts": row.attempts,
                            "error": row.error,
                            "created_at": row.created_at.isoformat(),
                            "replayed_at": row.replayed_at.isoformat() if row.replayed_at else None,
                        }
                    )
                )

    @dead_letters.command("replay")
    @click.argument("ids", nargs=-1, type=int)
    @click.option("--all", "replay_all", is_flag=True, help="Every dead letter not yet replayed.")
    @pass_state
    def replay_dead_letters(state: CliState, ids: tuple[int, ...], replay_all: bool) -> None:
        if replay_all:
            with state.platform.engine.connect() as conn:
                rows = conn.execute(
                    select(dead_letters_table.c.id, dead_letters_table.c.error).where(
                        dead_letters_table.c.replayed_at.is_(None)
                    )
                ).all()
            # A forged event's dead letter stays a record, never an event to apply.
            ids = tuple(row.id for row in rows if not is_untrusted(row.error))
            if len(ids) < len(rows):
                click.echo(
                    f"{len(rows) - len(ids)} dead letter(s) from an untrusted publisher "
                    "left alone: they are never replayed",
                    err=True,
                )
                if not ids:
                    return
        if not ids:
            raise click.UsageError("give dead letter ids, or --all")
        dispatcher = state.dispatcher()
        failed = 0
        for dead_letter_id in ids:
            try:
                dispatcher.replay_dead_letter(dead_letter_id)
                click.echo(f"replayed {dead_letter_id}")
            except Exception as exc:  # noqa: BLE001 - report each and carry on
                failed += 1
                click.echo(f"failed {dead_letter_id}: {exc!r}", err=True)
        if failed:
            sys.exit(1)

    @cli.group(help="The transactional outbox.")
    def outbox() -> None:
        pass

    @outbox.command("lag", help="Rows waiting to be published and the age of the oldest.")
    @pass_state
    def outbox_lag(state: CliState) -> None:
        click.echo(json.dumps(relay_lag(state.platform.engine, state.platform.clock.now())))

    @outbox.command("replay", help="Publish again every event created since a time.")
    @click.option(
        "--since",
        required=True,
        type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]),
    )
    @pass_state
    def outbox_replay(state: CliState, since: datetime) -> None:
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        count = replay_since(state.platform.engine, since)
        click.echo(f"{count} event(s) queued to be published again")

    cli.add_command(keys_group())  # every service seals audit reasons (shared.audit.seal)
    for command in definition.commands:
        cli.add_command(command)
    return cli


def _stop_on_sigterm(*stoppers: Any) -> None:
    def handle(_signum: int, _frame: Any) -> None:
        for stop in stoppers:
            stop() if callable(stop) else stop.stop()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


def _worker_command(name: str, build: Callable[[Platform], Any]) -> click.Command:
    """`python -m <service> <name>`: one long-running worker in a process of its own, so it
    scales (and is probed, through its heartbeat file) apart from the consumer."""

    @click.command(name, help=f"Run the {name} worker in this process until stopped.")
    @pass_state
    def run_worker(state: CliState) -> None:
        worker = build(state.publishing_platform())
        worker.heartbeat = Heartbeat.for_role(state.settings.var_dir, name)
        _stop_on_sigterm(worker.stop)
        log.info("%s started", name)
        worker.run()

    return run_worker


def _count_across_workers(folder: Path) -> None:
    """prometheus_client's multiprocess mode, so that a scrape answered by any gunicorn worker
    counts every worker's requests. The folder starts empty, so counts restart with the
    process as a single process's would."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # else the operator chose the folder
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    # prometheus_client picks its value store when first imported, which the service's modules
    # may already have done: pick again. Metrics are made in each worker, after this.
    from prometheus_client import values

    values.ValueClass = values.get_value_class()
