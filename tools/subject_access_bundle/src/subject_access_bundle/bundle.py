"""Gather a subject access request from all four services into one JSON bundle (operators).

    python -m subject_access_bundle --person ID [--out FILE]
        [--from-date YYYY-MM-DD] [--to-date YYYY-MM-DD]

`ID` is vetting's person id or an application id. Vetting is asked first: it answers for the
whole person, with the person id and every application id it knows. Then each service is asked
(`GET /subject-access-request`, shared.web.subject_access) for the given id, the person id and
each application id, and its answers are merged without duplicates. The bundle:

    {"person": {"requested": ID, "person_id": ...}, "requested_at": ..., "from_date": ...,
     "to_date": ..., "application_ids": [...],
     "services": {"applications": ..., "vetting": ..., "access": ..., "notifications": ...},
     "incomplete": [], "errors": {}}

A service that holds nothing is `null`. When a service cannot be reached or answers an error,
the command says which on stderr and exits 1, and the bundle is not written as FILE (nor to
stdout): with --out the partial bundle goes to FILE.incomplete, listing the services missing
in "incomplete" — an incomplete bundle never looks like a complete one. It only reads, and
writes the file atomically (a temporary file renamed into place, readable by its owner only),
so it is safe to interrupt and to run again; a complete run removes a FILE.incomplete left by
an earlier one.

Services are found at APPLICATIONS_URL, VETTING_URL, ACCESS_URL and NOTIFICATIONS_URL (default:
http://127.0.0.1 on the ports `make run` uses). The command gets one access token per service
from the identity provider (OIDC_ISSUER) with the client credentials of a client registered
there with the `data_protection_officer` role (SUBJECT_ACCESS_CLIENT_ID and
SUBJECT_ACCESS_CLIENT_SECRET; `<SERVICE>_AUDIENCE` when a service's audience is not its name),
used for this run only and never shown; every service writes each request to its audit log
under that client's subject, with one correlation id for the whole run.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import click

from shared.client_credentials import MachineClient, TokenRefused
from shared.clock import process_clock
from shared.config import DEFAULT_PORTS
from shared.web.subject_access import PATH

SERVICES = ("applications", "vetting", "access", "notifications")
# Vetting first (it knows the person and all their applications), the others after.
FAN_OUT = ("applications", "access", "notifications")
TIMEOUT_S = 30.0


def service_urls(env: Mapping[str, str] | None = None) -> dict[str, str]:
    env = os.environ if env is None else env
    return {
        service: env.get(
            f"{service.upper()}_URL", f"http://127.0.0.1:{DEFAULT_PORTS[service]}"
        ).rstrip("/")
        for service in SERVICES
    }


class ServiceFailed(Exception):
    """A service could not be reached or answered an error."""


@dataclass
class Asker:
    urls: Mapping[str, str]
    tokens: Mapping[str, str]  # an access token per service (its audience)
    from_date: date | None = None
    to_date: date | None = None
    correlation_id: str = field(default_factory=lambda: f"sar-{uuid.uuid4()}")
    timeout_s: float = TIMEOUT_S

    def __call__(self, service: str, identifier: str) -> dict[str, Any] | None:
        """The service's content for `identifier`; None when it holds nothing (204)."""
        query = {"person": identifier}
        if self.from_date:
            query["fromDate"] = self.from_date.isoformat()
        if self.to_date:
            query["toDate"] = self.to_date.isoformat()
        request = Request(
            f"{self.urls[service]}{PATH}?{urlencode(query)}",
            headers={
                "Authorization": f"Bearer {self.tokens[service]}",
                "Accept": "application/json",
                "X-Correlation-ID": self.correlation_id,
            },
        )
        try:
            with urlopen(request, timeout=self.timeout_s) as response:
                status, body = response.status, response.read()
        except HTTPError as exc:
            raise ServiceFailed(f"answered {exc.code}: {_message(exc)}") from None
        except (URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ServiceFailed(f"could not be reached at {self.urls[service]}: {reason}") from None
        if status == 204:
            return None
        if status != 200:
            raise ServiceFailed(f"answered {status}, not 200 or 204")
        try:
            content = json.loads(body)["content"]
        except (ValueError, KeyError, TypeError):
            raise ServiceFailed("answered 200 without a JSON content object") from None
        if not isinstance(content, dict):
            raise ServiceFailed("answered 200 without a JSON content object")
        return content


def _message(exc: HTTPError) -> str:
    try:
        return str(json.loads(exc.read()).get("message") or exc.reason)
    except Exception:  # noqa: BLE001 - any unreadable body: the status line says enough
        return str(exc.reason)


def merge(contents: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """One service's answers to several identifiers as one: lists joined without duplicates
    (records with an id by id, others by value), anything else kept from the first answer."""
    merged: dict[str, Any] = {}
    seen: dict[str, set[str]] = {}
    found = False
    for content in contents:
        found = True
        for key, value in content.items():
            if isinstance(value, list):
                items = merged.setdefault(key, [])
                if not isinstance(items, list):
                    continue
                keys = seen.setdefault(key, set())
                for item in value:
                    identity = _identity(item)
                    if identity not in keys:
                        keys.add(identity)
                        items.append(item)
            elif merged.get(key) is None:
                merged[key] = value
    return merged if found else None


def _identity(item: Any) -> str:
    if isinstance(item, dict) and item.get("id") is not None:
        return f"id:{item['id']}"
    return "value:" + json.dumps(item, sort_keys=True, default=str)


def gather_bundle(person: str, ask: Asker) -> dict[str, Any]:
    """Ask every service; the bundle, with `incomplete` naming any service that failed."""
    answers: dict[str, list[dict[str, Any]]] = {service: [] for service in SERVICES}
    errors: dict[str, str] = {}
    try:
        vetting = ask("vetting", person)
    except ServiceFailed as exc:
        vetting, errors["vetting"] = None, str(exc)
    if vetting is not None:
        answers["vetting"].append(vetting)
    person_id = ((vetting or {}).get("person") or {}).get("id")
    known = list((vetting or {}).get("application_ids") or [])
    identifiers = list(dict.fromkeys([person, *([person_id] if person_id else []), *known]))
    for service in FAN_OUT:
        for identifier in identifiers:
            try:
                content = ask(service, identifier)
            except ServiceFailed as exc:
                errors[service] = str(exc)
                break
            if content is not None:
                answers[service].append(content)
    services = {service: merge(answers[service]) for service in SERVICES}
    application_ids = list(
        dict.fromkeys(
            [
                *known,
                *(
                    a.get("id")
                    for a in (services["applications"] or {}).get("applications", [])
                    if a.get("id")
                ),
            ]
        )
    )
    return {
        "person": {"requested": person, "person_id": person_id},
        "requested_at": process_clock().now().isoformat(),
        "from_date": ask.from_date.isoformat() if ask.from_date else None,
        "to_date": ask.to_date.isoformat() if ask.to_date else None,
        "application_ids": application_ids,
        "services": services,
        "incomplete": [service for service in SERVICES if service in errors],
        "errors": errors,
    }


def write_atomically(path: Path, text: str) -> None:
    """Into a temporary file beside `path` (owner-only), flushed to disk, renamed over it: a
    reader sees the old file or the whole new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def incomplete_path(path: Path) -> Path:
    return path.with_name(path.name + ".incomplete")


def service_tokens(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """One access token per service from the identity provider (client credentials)."""
    env = os.environ if env is None else env
    # Development defaults: the development identity provider's client for the bundle.
    client = MachineClient.at_issuer(
        env.get("SUBJECT_ACCESS_CLIENT_ID", "subject-access-bundle"),
        env.get("SUBJECT_ACCESS_CLIENT_SECRET", "dev-sar-secret-change-me"),
        env,
    )
    return {
        service: client.token(env.get(f"{service.upper()}_AUDIENCE", service))
        for service in SERVICES
    }


def _uuid(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise click.BadParameter("not a person id or an application id (a UUID)") from None


@click.command(help="Gather a subject access request from all four services into one JSON bundle.")
@click.option(
    "--person", required=True, callback=_uuid, help="Vetting's person id, or an application id."
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the bundle here (default: stdout).",
)
@click.option(
    "--from-date",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="First day of the period (UTC, inclusive).",
)
@click.option(
    "--to-date",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Last day of the period (UTC, inclusive).",
)
def main(
    person: str, out: Path | None, from_date: datetime | None, to_date: datetime | None
) -> None:
    if from_date and to_date and from_date > to_date:
        raise click.BadParameter("must not be before --from-date", param_hint="--to-date")
    try:
        tokens = service_tokens()
    except TokenRefused as exc:
        click.echo(f"no access token: {exc}; nothing was asked", err=True)
        sys.exit(1)
    ask = Asker(
        service_urls(),
        tokens,
        from_date.date() if from_date else None,
        to_date.date() if to_date else None,
    )
    bundle = gather_bundle(person, ask)
    text = json.dumps(bundle, indent=2, ensure_ascii=False) + "\n"
    if bundle["incomplete"]:
        for service in bundle["incomplete"]:
            click.echo(f"{service}: {bundle['errors'][service]}", err=True)
        where = ""
        if out is not None:
            write_atomically(incomplete_path(out), text)
            where = f"; what was gathered is in {incomplete_path(out)}"
        click.echo(
            f"INCOMPLETE: no answer from {', '.join(bundle['incomplete'])}; "
            f"the bundle was not written{where}",
            err=True,
        )
        sys.exit(1)
    if out is None:
        click.echo(text, nl=False)
        return
    write_atomically(out, text)
    incomplete_path(out).unlink(missing_ok=True)
    found = [service for service in SERVICES if bundle["services"][service] is not None]
    click.echo(
        f"{out}: complete; {len(bundle['application_ids'])} application(s); data held "
        f"by {', '.join(found) or 'no service'}",
        err=True,
    )
