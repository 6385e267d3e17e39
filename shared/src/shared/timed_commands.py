"""The operator commands a scheduler runs (a sweep, a daily job): once, as of now or `--at` a
given time, or over and over with `--every` (a container's own scheduler). Each run is an
entrypoint: `work` opens its unit of work and commits; what it returns is printed as JSON."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import click

from shared.cli import CliState, pass_state
from shared.platform import Platform

Work = Callable[[Platform, datetime], Mapping[str, Any]]


def timed_command(name: str, help: str, work: Work) -> click.Command:
    @click.command(name, help=help)
    @click.option("--at", "at", default=None, help="ISO time to run as of (default: now).")
    @click.option(
        "--every",
        "every_s",
        default=None,
        type=float,
        help="Keep running, every this many seconds (a container's scheduler).",
    )
    @pass_state
    def command(state: CliState, at: str | None, every_s: float | None) -> None:
        while True:
            moment = datetime.fromisoformat(at) if at else state.platform.clock.now()
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            click.echo(json.dumps(dict(work(state.platform, moment))))
            if every_s is None:
                return
            time.sleep(every_s)

    return command
