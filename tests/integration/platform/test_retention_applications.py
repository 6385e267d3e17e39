"""Retention in applications, on both run modes: its `retention run` purges what is past its
period and nothing else, keeps what statistics and what still lives need, audits each purge,
changes nothing on a dry run and purges nothing the second time."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from applications.models import Application, Organisation
from applications.schemas.examples import sample_application
from applications.service import definition as applications_definition
from applications.service_layer import organisations
from applications.service_layer import retention as applications_retention
from shared import retention
from shared.platform import Platform
from shared.web import create_web_app
from tests.support.applications_api import Client, deliver
from tests.support.clock import now
from tests.support.retention_world import (
    ANSWER,
    CHECK_SENTINELS,
    CONNECTION,
    GROUNDS,
    OFFENCE,
    QUESTION,
    REASON,
    SIX_MONTHS_ON,
    TWELVE_MONTHS_ON,
    WITHDRAWAL,
    audited,
    dump,
    later,
    now_iso,
    publish_outbox,
    purge,
    raw,
    with_env,
    zeros,
)


@pytest.fixture
def applications(backend_env):  # type: ignore[no-untyped-def]
    from tests.support.platforms import platform_for

    platform = platform_for("applications", backend_env["applications"])
    app = create_web_app(applications_definition(), platform)
    with platform.unit_of_work() as uow:
        org = organisations.create_organisation(uow, "Retention Org", "NA", "c@example.org")
        uow.commit()
    with platform.unit_of_work() as uow:
        key = organisations.issue_api_key(uow, org.id, platform.settings.api_key_pepper)
        uow.commit()
    yield Client(app.test_client(), {"A": key}), platform, org.id
    platform.engine.dispose()


def sentinel_application(surname: str) -> dict[str, Any]:
    body = sample_application(f"{surname.lower()}@example.org")
    body["applicant"]["surname"] = surname
    body["applicant"]["declarations"]["convictions"][0]["offence"] = OFFENCE
    body["applicant"]["connections"] = [
        {"name": CONNECTION, "relationship": "Cousin", "establishment": "BMI"}
    ]
    return body


def submitted_application(client: Client, surname: str) -> str:
    draft = client.draft(sentinel_application(surname))
    submitted = client.call("POST", f"/applications/{draft['id']}/submit")
    assert submitted.status_code == 200, submitted.json
    return draft["id"]


def seed_applications(client: Client, platform: Platform) -> dict[str, str]:
    cleared = submitted_application(client, "Retention-Cleared-A1")
    deliver(
        platform,
        "vetting.info_requested",
        case_id=str(uuid.uuid4()),
        application_id=cleared,
        request_id="req-r1",
        items=[{"question": QUESTION, "field": "applicant.declarations"}],
        reason=REASON,
        due_by=None,
        requested_at=now_iso(),
    )
    answered = client.call(
        "POST",
        f"/applications/{cleared}/responses",
        json={"request_id": "req-r1", "answers": [{"answer": ANSWER}]},
    )
    assert answered.status_code == 200, answered.json
    deliver(
        platform,
        "vetting.clearance_granted",
        case_id=str(uuid.uuid4()),
        application_id=cleared,
        clearance_id=str(uuid.uuid4()),
        level="ENHANCED",
        access="ESCORTED",
        conditions=[],
        establishments=["WWI"],
        issued_at=now_iso(),
        expires_at=(now() + timedelta(days=3 * 365)).isoformat(),
    )
    refused = submitted_application(client, "Retention-Refused-A2")
    deliver(
        platform,
        "vetting.clearance_refused",
        case_id=str(uuid.uuid4()),
        application_id=refused,
        refused_at=now_iso(),
        reconsidered=False,
    )
    asked = client.call(
        "POST", f"/applications/{refused}/reconsideration", json={"grounds": GROUNDS}
    )
    assert asked.status_code == 200, asked.json
    withdrawn = submitted_application(client, "Retention-Withdrawn-A3")
    gone = client.call("POST", f"/applications/{withdrawn}/withdraw", json={"reason": WITHDRAWAL})
    assert gone.status_code == 200, gone.json
    draft = client.draft(sentinel_application("Retention-Draft-A4"))["id"]
    return {"cleared": cleared, "refused": refused, "withdrawn": withdrawn, "draft": draft}


def test_applications_purges_declarations_then_anonymises_closed_applicants(applications):
    client, platform, organisation_id = applications
    apps = seed_applications(client, platform)

    def view(name: str) -> dict[str, Any]:
        response = client.call("GET", f"/applications/{apps[name]}")
        assert response.status_code == 200, response.json
        return response.json

    before = {name: view(name) for name in apps}
    assert all(OFFENCE in dump(v) and CONNECTION in dump(v) for v in before.values())
    assert all(s in raw(platform) for s in (QUESTION, GROUNDS, WITHDRAWAL))
    publish_outbox(platform)
    assert zeros(
        retention.run(
            platform.session_factory,
            with_env(platform, RETENTION_OUTBOX_DAYS="365"),
            applications_retention.PURGES,
            later(5 * 30),
            clock=platform.clock,
        )
    )

    six = later(SIX_MONTHS_ON)
    counts = purge(platform, applications_retention.PURGES, six)
    assert counts["check_details"] == 3 and counts["closed_applicants"] == 0
    for name in ("cleared", "refused", "withdrawn"):
        after = view(name)
        assert not any(s in dump(after) for s in CHECK_SENTINELS), name
        assert "declarations" not in after["applicant"] and "connections" not in after["applicant"]
        assert after["applicant"]["surname"] == before[name]["applicant"]["surname"]
        assert after["applicant"]["addresses"] == before[name]["applicant"]["addresses"]
        for key in (
            "status",
            "role",
            "establishments",
            "requested_access",
            "frequency",
            "outcome",
            "submitted_at",
        ):
            assert after[key] == before[name][key], (name, key)
    [request] = view("cleared")["information_requests"]
    assert request["answers"] is None and request["status"] == "ANSWERED"
    assert [e["kind"] for e in view("refused")["timeline"]] == [
        e["kind"] for e in before["refused"]["timeline"]
    ]
    assert view("withdrawn")["withdrawn_reason"] == WITHDRAWAL  # the closed period's, later
    assert view("draft") == before["draft"]  # not closed: untouched
    text_now = raw(platform)
    assert QUESTION not in text_now and GROUNDS not in text_now
    assert zeros(purge(platform, applications_retention.PURGES, six))

    twelve = later(TWELVE_MONTHS_ON)
    counts = purge(platform, applications_retention.PURGES, twelve)
    assert counts == {"check_details": 0, "closed_applicants": 2, "outbox": 0, "dead_letters": 0}
    for name in ("refused", "withdrawn"):
        after = view(name)
        assert after["applicant"] == {} and after["applicant_name"] is None
        assert "Retention-" not in dump(after) and after["withdrawn_reason"] is None
        for key in (
            "status",
            "role",
            "establishments",
            "requested_access",
            "frequency",
            "outcome",
            "created_at",
            "submitted_at",
        ):
            assert after[key] == before[name][key], (name, key)
    listed = client.call("GET", "/applications?establishment=WWI").json["items"]
    assert {item["id"] for item in listed} >= {apps["refused"], apps["withdrawn"]}
    assert WITHDRAWAL not in raw(platform)
    assert view("cleared")["applicant"]["surname"] == "Retention-Cleared-A1"
    assert view("draft") == before["draft"]
    with platform.session_factory() as session:
        assert session.get(Organisation, organisation_id).fellowship == "NA"
        statuses = sorted(session.execute(select(Application.status)).scalars())
    assert statuses == ["CLEARED", "DRAFT", "REFUSED", "WITHDRAWN"]
    entries = audited(platform, "retention.applicant_anonymised")
    assert sorted(e["subject_id"] for e in entries) == sorted([apps["refused"], apps["withdrawn"]])
    assert zeros(purge(platform, applications_retention.PURGES, twelve))
