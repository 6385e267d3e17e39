"""A governor asks for a refusal to be reconsidered: only the governor of an establishment
the case concerns (another's is told the case does not exist), only a refused case, once
(whoever asked first, the governor or the organisation); the governor is shown nothing of the
case, and an officer who took no part in the refusal decides. Each test runs on embedded
SQLite and on real PostgreSQL."""

from __future__ import annotations

from tests.support.clock import iso_now
from tests.support.vetting_harness import Vetting

GROUNDS = {"grounds": "He has led the chapel group here for years without concern."}


def refused(vetting: Vetting) -> tuple[str, dict]:
    """(application id, case): refused by a manager, countersigned by another."""
    app_id = vetting.submit("jo+sim-undeclared@example.org")
    vetting.work()
    case = vetting.case(app_id)
    proposed = vetting.call(
        "POST", f"/cases/{case['id']}/refusal", who="manager", json={"reasons": ["Undeclared."]}
    )
    assert proposed.status_code == 200, proposed.json
    signed = vetting.call(
        "POST",
        f"/cases/{case['id']}/refusal/countersignature",
        who="manager2",
        json={"decision": "CONFIRM", "note": "Agreed."},
    )
    assert signed.status_code == 200 and signed.json["status"] == "REFUSED", signed.json
    return app_id, vetting.case(app_id)


def ask(vetting: Vetting, case: dict, who: str = "governor", body: dict | None = None):
    return vetting.call(
        "POST",
        f"/cases/{case['id']}/reconsideration",
        who=who,
        json=GROUNDS if body is None else body,
    )


def test_the_governor_of_a_concerned_establishment_reopens_a_refusal_once(vetting):
    app_id, case = refused(vetting)  # the sample application asks for WWI and BMI
    # Another establishment's governor: as if the case did not exist.
    other = ask(vetting, case, who="governor_elsewhere")
    assert other.status_code == 404 and other.json == {"status": 404, "message": "Not found."}
    for who in ("officer", "manager", "security", "auditor"):
        assert ask(vetting, case, who=who).status_code == 403, who
    assert vetting.case(app_id)["status"] == "REFUSED"

    asked = ask(vetting, case)
    assert asked.status_code == 202, asked.json
    assert set(asked.json) == {"case_id", "status", "requested_at"}  # nothing of the case
    assert asked.json["status"] == "RECONSIDERATION"
    case = vetting.case(app_id)
    assert (case["status"], case["waiting_on"]) == ("RECONSIDERATION", "OFFICER")
    assert case["reconsideration"]["requested_as"] == "GOVERNOR"
    assert case["reconsideration"]["requested_by"] == "gov-gil"
    assert case["reconsideration"]["grounds"] == GROUNDS["grounds"]
    assert case["reconsideration"]["establishments"] == ["WWI"]  # the governor's of the two
    [entry] = [
        e
        for e in vetting.call("GET", f"/cases/{case['id']}/audit").json
        if e["action"] == "case.reconsideration_opened"
    ]
    assert entry["actor"] == "gov-gil"

    # Once: neither the governor nor, later, the organisation reopens it again.
    again = ask(vetting, case)
    assert again.status_code == 409, again.json
    vetting.event(
        "application.reconsideration_requested",
        {"application_id": app_id, "grounds": "Please look again.", "requested_at": iso_now()},
    )
    assert vetting.case(app_id)["reconsideration"]["requested_as"] == "GOVERNOR"

    # An officer who took no part in the refusal decides (those who did may not).
    barred = vetting.call(
        "POST",
        f"/cases/{case['id']}/refusal",
        who="manager",
        json={"reasons": ["Still undeclared."]},
    )
    assert barred.status_code == 403
    upheld = vetting.call(
        "POST", f"/cases/{case['id']}/refusal", who="officer", json={"reasons": ["Undeclared."]}
    )
    assert upheld.status_code == 200 and upheld.json["status"] == "REFUSED", upheld.json
    assert upheld.json["reconsideration"]["outcome"] == "UPHELD"


def test_only_a_refused_case_and_only_good_grounds(vetting):
    _app, case = refused(vetting)
    for body, field in (
        ({}, "grounds"),
        ({"grounds": "short"}, "grounds"),
        ({"grounds": " " * 20}, "grounds"),
        ({"grounds": "x" * 5001}, "grounds"),
        ({**GROUNDS, "case": "other"}, "case"),
    ):
        bad = ask(vetting, case, body=body)
        assert bad.status_code == 422 and field in bad.json["errors"], (body, bad.json)
    assert vetting.case(case["application_id"])["status"] == "REFUSED"
    missing = vetting.call(
        "POST",
        "/cases/00000000-0000-0000-0000-000000000000/reconsideration",
        who="governor",
        json=GROUNDS,
    )
    assert missing.status_code == 404
    undecided = vetting.submit()
    vetting.work()
    not_refused = ask(vetting, vetting.case(undecided))
    assert not_refused.status_code == 409, not_refused.json
