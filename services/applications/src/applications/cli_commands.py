"""Operator commands of the applications service: organisations and their API keys."""

from __future__ import annotations

import json
from pathlib import Path

import click

from applications.models import Establishment
from applications.service_layer import organisations as service_layer
from shared.cli import CliState, pass_state
from shared.reference import load_establishments


def commands() -> list[click.Command]:
    @click.command("create-organisation", help="Register an MA organisation.")
    @click.option("--name", required=True)
    @click.option("--fellowship", required=True, type=click.Choice(service_layer.FELLOWSHIPS))
    @click.option("--coordinator-email", required=True)
    @pass_state
    def create_organisation(state: CliState, name: str, fellowship: str,
                            coordinator_email: str) -> None:
        with state.platform.unit_of_work() as uow:
            organisation = service_layer.create_organisation(uow, name, fellowship,
                                                             coordinator_email)
        click.echo(json.dumps({"organisation_id": organisation.id, "name": organisation.name}))

    @click.command("create-api-key", help="Issue an API key (printed once, stored hashed).")
    @click.argument("organisation_id")
    @pass_state
    def create_api_key(state: CliState, organisation_id: str) -> None:
        with state.platform.unit_of_work() as uow:
            try:
                plaintext = service_layer.issue_api_key(uow, organisation_id,
                                                        state.settings.api_key_pepper)
            except LookupError as exc:
                raise click.ClickException(str(exc)) from exc
        click.echo(json.dumps({"api_key": plaintext,
                               "note": "Shown once. Store it in your secret manager."}))

    @click.command("revoke-api-key", help="Revoke an API key by its key id.")
    @click.argument("key_id")
    @pass_state
    def revoke_api_key(state: CliState, key_id: str) -> None:
        with state.platform.unit_of_work() as uow:
            try:
                service_layer.revoke_api_key(uow, key_id)
            except LookupError as exc:
                raise click.ClickException(str(exc)) from exc
        click.echo(json.dumps({"revoked": key_id}))

    @click.command("reload-establishments",
                   help="Reload establishments from a CSV (default: the packaged copy).")
    @click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @pass_state
    def reload_establishments(state: CliState, path: Path | None) -> None:
        with state.platform.unit_of_work() as uow:
            for establishment in load_establishments(path).values():
                uow.session.merge(Establishment(**vars(establishment)))
            uow.commit()
        click.echo("establishments reloaded")

    return [create_organisation, create_api_key, revoke_api_key, reload_establishments]
