"""Vetting's operator commands (entrypoints: they commit): the daily sweep that sends expiry
reminders, expires clearances, and chases (then lapses) information requests past their date."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime

import click

from shared.cli import CliState, pass_state
from shared.platform import Platform
from vetting.domain.policy import Policy
from vetting.service_layer import clearances, information_chasers


def sweep_command(policy_of: Callable[[Platform], Policy]) -> click.Command:
    """The `sweep` command, reading the policy the composition root loads (`policy_of`)."""

    @click.command(
        "sweep",
        help=(
            "Send expiry reminders, expire clearances, chase information requests past their "
            "date and lapse them to the officer as overdue (run daily)."
        ),
    )
    @click.option("--at", "at", default=None, help="ISO time to sweep as of (default: now).")
    @click.option(
        "--every",
        "every_s",
        default=None,
        type=float,
        help="Keep running, sweeping every this many seconds (a container's scheduler).",
    )
    @pass_state
    def sweep(state: CliState, at: str | None, every_s: float | None) -> None:
        while True:
            moment = datetime.fromisoformat(at) if at else state.platform.clock.now()
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            with state.platform.unit_of_work() as uow:
                policy = policy_of(state.platform)
                found = clearances.sweep(uow, policy, moment)
                found |= information_chasers.sweep(uow, policy, moment)
                uow.commit()
            click.echo(json.dumps(found))
            if every_s is None:
                return
            time.sleep(every_s)

    return sweep
