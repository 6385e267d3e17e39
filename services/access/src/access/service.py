"""The access service's definition: what it adds to the shared platform (its composition root).

It works only from events (vetting's news about clearances), so an establishment's decisions
and its gate keep working when intake or vetting is down.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from access.console.configure import configure_console
from access.models import Base
from access.service_layer import (
    erasure,
    establishments,
    following,
    incoming,
    organisation_erasure,
    retention,
    sponsorship,
)
from shared.cli import CliState, pass_state
from shared.platform import Platform, ServiceDefinition
from shared.retention import retention_group

if TYPE_CHECKING:
    from flask_smorest import Api


def _handlers(_platform: Platform):
    return {
        "vetting.case_opened": [incoming.record_incoming_case],
        "application.withdrawal_announced": [incoming.forget_withdrawn],
        # Retired (it carries the organisation's reason): only a message queued before the
        # upgrade still arrives.
        "application.withdrawn": [incoming.forget_withdrawn],
        **following.HANDLERS,
        **sponsorship.HANDLERS,
        "vetting.person_erased": [erasure.erase_person],
        "vetting.applications_erased": [organisation_erasure.erase_applications],
    }


@click.group("establishments", help="The establishments reference data.")
def establishments_group() -> None:
    pass


@establishments_group.command(
    "reload",
    help="Reload establishments from a CSV (default: the "
    "packaged copy of ../shared/data/establishments.csv).",
)
@click.option(
    "--file", "path", default=None, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@pass_state
def reload_establishments(state: CliState, path: Path | None) -> None:
    with state.platform.session_factory() as session:
        counts = establishments.reload(session, state.platform.clock.now(), path)
        session.commit()
    click.echo(" ".join(f"{key}={value}" for key, value in counts.items()))


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
        commands=(establishments_group, retention_group(retention.PURGES)),
    )
