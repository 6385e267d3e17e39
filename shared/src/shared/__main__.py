"""`python -m shared …`: operator commands that concern the whole system, not one service."""

from __future__ import annotations

import os

import click

from shared.broker_setup import broker_setup_from_env
from shared.config import SettingsError
from shared.messaging.admin import BrokerAdminError


@click.group(help="Operator commands for the whole system.")
def main() -> None:
    pass


@main.command("broker-setup", help=(
    "Create or update each service's RabbitMQ user (BROKER_USER_<SERVICE>, password "
    "BROKER_PASSWORD_<SERVICE>), its permissions and the whole topology on BROKER_URL's "
    "virtual host, as the administrator BROKER_URL names, through BROKER_ADMIN_URL. "
    "Idempotent: run it at every deployment."))
def broker_setup_command() -> None:
    try:
        for line in broker_setup_from_env(os.environ):
            click.echo(line)
    except (SettingsError, BrokerAdminError) as exc:
        raise click.ClickException(str(exc)) from None


if __name__ == "__main__":
    main(prog_name="python -m shared")
