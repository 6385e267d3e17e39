"""Vetting's operator commands (entrypoints: they commit): the daily sweep that sends expiry
reminders, expires clearances, and chases (then lapses) information requests past their date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import click

from shared.platform import Platform
from shared.timed_commands import timed_command
from vetting.domain.policy import Policy
from vetting.service_layer import clearances, information_chasers


def sweep_command(policy_of: Callable[[Platform], Policy]) -> click.Command:
    """The `sweep` command, reading the policy the composition root loads (`policy_of`)."""

    def sweep(platform: Platform, moment: datetime) -> dict[str, int]:
        with platform.unit_of_work() as uow:
            policy = policy_of(platform)
            found = clearances.sweep(uow, policy, moment)
            found |= information_chasers.sweep(uow, policy, moment)
            uow.commit()
        return found

    return timed_command(
        "sweep",
        "Send expiry reminders, expire clearances, chase information requests past their "
        "date and lapse them to the officer as overdue (run daily).",
        sweep,
    )
