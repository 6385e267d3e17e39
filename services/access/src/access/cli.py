"""The access service's operator commands (`python -m access …`): entrypoints, so they commit."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from access.service_layer import establishments, exclusion_reviews
from shared.cli import CliState, pass_state
from shared.platform import Platform
from shared.timed_commands import timed_command


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


def _announce_reviews(platform: Platform, moment: datetime) -> dict[str, int]:
    with platform.unit_of_work() as uow:
        announced = exclusion_reviews.announce_due_reviews(uow, moment)
        uow.commit()
    return {"reviews_due": announced}


sweep_command = timed_command(
    "sweep", "Announce exclusions whose review date has come (run daily).", _announce_reviews
)
