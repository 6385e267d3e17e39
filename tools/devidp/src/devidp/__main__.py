"""`python -m devidp serve | rotate-keys | users`: the development identity provider."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import click
from werkzeug.serving import make_server

from devidp.directory import Directory
from devidp.keys import KeyStore
from shared.clock import process_clock

DEV_PORT = 9000


def packaged(name: str) -> Path:
    return Path(str(resources.files("devidp").joinpath(name)))


@click.group(help="The development OpenID Connect provider (never deployed).")
def main() -> None:
    pass


@main.command(help="Serve the provider until stopped.")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=DEV_PORT, type=int)
@click.option("--issuer", default=None, help="default http://HOST:PORT")
@click.option(
    "--var-dir",
    type=click.Path(path_type=Path),
    default=Path("var/devidp"),
    help="where the signing keys are kept",
)
@click.option(
    "--users",
    "users_file",
    type=click.Path(path_type=Path),
    default=None,
    help="users and their roles (JSON; default: the packaged development users)",
)
@click.option("--clients", "clients_file", type=click.Path(path_type=Path), default=None)
@click.option(
    "--test-mode", is_flag=True, help="honour the test client's claims and POST /test/rotate-keys"
)
def serve(
    host: str,
    port: int,
    issuer: str | None,
    var_dir: Path,
    users_file: Path | None,
    clients_file: Path | None,
    test_mode: bool,
) -> None:
    from devidp.app import create_app
    from devidp.server import Provider

    provider = Provider(
        issuer=issuer or f"http://{host}:{port}",
        directory=Directory(
            users_file or packaged("dev_users.json"), clients_file or packaged("dev_clients.json")
        ),
        keys=KeyStore(var_dir / "signing-keys.json"),
        clock=process_clock(),
        test_mode=test_mode,
    )
    server = make_server(host, port, create_app(provider), threaded=True)
    click.echo(f"devidp: {provider.issuer} (keys in {var_dir})", err=True)
    server.serve_forever()


@main.command("rotate-keys", help="A new signing key; the old ones stay published.")
@click.option("--var-dir", type=click.Path(path_type=Path), default=Path("var/devidp"))
@click.option("--alg", type=click.Choice(["RS256", "ES256"]), default="RS256")
def rotate_keys(var_dir: Path, alg: str) -> None:
    click.echo(KeyStore(var_dir / "signing-keys.json").rotate(alg))


@main.command(help="The users who may sign in, one JSON line each (never the password).")
@click.option("--users", "users_file", type=click.Path(path_type=Path), default=None)
def users(users_file: Path | None) -> None:
    directory = Directory(users_file or packaged("dev_users.json"), packaged("dev_clients.json"))
    for user in directory.users():
        click.echo(
            json.dumps(
                {
                    "username": user.username,
                    "name": user.name,
                    "roles": list(user.roles),
                    "establishments": list(user.establishments),
                    "people": user.people,
                    "email": user.email,
                }
            )
        )


if __name__ == "__main__":
    main()
