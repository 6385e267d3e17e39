"""Erasure as the applications service runs it, on both run modes: who may ask (an
organisation for what it supplied, the data protection officer for the person), the request
event and its scope, this service's own erasure when vetting reports, progress per service
until complete (without counts or the person for an organisation), and news about the erased
applications arriving later being dropped."""

from __future__ import annotations

import copy
import json
import uuid

import pytest
from sqlalchemy import select, text

from applications.models import Organisation
from applications.schemas.examples import sample_application
from applications.service import definition
from shared.crypto.at_rest import installed
from shared.db import outbox_table
from tests.support.applications_api import organisations_api
from tests.support.clock import iso_now
from tests.support.events import hand
from tests.support.identity import mint

SENTINEL = "Qzerasure7"


@pytest.fixture
def api(backend_env):
    client, platform = organisations_api(backend_env["applications"])
    yield client, platform
    platform.engine.dispose()


def staff(platform, role: str) -> dict[str, str]:
    token = mint("applications", "dpo-ola", {role}, at=platform.clock.now())
    return {"Authorization": f"Bearer {token}"}


def submitted(client, org="A") -> str:
    body = copy.deepcopy(sample_application(f"{SENTINEL.lower()}@example.org"))
    body["applicant"]["surname"] = f"{SENTINEL}-Surname"
    draft = client.call("POST", "/applications", json=body, org=org).json
    assert client.call("POST", f"/applications/{draft['id']}/submit", org=org).status_code == 200
    return draft["id"]


def report(platform, event_type: str, erasure_id: str, application_ids, person_id=None):
    data = {
        "erasure_id": erasure_id,
        "application_ids": application_ids,
        "counts": {"things": 3},
        "erased_at": iso_now(),
    }
    if event_type != "vetting.applications_erased":  # it names no person
        data["person_id"] = person_id
    hand(platform, "applications", event_type, data, subject=application_ids[0])


def org_id(platform, name: str) -> str:
    with platform.session_factory() as session:
        return session.execute(
            select(Organisation.id).where(Organisation.name == f"Org {name}")
        ).scalar_one()


def raw_text(platform) -> str:
    """Every row of every table, with encrypted values opened: what a search would find."""
    keyring, found = installed(), []
    with platform.engine.connect() as conn:
        tables = [
            name
            for (name,) in conn.execute(
                text(
                    "SELECT name FROM sqlite_master WHERE type='table'"
                    if platform.settings.is_sqlite
                    else "SELECT tablename FROM pg_tables WHERE schemaname='public'"
                )
            )
        ]
        for table in tables:
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                for value in row:
                    value = str(value)
                    found.append(value)
                    if value.startswith("gAAAA"):
                        found.append(keyring.decrypt(value))
    return "\n".join(found)


def test_who_may_ask_and_the_request_event(api):
    client, platform = api
    application_id = submitted(client)
    path = "/erasure-requests"
    assert (
        client.call("POST", path, json={"application_id": application_id}, org=None).status_code
        == 401
    )
    assert (
        client.call("POST", path, json={"application_id": application_id}, org="B").status_code
        == 404
    )  # another organisation's: does not exist
    officer = staff(platform, "vetting_officer")
    assert (
        client.raw.post(path, json={"application_id": application_id}, headers=officer).status_code
        == 403
    )
    bad = client.call("POST", path, json={"application_id": "nope", "extra": 1})
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"application_id", "extra"}
    assert client.call("POST", path, json={"application_id": str(uuid.uuid4())}).status_code == 404

    first = client.call("POST", path, json={"application_id": application_id})
    assert first.status_code == 202, first.json
    assert first.json["status"] == "IN_PROGRESS"
    assert first.json["services"] == {
        name: {"status": "PENDING"}
        for name in ("applications", "vetting", "access", "notifications")
    }
    again = client.raw.post(
        path,
        json={"application_id": application_id},
        headers=staff(platform, "data_protection_officer"),
    )
    assert again.status_code == 200 and again.json["id"] == first.json["id"]
    with platform.engine.connect() as conn:
        rows = conn.execute(
            outbox_table.select().where(
                outbox_table.c.event_type == "application.erasure_requested"
            )
        ).all()
    assert len(rows) == 1
    data = json.loads(rows[0].body)["data"]
    assert data == {
        "erasure_id": first.json["id"],
        "application_id": application_id,
        "requested_at": data["requested_at"],
        "scope": "ORGANISATION",
        "organisation_id": org_id(platform, "A"),
    }
    assert first.json["scope"] == "ORGANISATION" and first.json["person_id"] is None
    assert client.call("GET", f"{path}/{first.json['id']}", org="B").status_code == 404
    assert (
        client.raw.get(
            f"{path}/{first.json['id']}", headers=staff(platform, "data_protection_officer")
        ).status_code
        == 200
    )


