"""The gate check on both run modes: allowed only for an ACTIVE grant on an active clearance,
within its dates and days; every other answer says why; every check is audited."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from sqlalchemy import select

from access.domain.rules import LOCAL_TIME, WEEKDAYS
from shared.audit.log import audit_log_table
from shared.clock import london_date
from tests.support.access_harness import Access
from tests.support.clock import now


@pytest.fixture
def access(backend_env):  # type: ignore[no-untyped-def]
    return Access(backend_env["access"])


def gate_audit(access):
    with access.platform.engine.connect() as connection:
        return [
            dict(row._mapping)
            for row in connection.execute(
                select(audit_log_table)
                .where(audit_log_table.c.action == "gate.checked")
                .order_by(audit_log_table.c.id)
            )
        ]


def test_an_active_grant_is_allowed_by_person_and_by_badge_with_its_terms(access):
    data = access.grant_clearance(expires_in_days=200)
    grant_id = access.grant_id(data["person_id"])
    access.activate(
        grant_id,
        access_type="UNESCORTED",
        badge="WWI-7",
        permitted_areas=["Chapel"],
        conditions=["No mobile phone"],
    )
    by_person = access.gate(person=data["person_id"])
    by_badge = access.gate(badge="WWI-7")
    for answer in (by_person, by_badge):
        assert answer["allowed"] is True and answer["reason"] == "ALLOWED"
        assert answer["grant_id"] == grant_id and answer["access_type"] == "UNESCORTED"
        assert answer["permitted_areas"] == ["Chapel"]
        assert answer["conditions"] == ["No mobile phone"]
        assert answer["surname"] == "O'Neill" and answer["date_of_birth"] == "1980-02-29"
        # Valid through the last day as London reads it, whatever the time of day issued.
        assert london_date(datetime.fromisoformat(answer["valid_until"])) == london_date(
            datetime.fromisoformat(data["expires_at"])
        )


def test_every_way_of_saying_no_has_its_reason(access):
    pending = access.grant_clearance()
    assert access.gate(person=pending["person_id"])["reason"] == "PENDING_REVIEW"
    approved = access.grant_clearance()
    access.decide(access.grant_id(approved["person_id"]), "approval", {"access_type": "ESCORTED"})
    assert access.gate(person=approved["person_id"])["reason"] == "APPROVED"
    refused = access.grant_clearance()
    access.decide(access.grant_id(refused["person_id"]), "refusal", {"reason": "No"})
    answer = access.gate(person=refused["person_id"])
    assert answer == {
        **answer,
        "allowed": False,
        "reason": "REFUSED",
        "message": "Access was refused.",
    }
    unknown = access.gate(person=str(uuid.uuid4()))
    assert unknown["allowed"] is False and unknown["reason"] == "NO_GRANT"
    assert unknown["grant_id"] is None
    assert access.gate(badge="NOPE-1")["reason"] == "NO_GRANT"


def test_days_not_permitted_are_refused(access):
    today = WEEKDAYS[now().astimezone(LOCAL_TIME).weekday()]
    other_days = [day for day in WEEKDAYS if day != today]
    data = access.grant_clearance()
    access.activate(access.grant_id(data["person_id"]), permitted_days=other_days)
    assert access.gate(person=data["person_id"])["reason"] == "NOT_PERMITTED_TODAY"
    every_day = access.grant_clearance()
    access.activate(access.grant_id(every_day["person_id"]), permitted_days=[today])
    assert access.gate(person=every_day["person_id"])["allowed"] is True


def test_another_establishments_gate_cannot_ask(access):
    data = access.grant_clearance()
    access.activate(access.grant_id(data["person_id"]))
    response = access.call(
        "GET", "/establishments/WWI/gate-check", "other", query_string={"person": data["person_id"]}
    )
    assert response.status_code == 404
    # At its own gate the person has no grant.
    assert access.gate("BMI", who="other", person=data["person_id"])["reason"] == "NO_GRANT"


@pytest.mark.parametrize(
    "query,field",
    [
        ({}, "person"),
        ({"person": "not-a-uuid"}, "person"),
        ({"badge": "x" * 41}, "badge"),
        ({"badge": "A-1", "person": str(uuid.uuid4())}, "person"),
    ],
)
def test_bad_queries_get_422_with_the_field(access, query, field):
    response = access.call("GET", "/establishments/WWI/gate-check", query_string=query)
    assert response.status_code == 422 and field in response.json["errors"]
    assert gate_audit(access) == []  # not a check: nothing to account for


def test_every_check_is_audited_allowed_or_not(access):
    data = access.grant_clearance()
    grant_id = access.grant_id(data["person_id"])
    access.gate(person=data["person_id"])
    access.activate(grant_id, badge="WWI-9")
    access.gate(badge="WWI-9")
    access.gate(badge="NOBODY")
    entries = gate_audit(access)
    assert [(e["subject_id"], e["detail"]["allowed"], e["detail"]["reason"]) for e in entries] == [
        (grant_id, False, "PENDING_REVIEW"),
        (grant_id, True, "ALLOWED"),
        ("-", False, "NO_GRANT"),
    ]
    assert {e["actor"] for e in entries} == {"sec-ann"}
    assert {e["detail"]["establishment"] for e in entries} == {"WWI"}
    history = access.call("GET", f"/grants/{grant_id}/history").json
    assert sum(e["action"] == "gate.checked" for e in history) == 2
