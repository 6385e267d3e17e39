"""The queue says truthfully who a case waits on, on embedded SQLite and real PostgreSQL: a
countersignature, and a decision held until a manager acknowledges the person's history, wait
on MANAGER (the filter finds them, the report counts a manager's time); the migration moves
cases that waited on OFFICER in those states."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from alembic import command

from shared.config import load_settings
from shared.migrations import alembic_config
from tests.support.vetting_harness import Vetting, cleared

WHY = {"reason": "Police intelligence received."}


def queue(vetting: Vetting, party: str) -> set[str]:
    response = vetting.call("GET", f"/cases?waiting_on={party}")
    assert response.status_code == 200, response.json
    return {case["id"] for case in response.json["items"]}


def test_a_countersignature_waits_on_a_manager(vetting):
    app_id = vetting.submit("jo+sim-undeclared@example.org")
    vetting.work()
    case = vetting.case(app_id)
    proposed = vetting.call(
        "POST", f"/cases/{case['id']}/refusal", json={"reasons": ["Undeclared drugs conviction."]}
    )
    assert proposed.status_code == 200, proposed.json
    assert (
        proposed.json["status"],
        proposed.json["waiting_on"],
        proposed.json["waiting_reason"],
    ) == ("REFUSAL_PENDING", "MANAGER", "COUNTERSIGNATURE")
    assert case["id"] in queue(vetting, "MANAGER") and case["id"] not in queue(vetting, "OFFICER")
    rejected = vetting.call(
        "POST",
        f"/cases/{case['id']}/refusal/countersignature",
        who="manager",
        json={"decision": "REJECT", "note": "Look again."},
    )
    assert rejected.status_code == 200, rejected.json
    assert (rejected.json["status"], rejected.json["waiting_on"]) == (
        "AWAITING_DECISION",
        "OFFICER",
    )
    assert set(rejected.json["waited_s"]) == {"APPLICANT", "MANAGER", "OFFICER", "PROVIDER"}
    report = vetting.call("GET", "/reports/cases").json
    assert "MANAGER" in report["by_state"]["AWAITING_DECISION"]["waiting_s"]
    wrong = vetting.call("GET", "/cases?waiting_on=DIRECTOR")
    assert wrong.status_code == 422 and "waiting_on" in wrong.json["errors"]


def test_a_flagged_person_waits_on_a_manager_until_the_history_is_acknowledged(vetting):
    email = f"flag-{uuid.uuid4().hex[:6]}@example.org"
    _first, clearance = cleared(vetting, email)
    path = f"/clearances/{clearance['id']}"
    assert vetting.call("POST", path + "/suspension", json=WHY).status_code == 200
    second = vetting.submit(email, organisation_id=str(uuid.uuid4()))
    vetting.work()
    case = vetting.case(second)
    assert (case["status"], case["waiting_on"], case["waiting_reason"]) == (
        "AWAITING_DECISION",
        "MANAGER",
        "HISTORY",
    )
    assert case["id"] in queue(vetting, "MANAGER")
    acknowledged = vetting.call(
        "POST",
        f"/cases/{case['id']}/history/acknowledgement",
        who="manager",
        json={"reason": "Seen the suspension."},
    )
    assert acknowledged.status_code == 200, acknowledged.json
    assert (acknowledged.json["waiting_on"], acknowledged.json["waiting_reason"]) == (
        "OFFICER",
        None,
    )
    # The old clearance is revoked: new history, so the decision waits on a manager again.
    assert vetting.call("POST", path + "/revocation", who="manager", json=WHY).status_code == 200
    again = vetting.case(second)
    assert (again["waiting_on"], again["waiting_reason"]) == ("MANAGER", "HISTORY")
    assert [flag["kind"] for flag in again["history"]] == ["CLEARANCE_REVOKED"]
    assert (
        vetting.call(
            "POST",
            f"/cases/{case['id']}/history/acknowledgement",
            who="manager",
            json={"reason": "Seen the revocation."},
        ).json["waiting_on"]
        == "OFFICER"
    )
    assert (
        vetting.call("POST", f"/cases/{case['id']}/clearance", json={"reason": "Fine."}).status_code
        == 201
    )
    assert vetting.case(second)["waited_s"]["MANAGER"] >= 0


def test_a_refusal_flags_the_persons_other_undecided_case_for_a_manager(vetting):
    email = f"twice-{uuid.uuid4().hex[:6]}@example.org"
    first, second = vetting.submit(email), vetting.submit(email, organisation_id=str(uuid.uuid4()))
    vetting.work()
    case = vetting.case(first)
    assert vetting.case(second)["waiting_on"] == "OFFICER"
    assert (
        vetting.call(
            "POST", f"/cases/{case['id']}/refusal", json={"reasons": ["Not suitable."]}
        ).status_code
        == 200
    )
    assert (
        vetting.call(
            "POST",
            f"/cases/{case['id']}/refusal/countersignature",
            who="manager",
            json={"decision": "CONFIRM", "note": "Agreed."},
        ).status_code
        == 200
    )
    other = vetting.case(second)
    assert other["person_id"] == case["person_id"]  # recognised as the same person
    assert (other["waiting_on"], other["waiting_reason"]) == ("MANAGER", "HISTORY")


@pytest.mark.unmigrated
def test_the_migration_moves_a_managers_waits_off_the_officers(backend_env):
    from vetting.service import definition

    settings = load_settings("vetting", backend_env["vetting"])
    config = alembic_config(settings, definition().migrations_dir)
    command.upgrade(config, "0015")
    engine = sa.create_engine(settings.database_url)
    json = ("applicant_name", "establishments", "history", "history_acknowledged", "waited_s")
    cases = sa.table(
        "vetting_cases",
        *(
            sa.column(name, sa.JSON if name in json else None)
            for name in (
                "id",
                "application_id",
                "status",
                "applicant_name",
                "role",
                "establishments",
                "requested_access",
                "frequency",
                "opened_at",
                "waiting_on",
                "identity_status",
                "history",
                "history_acknowledged",
                "waited_s",
            )
        ),
    )
    flag = [{"kind": "CASE_REFUSED", "ref": "c-0", "at": None}]
    rows = {  # id: (status, history, acknowledged, identity, expected)
        "pending": ("REFUSAL_PENDING", None, None, "RESOLVED", "MANAGER"),
        "proposed": ("CLEARANCE_PENDING", None, None, "RESOLVED", "MANAGER"),
        "flagged": ("AWAITING_DECISION", flag, None, "RESOLVED", "MANAGER"),
        "seen": ("AWAITING_DECISION", flag, {"keys": ["CASE_REFUSED:c-0"]}, "RESOLVED", "OFFICER"),
        "match": ("AWAITING_DECISION", flag, None, "POSSIBLE_MATCH", "OFFICER"),
        "plain": ("RECONSIDERATION", None, None, "RESOLVED", "OFFICER"),
    }
    with engine.begin() as connection:
        for case_id, (status, history, acknowledged, identity, _) in rows.items():
            connection.execute(
                cases.insert().values(
                    id=case_id,
                    application_id=str(uuid.uuid4()),
                    status=status,
                    applicant_name={"forenames": "A", "surname": "B"},
                    role="MENTOR",
                    establishments=["WWI"],
                    requested_access="ESCORTED",
                    frequency="REGULAR",
                    opened_at=sa.func.current_timestamp(),
                    waiting_on="OFFICER",
                    identity_status=identity,
                    history=history,
                    history_acknowledged=acknowledged,
                    waited_s={"OFFICER": 5.0},
                )
            )
    command.upgrade(config, "head")
    with engine.connect() as connection:
        found = dict(connection.execute(sa.select(cases.c.id, cases.c.waiting_on)).all())
    assert found == {case_id: row[-1] for case_id, row in rows.items()}
    with engine.begin() as connection:
        connection.execute(
            cases.update()
            .where(cases.c.id == "pending")
            .values(waited_s={"OFFICER": 5.0, "MANAGER": 7.0})
        )
    command.downgrade(config, "0015")
    with engine.connect() as connection:
        waited = dict(connection.execute(sa.select(cases.c.id, cases.c.waited_s)).all())
        found = dict(connection.execute(sa.select(cases.c.id, cases.c.waiting_on)).all())
    assert set(found.values()) == {"OFFICER"}
    assert waited["pending"] == {"OFFICER": 12.0}
    engine.dispose()