def test_the_officers_request_erases_the_person_and_shows_the_counts(api):
    client, platform = api
    mine, theirs = submitted(client, "A"), submitted(client, "B")  # one person, two orgs
    assert SENTINEL in raw_text(platform)
    dpo = staff(platform, "data_protection_officer")
    asked = client.raw.post("/erasure-requests", json={"application_id": mine}, headers=dpo)
    assert asked.status_code == 202 and asked.json["scope"] == "PERSON"
    erasure_id = asked.json["id"]
    person_id = str(uuid.uuid4())

    def progress() -> dict:
        return client.raw.get(f"/erasure-requests/{erasure_id}", headers=dpo).json

    report(platform, "vetting.person_erased", erasure_id, [mine, theirs], person_id)
    assert progress()["status"] == "IN_PROGRESS" and progress()["person_id"] == person_id
    assert progress()["services"]["vetting"]["status"] == "ERASED"
    assert progress()["services"]["applications"]["counts"]["applications"] == 2
    assert progress()["services"]["access"] == {"status": "PENDING"}
    assert SENTINEL not in raw_text(platform)
    view = client.call("GET", f"/applications/{mine}").json
    assert view["applicant"] == {} and view["timeline"][-1]["kind"] == "erased"
    assert view["status"] == "IN_VETTING" or view["status"] == "SUBMITTED"

    report(platform, "access.person_erased", erasure_id, [mine, theirs], person_id)
    report(platform, "notification.person_erased", erasure_id, [mine, theirs], person_id)
    done = progress()
    assert done["status"] == "COMPLETE" and done["completed_at"]
    assert {s["status"] for s in done["services"].values()} == {"ERASED"}

    # Vetting's report delivered again (a new event id: a replay) erases nothing more.
    report(platform, "vetting.person_erased", erasure_id, [mine, theirs], person_id)
    assert progress()["services"]["applications"]["counts"]["applications"] == 0


def test_an_organisations_request_erases_its_own_applications_and_tells_it_nothing_more(api):
    client, platform = api
    mine, theirs = submitted(client, "A"), submitted(client, "B")  # one person, two orgs
    erasure_id = client.call("POST", "/erasure-requests", json={"application_id": mine}).json["id"]
    report(platform, "vetting.applications_erased", erasure_id, [mine])
    for service in ("access", "notification"):
        report(platform, f"{service}.person_erased", erasure_id, [mine])
    progress = client.call("GET", f"/erasure-requests/{erasure_id}").json
    assert progress["status"] == "COMPLETE" and progress["person_id"] is None
    # Each service's progress, never its counts (they could tell of others' records).
    assert all(set(part) == {"status", "erased_at"} for part in progress["services"].values())
    assert client.call("GET", f"/applications/{mine}").json["applicant"] == {}
    other = client.call("GET", f"/applications/{theirs}", org="B").json
    assert other["applicant"]["surname"] == f"{SENTINEL}-Surname"  # the other's stays
    mine_again = submitted(client, "A")
    assert client.call("GET", f"/applications/{mine_again}").json["applicant"]

    # News about the erased applications arriving late is dropped, not recorded.
    hand(
        platform,
        "applications",
        "vetting.case_opened",
        {
            "case_id": str(uuid.uuid4()),
            "application_id": mine,
            "opened_at": iso_now(),
            "establishments": ["WWI"],
            "requested_access": "ESCORTED",
        },
    )
    kinds = [e["kind"] for e in client.call("GET", f"/applications/{mine}").json["timeline"]]
    assert kinds.count("checks_started") == 0


def test_the_operator_asks_from_the_command_line(api, backend_env):
    from click.testing import CliRunner

    from shared.cli import make_cli

    client, _platform = api
    application_id = submitted(client)
    cli, runner, env = make_cli(definition(), "x"), CliRunner(), backend_env["applications"]
    asked = runner.invoke(
        cli, ["erasure", "request", "--application-id", application_id, "--by", "dpo-ola"], env=env
    )
    assert asked.exit_code == 0, asked.output
    request = json.loads(asked.stdout)
    assert request["status"] == "IN_PROGRESS"
    again = json.loads(
        runner.invoke(
            cli,
            ["erasure", "request", "--application-id", application_id, "--by", "dpo-ola"],
            env=env,
        ).stdout
    )
    assert again["id"] == request["id"]  # one request under way, not two
    status = runner.invoke(cli, ["erasure", "status", request["id"]], env=env)
    assert json.loads(status.stdout)["services"]["vetting"] == {"status": "PENDING"}
    unknown = runner.invoke(
        cli,
        ["erasure", "request", "--application-id", str(uuid.uuid4()), "--by", "dpo-ola"],
        env=env,
    )
    assert unknown.exit_code != 0 and "no application" in unknown.output
