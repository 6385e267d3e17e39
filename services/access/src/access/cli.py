"""The access service's operator commands (`python -m access …`): entrypoints, so they commit."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import click

from access.service_layer import establishments, exclusion_reviews
from shared.cli import CliState, pass_state


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


@click.command("sweep", help="Announce exclusions whose review date has come (run daily).")
@click.option("--at", "at", default=None, help="ISO time to sweep as of (default: now).")
@click.option(
    "--every",
    "every_s",
    default=None,
    type=float,
    help="Keep running, sweeping every this many seconds (a container's scheduler).",
)
@pass_state
def sweep_command(state: CliState, at: str | None, every_s: float | None) -> None:
    while True:
        moment = datetime.fromisoformat(at) if at else state.platform.clock.now()
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        with state.platform.unit_of_work() as uow:
            announced = exclusion_reviews.announce_due_reviews(uow, moment)
            uow.commit()
        click.echo(f'{{"reviews_due": {announced}}}')
        if every_s is None:
            return
        time.sleep(every_s)
