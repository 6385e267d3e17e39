"""`python -m access staff …`: the operator creates, changes, lists and disables the console's
accounts. There is no self-service sign-up: an account is a decision about who may see a
prison's access data."""

from __future__ import annotations

import getpass
import json
import sys

import click

from access.models import StaffAccount
from access.service_layer import staff
from access.service_layer.common import SECURITY_ROLES
from shared.cli import CliState, pass_state
from shared.errors import DomainError, Invalid


def _operator() -> str:
    # Who ran the command, for the audit log (the OS account is all a CLI knows).
    try:
        return f"operator:{getpass.getuser()}"
    except (KeyError, OSError):
        return "operator:unknown"


def _password(from_stdin: bool) -> str:
    if from_stdin:
        # One line, so a pipe (`printf '%s\n' "$PW" | …`) works and no password sits in argv.
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _fail(exc: DomainError) -> None:
    click.echo(f"error: {exc}", err=True)
    for field, messages in (exc.errors if isinstance(exc, Invalid) else {}).items():
        for message in messages:
            click.echo(f"  {field}: {message}", err=True)
    sys.exit(1)


def _show(account: StaffAccount) -> str:
    return json.dumps({
        "username": account.username, "display_name": account.display_name,
        "roles": account.roles, "establishments": account.establishments,
        "active": account.active,
        "last_login_at": account.last_login_at.isoformat() if account.last_login_at else None,
    }, ensure_ascii=False)


@click.group("staff", help="The security console's staff accounts.")
def staff_group() -> None:
    pass


ROLE = click.Choice(SECURITY_ROLES)


@staff_group.command("add", help="Create an account (asks for the password twice unless "
                     "--password-stdin).")
@click.option("--username", required=True)
@click.option("--name", "display_name", required=True, help="The name shown in the console.")
@click.option("--role", "roles", multiple=True, required=True, type=ROLE)
@click.option("--establishment", "establishments", multiple=True, required=True,
              help="An establishment code (repeat for several).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@pass_state
def add(state: CliState, username: str, display_name: str, roles: tuple[str, ...],
        establishments: tuple[str, ...], password_stdin: bool) -> None:
    password = _password(password_stdin)
    with state.platform.session_factory() as session:
        try:
            account = staff.create(session, username=username, display_name=display_name,
                                   password=password, roles=roles,
                                   establishments=establishments,
                                   moment=state.platform.clock.now(), by=_operator())
        except DomainError as exc:
            _fail(exc)
        session.commit()
        click.echo(_show(account))


@staff_group.command("update", help="Change an account: only what is given changes.")
@click.argument("username")
@click.option("--name", "display_name", default=None)
@click.option("--role", "roles", multiple=True, type=ROLE, help="Replaces the roles.")
@click.option("--establishment", "establishments", multiple=True,
              help="Replaces the establishments.")
@click.option("--password", "new_password", is_flag=True, help="Set a new password (prompted).")
@click.option("--password-stdin", is_flag=True, help="Set a new password from standard input.")
@click.option("--enable", is_flag=True, help="Enable the account.")
@pass_state
def update(state: CliState, username: str, display_name: str | None, roles: tuple[str, ...],
           establishments: tuple[str, ...], new_password: bool, password_stdin: bool,
           enable: bool) -> None:
    password = _password(password_stdin) if new_password or password_stdin else None
    with state.platform.session_factory() as session:
        try:
            account = staff.update(session, username, moment=state.platform.clock.now(),
                                   by=_operator(),
                                   display_name=display_name, password=password,
                                   roles=roles or None, establishments=establishments or None,
                                   active=True if enable else None)
        except DomainError as exc:
            _fail(exc)
        session.commit()
        click.echo(_show(account))


@staff_group.command("list", help="Every account, one JSON object a line.")
@pass_state
def list_accounts(state: CliState) -> None:
    with state.platform.session_factory() as session:
        for account in staff.accounts(session):
            click.echo(_show(account))


@staff_group.command("disable", help="Disable an account: signed out at the next request.")
@click.argument("username")
@pass_state
def disable(state: CliState, username: str) -> None:
    with state.platform.session_factory() as session:
        try:
            account = staff.disable(session, username, moment=state.platform.clock.now(),
                                    by=_operator())
        except DomainError as exc:
            _fail(exc)
        session.commit()
        click.echo(_show(account))
