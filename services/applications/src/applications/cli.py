"""Operator commands of the applications service (entrypoints: each commits its own work):
organisations, their API keys, establishments, bulk intake, erasure requests."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import BinaryIO

import click

from applications.models import Establishment, Organisation, PortalMember
from applications.service_layer import bulk, erasure, members, spreadsheets
from applications.service_layer import organisations as service_layer
from applications.service_layer.audit_trail import OPERATOR
from shared.cli import CliState, pass_state
from shared.errors import Invalid, NotFound
from shared.reference import load_establishments
from shared.uow import UnitOfWork


def _invite(
    uow: UnitOfWork, organisation_id: str, email: str, role: str, state: CliState
) -> PortalMember:
    """members.invite as the operator; a refusal is the command's error message."""
    try:
        return members.invite(
            uow, organisation_id, email, role, OPERATOR, members.portal_url(state.settings)
        )
    except (Invalid, NotFound) as exc:
        details = [m for messages in getattr(exc, "errors", {}).values() for m in messages]
        raise click.ClickException(details[0] if details else str(exc)) from exc


def commands() -> list[click.Command]:
    @click.command(
        "create-organisation",
        help=(
            "Register an MA organisation; its coordinator email is invited to the portal as the "
            "organisation's admin."
        ),
    )
    @click.option("--name", required=True)
    @click.option("--fellowship", required=True, type=click.Choice(service_layer.FELLOWSHIPS))
    @click.option("--coordinator-email", required=True)
    @pass_state
    def create_organisation(
        state: CliState, name: str, fellowship: str, coordinator_email: str
    ) -> None:
        with state.platform.unit_of_work() as uow:
            organisation = service_layer.create_organisation(
                uow, name, fellowship, coordinator_email
            )
            uow.session.flush()
            member = _invite(uow, organisation.id, coordinator_email, members.ADMIN, state)
            uow.commit()
        click.echo(
            json.dumps(
                {
                    "organisation_id": organisation.id,
                    "name": organisation.name,
                    "admin_invited": member.email,
                }
            )
        )

    @click.command(
        "invite-portal-member",
        help="Invite someone by email to an organisation's coordinators' portal (emailed).",
    )
    @click.argument("organisation_id")
    @click.argument("email")
    @click.option("--role", type=click.Choice(members.ROLES), default=members.COORDINATOR)
    @pass_state
    def invite_portal_member(state: CliState, organisation_id: str, email: str, role: str) -> None:
        with state.platform.unit_of_work() as uow:
            member = _invite(uow, organisation_id, email, role, state)
            uow.commit()
        click.echo(json.dumps({"member_id": member.id, "email": member.email, "role": role}))

    @click.command("create-api-key", help="Issue an API key (printed once, stored hashed).")
    @click.argument("organisation_id")
    @pass_state
    def create_api_key(state: CliState, organisation_id: str) -> None:
        with state.platform.unit_of_work() as uow:
            try:
                plaintext = service_layer.issue_api_key(
                    uow, organisation_id, state.settings.api_key_pepper
                )
            except LookupError as exc:
                raise click.ClickException(str(exc)) from exc
            uow.commit()
        click.echo(
            json.dumps(
                {"api_key": plaintext, "note": "Shown once. Store it in your secret manager."}
            )
        )

    @click.command("revoke-api-key", help="Revoke an API key by its key id.")
    @click.argument("key_id")
    @pass_state
    def revoke_api_key(state: CliState, key_id: str) -> None:
        with state.platform.unit_of_work() as uow:
            try:
                service_layer.revoke_api_key(uow, key_id)
            except LookupError as exc:
                raise click.ClickException(str(exc)) from exc
            uow.commit()
        click.echo(json.dumps({"revoked": key_id}))

    @click.command(
        "reload-establishments",
        help="Reload establishments from a CSV (default: the packaged copy).",
    )
    @click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @pass_state
    def reload_establishments(state: CliState, path: Path | None) -> None:
        with state.platform.unit_of_work() as uow:
            for e in load_establishments(path).values():
                # The table keeps the columns readiness needs; vetting reads the rest itself.
                uow.session.merge(
                    Establishment(
                        code=e.code,
                        name=e.name,
                        nation=e.nation,
                        high_security=e.high_security,
                        womens_estate=e.womens_estate,
                    )
                )
            uow.commit()
        click.echo("establishments reloaded")

    @click.command(
        "bulk-import",
        help=(
            "Check a CSV (or an XLSX workbook, by its .xlsx name) of draft applicants for an "
            "organisation (a dry run: nothing is written), "
            "or, with --commit, create every draft (none if any row has an error). Exits 1 when "
            "there are errors."
        ),
    )
    @click.argument("organisation_id")
    @click.argument("file", type=click.File("rb"))
    @click.option("--commit", is_flag=True, help="Create the drafts (default: dry run).")
    @pass_state
    def bulk_import(state: CliState, organisation_id: str, file: BinaryIO, commit: bool) -> None:
        try:
            xlsx = str(getattr(file, "name", "")).lower().endswith(".xlsx")
            rows = (spreadsheets.read_xlsx if xlsx else bulk.read_csv)(file.read())
        except bulk.BadFile as exc:
            details = [message for messages in exc.errors.values() for message in messages]
            raise click.ClickException("\n".join([str(exc), *details])) from exc
        with state.platform.session_factory() as session:
            if session.get(Organisation, organisation_id) is None:
                raise click.ClickException(f"no organisation {organisation_id}")
            coordinator_email = bulk.coordinator_email(session, organisation_id)
        with click.progressbar(
            length=len(rows), label=f"Checking {len(rows)} row(s)", file=sys.stderr
        ) as bar:
            result = bulk.check_rows(
                rows, coordinator_email, commit=commit, progress=lambda _row: bar.update(1)
            )
        if result.to_create:
            with state.platform.unit_of_work() as uow:
                bulk.create_drafts(uow, organisation_id, result)
                uow.commit()
        for row_errors in result.errors:
            for column, messages in row_errors["errors"].items():
                for message in messages:
                    click.echo(f"row {row_errors['row']}: {column}: {message}")
        invalid = len(result.errors)
        click.echo(f"{result.rows} row(s): {result.rows - invalid} valid, {invalid} with errors.")
        if result.created_ids:
            click.echo(f"Created {len(result.created_ids)} draft(s):")
            click.echo("\n".join(result.created_ids))
        elif commit:
            click.echo("Nothing was created: fix the rows with errors and run again.")
        else:
            click.echo("Dry run: nothing was written. Run again with --commit to create them.")
        if invalid:
            sys.exit(1)

    @click.group("erasure", help="Erasure of a person's data in every service.")
    def erasure_group() -> None:
        pass

    @erasure_group.command(
        "request",
        help=(
            "Ask every service to erase the person behind an application (as the operator). "
            "Prints the request; asking again while one is under way prints that one."
        ),
    )
    @click.option("--application-id", required=True)
    @click.option(
        "--by",
        "requested_by",
        required=True,
        help="Who asks, for the audit trail (e.g. the DPO's staff id).",
    )
    @pass_state
    def request_erasure(state: CliState, application_id: str, requested_by: str) -> None:
        with state.platform.unit_of_work() as uow:
            try:
                request, _created = erasure.request_erasure(
                    uow,
                    application_id,
                    organisation_id=None,
                    requested_by=f"operator:{requested_by}",
                )
            except NotFound as exc:
                raise click.ClickException(f"no application {application_id}") from exc
            view = erasure.request_view(request, for_organisation=False)
            uow.commit()
        click.echo(json.dumps(view, default=str))

    @erasure_group.command("status", help="How far each service has got with a request.")
    @click.argument("erasure_id")
    @pass_state
    def erasure_status(state: CliState, erasure_id: str) -> None:
        with state.platform.session_factory() as session:
            try:
                view = erasure.request_view(
                    erasure.find_request(session, erasure_id, None), for_organisation=False
                )
            except NotFound as exc:
                raise click.ClickException(f"no erasure request {erasure_id}") from exc
        click.echo(json.dumps(view, default=str))

    return [
        create_organisation,
        invite_portal_member,
        create_api_key,
        revoke_api_key,
        reload_establishments,
        bulk_import,
        erasure_group,
    ]
