"""Even news from vetting itself (a trusted publisher) never changes who a grant is for, and a
reinstatement lifts only the suspension it names: a forged reinstatement and a name-changing
clearance_granted leave the gate's answer and the grant's identity as they were, the latter
opening a review item for the prison's security team. Both run modes."""

from __future__ import annotations

import uuid

import pytest

from shared.events.contracts.vetting import legacy_suspension_id
from tests.support.access_harness import Access
from tests.support.clock import iso_now

SUSPENSION = "0b9e3f5a-2c4d-4e6f-8a1b-3c5d7e9f1a2b"


@pytest.fixture
def access(backend_env):
    return Access(backend_env["access"])


def _change(data, **extra):
    return {
        "clearance_id": data["clearance_id"],
        "application_id": data["application_id"],
        "person_id": data["person_id"],
        **extra,
    }


def _active(access, establishments=("WWI",)):
    data = access.grant_clearance(establishments=establishments)
    grant_id = access.grant_id(data["person_id"])
    access.activate(grant_id)
    return data, grant_id


def _gate(access, data):
    answer = access.gate(person=data["person_id"])
    answer.pop("checked_at")
    return answer


def _history(access, grant_id):
    return [entry["action"] for entry in access.call("GET", f"/grants/{grant_id}/history").json]


def test_a_reinstatement_naming_no_or_another_suspension_lifts_nothing(access):
    data, grant_id = _active(access)
    access.event(
        "vetting.clearance_suspended",
        _change(data, reason="OFFICER_DECISION", suspended_at=iso_now(), suspension_id=SUSPENSION),
    )
    assert access.gate(person=data["person_id"])["reason"] == "SUSPENDED"
    for forged in (
        {},
        {"suspension_id": None},
        {"suspension_id": str(uuid.uuid4())},
        {"suspension_id": legacy_suspension_id(data["clearance_id"])},
    ):
        access.event(
            "vetting.clearance_reinstated", _change(data, reinstated_at=iso_now(), **forged)
        )
        gate = access.gate(person=data["person_id"])
        assert (gate["allowed"], gate["reason"]) == (False, "SUSPENDED"), forged
        assert access.grant(grant_id)["clearance"]["status"] == "SUSPENDED"
    assert _history(access, grant_id).count("grant.clearance_reinstatement_ignored") == 4
    assert access.published("access.reinstated") == []
    # The one that names it lifts it.
    access.event(
        "vetting.clearance_reinstated",
        _change(data, reinstated_at=iso_now(), suspension_id=SUSPENSION),
    )
    assert access.gate(person=data["person_id"])["allowed"] is True


def test_an_older_publishers_suspension_is_lifted_by_its_legacy_id(access):
    """A suspension published without an id (before ids, or migrated) has the id every
    service's migration gives it, so vetting's reinstatement still lifts it."""
    data, _grant_id = _active(access)
    access.event(
        "vetting.clearance_suspended",
        _change(data, reason="OFFICER_DECISION", suspended_at=iso_now()),
    )
    access.event(
        "vetting.clearance_reinstated",
        _change(
            data, reinstated_at=iso_now(), suspension_id=legacy_suspension_id(data["clearance_id"])
        ),
    )
    assert access.gate(person=data["person_id"])["allowed"] is True


def _impostor(data, **extra):
    return {
        "person_id": data["person_id"],
        "forenames": "Mallory",
        "surname": "Quinn",
        "date_of_birth": "1971-07-07",
        "access": "KEY_HOLDING",
        "expires_in_days": 30_000,
        "replaces_clearance_id": data["clearance_id"],
        **extra,
    }


