"""Erasure as the applications service runs it, on both run modes: who may ask (an
organisation for its own applicant, the data protection officer for anyone), the request event,
this service's own erasure when vetting reports, progress per service until complete, and news
about the erased person arriving later being dropped."""

from __future__ import annotations

import copy
import json
import uuid

import pytest
from sqlalchemy import text

from applications.examples import sample_application
from applications.service import definition
from shared.auth import StaffIdentity, StaffTokens
from shared.crypto import installed
from shared.db import outbox_table
from tests.support.applications_api import organisations_api
from tests.support.clock import iso_now
from tests.support.events import hand

SENTINEL = "Qzerasure7"


@pytest.fixture
def api(backend_env):
    client, platform = organisations_api(backend_env["applications"])
    yield client, platform
    platform.engine.dispose()


def staff(platform, role: str) -> dict[str, str]:
    tokens = StaffTokens(platform.settings.staff_token_secret, 600)
    token = tokens.issue(StaffIdentity("dpo-ola", frozenset({role}), frozenset()))
    return {"Authorization": f"Bearer {token}"}


def submitted(client, org="A") -> str:
    body = copy.deepcopy(sample_application(f"{SENTINEL.lower()}@example.org"))
    body["applicant"]["surname"] = f"{SENTINEL}-Surname"
    draft = client.call("POST", "/applications", json=body, org=org).json
    assert client.call("POST", f"/applications/{draft['id']}/submit", org=org).status_code == 200
    return draft["id"]


def report(platform, event_type: str, erasure_id: str, application_ids, person_id=None):
    data = {"erasure_id": erasure_id, "person_id": person_id,
            "application_ids": application_ids, "counts": {"things": 3},
            "erased_at": iso_now()}
    hand(platform, "applications", event_type, data, subject=application_ids[0])


def raw_text(platform) -> str:
    """Every row of every table, with encrypted values opened: what a search would find."""
    keyring, found = installed(), []
    with platform.engine.connect() as conn:
        tables = [name for (name,) in conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type='table'" if platform.settings.is_sqlite
            else "SELECT tablename FROM pg_tables WHERE schemaname='public'"))]
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
    assert client.call("POST", path, json={"application_id": application_id},
                       org=None).status_code == 401
    assert client.call("POST", path, json={"application_id": application_id},
                       org="B").status_code == 404  # another organisation's: does not exist
    officer = staff(platform, "vetting_officer")
    assert client.raw.post(path, json={"application_id": application_id},
                           headers=officer).status_code == 403
    bad = client.call("POST", path, json={"application_id": "nope", "extra": 1})
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"application_id", "extra"}
    assert client.call("POST", path, json={"application_id": str(uuid.uuid4())}
                       ).status_code == 404

    first = client.call("POST", path, json={"application_id": application_id})
    assert first.status_code == 202, first.json
    assert first.json["status"] == "IN_PROGRESS"
    assert first.json["services"] == {name: {"status": "PENDING"} for name in (
        "applications", "vetting", "access", "notifications")}
    again = client.raw.post(path, json={"application_id": application_id},
                            headers=staff(platform, "data_protection_officer"))
    assert again.status_code == 200 and again.json["id"] == first.json["id"]
    with platform.engine.connect() as conn:
        rows = conn.execute(outbox_table.select().where(
            outbox_table.c.event_type == "application.erasure_requested")).all()
    assert len(rows) == 1
    assert json.loads(rows[0].body)["data"] == {
        "erasure_id": first.json["id"], "application_id": application_id,
        "requested_at": json.loads(rows[0].body)["data"]["requested_at"]}
    assert client.call("GET", f"{path}/{first.json['id']}", org="B").status_code == 404
    assert client.raw.get(f"{path}/{first.json['id']}",
                          headers=staff(platform, "data_protection_officer")).status_code == 200


def test_vetting_report_erases_here_and_progress_runs_to_complete(api):
    client, platform = api
    mine, theirs = submitted(client, "A"), submitted(client, "B")  # one person, two orgs
    assert SENTINEL in raw_text(platform)
    erasure_id = client.call("POST", "/erasure-requests", json={"application_id": mine}).json["id"]
    person_id = str(uuid.uuid4())

    report(platform, "vetting.person_erased", erasure_id, [mine, theirs], person_id)
    progress = client.call("GET", f"/erasure-requests/{erasure_id}").json
    assert progress["status"] == "IN_PROGRESS" and progress["person_id"] == person_id
    assert progress["services"]["vetting"]["status"] == "ERASED"
    assert progress["services"]["applications"]["counts"]["applications"] == 2
    assert progress["services"]["access"] == {"status": "PENDING"}
    assert SENTINEL not in raw_text(platform)
    view = client.call("GET", f"/applications/{mine}").json
    assert view["applicant"] == {} and view["timeline"][-1]["kind"] == "erased"
    assert view["status"] == "IN_VETTING" or view["status"] == "SUBMITTED"

    report(platform, "access.person_erased", erasure_id, [mine, theirs], person_id)
    report(platform, "notification.person_erased", erasure_id, [mine, theirs], person_id)
    done = client.call("GET", f"/erasure-requests/{erasure_id}").json
    assert done["status"] == "COMPLETE" and done["completed_at"]
    assert {s["status"] for s in done["services"].values()} == {"ERASED"}

    # Vetting's report delivered again (a new event id: a replay) erases nothing more.
    report(platform, "vetting.person_erased", erasure_id, [mine, theirs], person_id)
    again = client.call("GET", f"/erasure-requests/{erasure_id}").json
    assert again["services"]["applications"]["counts"]["applications"] == 0

    # News about the erased applications arriving late is dropped, not recorded.
    hand(platform, "applications", "vetting.case_opened", {
        "case_id": str(uuid.uuid4()), "application_id": mine, "opened_at": iso_now(),
        "establishments": ["WWI"], "requested_access": "ESCORTED"})
    kinds = [e["kind"] for e in client.call("GET", f"/applications/{mine}").json["timeline"]]
    assert kinds.count("checks_started") == 0


def test_the_operator_asks_from_the_command_line(api, backend_env):
    from click.testing import CliRunner

    from shared.cli import make_cli

    client, _platform = api
    application_id = submitted(client)
    cli, runner, env = make_cli(definition(), "x"), CliRunner(), backend_env["applications"]
    asked = runner.invoke(cli, ["erasure", "request", "--application-id", application_id,
                                "--by", "dpo-ola"], env=env)
    assert asked.exit_code == 0, asked.output
    request = json.loads(asked.stdout)
    assert request["status"] == "IN_PROGRESS"
    again = json.loads(runner.invoke(cli, ["erasure", "request", "--application-id",
                                           application_id, "--by", "dpo-ola"], env=env).stdout)
    assert again["id"] == request["id"]  # one request under way, not two
    status = runner.invoke(cli, ["erasure", "status", request["id"]], env=env)
    assert json.loads(status.stdout)["services"]["vetting"] == {"status": "PENDING"}
    unknown = runner.invoke(cli, ["erasure", "request", "--application-id", str(uuid.uuid4()),
                                  "--by", "dpo-ola"], env=env)
    assert unknown.exit_code != 0 and "no application" in unknown.output