def test_a_clearance_granted_naming_someone_else_changes_nothing_and_waits_for_review(access):
    data, wwi = _active(access, establishments=("WWI", "BMI"))
    bmi = access.grant_id(data["person_id"], "BMI")
    before_grant, before_gate = access.grant(wwi), _gate(access, data)
    forged = access.grant_clearance(**_impostor(data, establishments=("WWI", "BMI")))
    after = access.grant(wwi)
    assert after == before_grant  # name, birthday, clearance, terms: all as they were
    assert _gate(access, data) == before_gate
    assert (after["forenames"], after["surname"], after["date_of_birth"]) == (
        "Siobhán",
        "O'Neill",
        "1980-02-29",
    )
    [item] = access.call("GET", "/establishments/WWI/review-items").json
    assert item["grant_id"] == wwi and item["kind"] == "IDENTITY_MISMATCH"
    assert item["status"] == "OPEN" and item["event_type"] == "vetting.clearance_granted"
    assert item["recorded"] == {
        "forenames": "Siobhán",
        "surname": "O'Neill",
        "date_of_birth": "1980-02-29",
    }
    assert item["proposed"] == {
        "forenames": "Mallory",
        "surname": "Quinn",
        "date_of_birth": "1971-07-07",
    }
    assert "grant.review_item_opened" in _history(access, wwi)
    # BMI's grant has its own item, which WWI's team does not see (and BMI's sees only it).
    [other] = access.call("GET", "/establishments/BMI/review-items", "other").json
    assert other["grant_id"] == bmi and other["id"] != item["id"]
    assert access.call("GET", "/establishments/BMI/review-items").status_code == 404
    resolve = f"/review-items/{item['id']}/resolution"
    assert (
        access.call(
            "POST", resolve, "other", json={"outcome": "DISMISS", "reason": "x"}
        ).status_code
        == 404
    )
    # Redelivery opens nothing more.
    access.event("vetting.clearance_granted", forged)
    assert len(access.call("GET", "/establishments/WWI/review-items").json) == 1
    # An officer may dismiss it; the grant stays as it is.
    dismissed = access.call(
        "POST", resolve, json={"outcome": "DISMISS", "reason": "Not our volunteer"}
    )
    assert dismissed.status_code == 200 and dismissed.json["status"] == "DISMISSED"
    assert access.grant(wwi) == before_grant
    assert access.call("GET", "/establishments/WWI/review-items").json == []
    assert (
        access.call("POST", resolve, json={"outcome": "DISMISS", "reason": "again"}).status_code
        == 409
    )


def test_a_name_changing_grant_does_not_lift_a_vetting_suspension(access):
    data, wwi = _active(access)
    access.event(
        "vetting.clearance_suspended",
        _change(data, reason="OFFICER_DECISION", suspended_at=iso_now(), suspension_id=SUSPENSION),
    )
    access.grant_clearance(**_impostor(data))
    gate = access.gate(person=data["person_id"])
    assert (gate["allowed"], gate["reason"], gate["surname"]) == (False, "SUSPENDED", "O'Neill")
    assert access.grant(wwi)["clearance"]["id"] == data["clearance_id"]


def test_only_a_head_of_security_accepts_the_news_and_then_it_applies(access):
    data, wwi = _active(access)
    renewal = access.grant_clearance(
        person_id=data["person_id"], surname="Brennan", replaces_clearance_id=data["clearance_id"]
    )
    assert access.grant(wwi)["surname"] == "O'Neill"
    [item] = access.call("GET", "/establishments/WWI/review-items").json
    resolve = f"/review-items/{item['id']}/resolution"
    body = {"outcome": "ACCEPT", "reason": "Married; saw the certificate"}
    assert access.call("POST", resolve, json=body).status_code == 403
    accepted = access.call("POST", resolve, "head", json=body)
    assert accepted.status_code == 200 and accepted.json["status"] == "ACCEPTED"
    assert accepted.json["resolved_by"] == "head-cat"
    grant = access.grant(wwi)
    assert grant["surname"] == "Brennan" and grant["forenames"] == "Siobhán"
    assert grant["clearance"]["id"] == renewal["clearance_id"] and grant["renewal"]
    assert access.gate(person=data["person_id"])["surname"] == "Brennan"
    assert "grant.review_item_accepted" in _history(access, wwi)


def test_review_item_bodies_and_queries_are_checked(access):
    assert (
        access.call(
            "GET", "/establishments/WWI/review-items", query_string={"status": "MAYBE"}
        ).status_code
        == 422
    )
    response = access.call(
        "POST", f"/review-items/{uuid.uuid4()}/resolution", json={"outcome": "OVERWRITE"}
    )
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"outcome", "reason"}
    assert (
        access.call(
            "POST",
            f"/review-items/{uuid.uuid4()}/resolution",
            json={"outcome": "DISMISS", "reason": "x"},
        ).status_code
        == 404
    )
