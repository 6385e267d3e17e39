"""Vetting from case to decision: checks worked by the runner, the risk summary, officers'
decisions (clear, refuse with countersignature, request information, reconsideration), the
audit trail, and events that arrive twice or out of order. Each test runs on embedded SQLite
and on real PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from tests.support.clock import iso_now, now
from tests.support.vetting_harness import Vetting


def case_path(case, action=""):
    return f"/cases/{case['id']}{action}"


def test_checks_run_in_the_worker_and_the_case_reaches_an_officer(vetting):
    app_id = vetting.submit()
    case = vetting.case(app_id)
    assert case["status"] == "OPEN" and case["waiting_on"] == "PROVIDER"
    assert {c["status"] for c in case["checks_detail"]} == {"PENDING"}
    # Escorted, regular: STANDARD. WWI (HMP & YOI) holds 18-21-year-olds, not children, so a
    # standard DBS certificate without the barred lists.
    assert case["required_level"] == "STANDARD"
    assert case["dbs_level"] == "STANDARD"
    vetting.work()
    case = vetting.case(app_id)
    assert case["status"] == "AWAITING_DECISION" and case["waiting_on"] == "OFFICER"
    results = {c["name"]: c for c in case["checks_detail"]}
    assert set(results) == set(case["checks"])
    assert results["CRIMINAL_RECORD"]["status"] == "ADVERSE"  # the declared theft is found
    assert results["CRIMINAL_RECORD"]["provider_reference"].startswith("SIM-")
    assert results["IDENTITY"]["status"] == "PASSED"
    # A declared, 15-year-old theft: nothing to weigh; the recommendation is CLEAR.
    assert case["risk"]["recommendation"] == "CLEAR" and case["risk"]["complete"]
    completed = vetting.published("vetting.check_completed")
    assert sorted(e["check"] for e in completed) == sorted(case["checks"])
    assert all("records" not in e for e in completed)  # the detail stays in vetting


def test_clearing_grants_a_clearance_with_level_conditions_expiry_and_an_audit_entry(vetting):
    app_id = vetting.submit()
    vetting.work()
    case = vetting.case(app_id)
    too_low = vetting.call(
        "POST",
        case_path(case, "/clearance"),
        json={"level": "ESCORTED_VISITOR", "reason": "Looks fine."},
    )
    assert too_low.status_code == 422 and "level" in too_low.json["errors"]
    bad = vetting.call(
        "POST",
        case_path(case, "/clearance"),
        json={"conditions": ["EXCLUDE_ESTABLISHMENT:ZZZ"], "reason": "x y z"},
    )
    assert bad.status_code == 422 and "conditions" in bad.json["errors"]
    cleared = vetting.call(
        "POST",
        case_path(case, "/clearance"),
        json={"conditions": ["EXCLUDE_ESTABLISHMENT:BMI"], "reason": "Declared, old, minor."},
    )
    assert cleared.status_code == 201, cleared.json
    clearance = cleared.json
    assert clearance["status"] == "ACTIVE" and clearance["level"] == "STANDARD"
    issued = datetime.fromisoformat(clearance["issued_at"])
    expires = datetime.fromisoformat(clearance["expires_at"])
    assert 365 * 3 - 2 <= (expires - issued).days <= 365 * 3 + 2  # policy: 36 months
    [granted] = vetting.published("vetting.clearance_granted")
    assert granted["establishments"] == ["WWI"] and granted["clearance_id"] == clearance["id"]
    assert granted["person_id"] == clearance["person_id"]
    # What the volunteer and the coordinator are told, apart: never the exclusion.
    [announced] = vetting.published("vetting.clearance_announced")
    assert announced == {
        "type": "vetting.clearance_announced",
        "application_id": app_id,
        "clearance_id": clearance["id"],
        "level": "STANDARD",
        "issued_at": granted["issued_at"],
        "expires_at": granted["expires_at"],
    }
    # What the organisation is shown: the exclusion only said to apply, nobody's name.
    [cleared_event] = vetting.published("vetting.application_cleared")
    assert cleared_event["conditions"] == ["ESTABLISHMENT_RESTRICTIONS_APPLY"]
    assert cleared_event["clearance_id"] == clearance["id"] and cleared_event["access"]
    assert not {"forenames", "surname", "date_of_birth", "establishments"} & set(cleared_event)
    assert vetting.case(app_id)["status"] == "CLEARED"
    again = vetting.call("POST", case_path(case, "/clearance"), json={"reason": "again!"})
    assert again.status_code == 409
    [entry] = [
        e
        for e in vetting.call("GET", case_path(case, "/audit")).json
        if e["action"] == "case.cleared"
    ]
    assert entry["actor"] == "officer-ann" and entry["reason"] == "Declared, old, minor."
    assert entry["detail"]["policy_version"] and entry["detail"]["level"] == "STANDARD"


def test_a_decision_waits_for_the_checks(vetting):
    app_id = vetting.submit()
    case = vetting.case(app_id)
    early = vetting.call("POST", case_path(case, "/clearance"), json={"reason": "too soon"})
    assert early.status_code == 409 and "checks are still running" in early.json["message"]


def test_refusal_needs_a_different_manager_and_reconsideration_a_different_officer(vetting):
    app_id = vetting.submit("jo+sim-undeclared@example.org")
    vetting.work()
    case = vetting.case(app_id)
    assert case["risk"]["recommendation"] == "REFER"
    assert any(f["code"] == "UNDECLARED_RECORD" for f in case["risk"]["factors"])
    proposed = vetting.call(
        "POST",
        case_path(case, "/refusal"),
        who="manager",
        json={"reasons": ["Undeclared drugs conviction."]},
    )
    assert proposed.json["status"] == "REFUSAL_PENDING"
    assert vetting.published("vetting.clearance_refused") == []  # not yet in effect
    sign = {"decision": "CONFIRM", "note": "Agreed."}
    own = vetting.call(
        "POST", case_path(case, "/refusal/countersignature"), who="manager", json=sign
    )
    assert own.status_code == 403 and "different officer" in own.json["message"]
    not_manager = vetting.call(
        "POST", case_path(case, "/refusal/countersignature"), who="officer", json=sign
    )
    assert not_manager.status_code == 403
    signed = vetting.call(
        "POST", case_path(case, "/refusal/countersignature"), who="manager2", json=sign
    )
    assert signed.status_code == 200 and signed.json["status"] == "REFUSED"
    assert signed.json["refusal"]["countersigned_by"] == "manager-dev"
    [refused] = vetting.published("vetting.clearance_refused")
    assert refused["reconsidered"] is False and "reasons" not in refused

    grounds = {
        "application_id": app_id,
        "grounds": "The caution was spent; misread form.",
        "requested_at": iso_now(),
    }
    vetting.event("application.reconsideration_requested", grounds)
    vetting.event("application.reconsideration_requested", grounds | {"grounds": "again"})
    case = vetting.case(app_id)
    assert case["status"] == "RECONSIDERATION"
    assert case["reconsideration"]["grounds"].startswith("The caution")
    for party in ("manager", "manager2"):
        barred = vetting.call(
            "POST", case_path(case, "/clearance"), who=party, json={"reason": "On reflection."}
        )
        assert barred.status_code == 403
    # Against the risk summary (REFER: an undeclared record): proposed, then countersigned by
    # a manager who took no part in the refusal.
    proposed = vetting.call(
        "POST",
        case_path(case, "/clearance"),
        who="officer2",
        json={"conditions": ["ESCORTED_ONLY"], "reason": "Honest mistake."},
    )
    assert proposed.status_code == 202 and proposed.json["status"] == "CLEARANCE_PENDING"
    assert (proposed.json["waiting_on"], proposed.json["waiting_reason"]) == (
        "MANAGER",
        "COUNTERSIGNATURE",
    )
    for party in ("manager", "manager2"):
        barred = vetting.call(
            "POST", case_path(case, "/clearance/countersignature"), who=party, json=sign
        )
        assert barred.status_code == 403, barred.json
    signed = vetting.call(
        "POST", case_path(case, "/clearance/countersignature"), who="manager3", json=sign
    )
    assert signed.status_code == 200, signed.json
    case = vetting.case(app_id)
    assert case["status"] == "CLEARED" and case["reconsideration"]["outcome"] == "CLEARED"
    [granted] = vetting.published("vetting.clearance_granted")
    assert granted["access"] == "ESCORTED"
    actions = [e["action"] for e in vetting.call("GET", case_path(case, "/audit")).json]
    assert actions[:6] == [
        "case.cleared",
        "case.override_countersigned",
        "case.override_proposed",
        "case.reconsideration_opened",
        "case.refusal_countersigned",
        "case.refusal_proposed",
    ]
    # Once only: a second request after the decision moves nothing.
    vetting.event("application.reconsideration_requested", grounds)
    assert vetting.case(app_id)["status"] == "CLEARED"


def test_a_rejected_refusal_returns_to_the_queue_and_an_upheld_one_is_final(vetting):
    app_id = vetting.submit()
    vetting.work()
    case = vetting.case(app_id)
    vetting.call("POST", case_path(case, "/refusal"), json={"reasons": ["Doubt."]})
    rejected = vetting.call(
        "POST",
        case_path(case, "/refusal/countersignature"),
        who="manager",
        json={"decision": "REJECT", "note": "No grounds."},
    )
    assert rejected.json["status"] == "AWAITING_DECISION" and rejected.json["refusal"] is None
    vetting.call("POST", case_path(case, "/refusal"), json={"reasons": ["New doubt."]})
    vetting.call(
        "POST",
        case_path(case, "/refusal/countersignature"),
        who="manager",
        json={"decision": "CONFIRM", "note": "Agreed."},
    )
    vetting.event(
        "application.reconsideration_requested",
        {"application_id": app_id, "grounds": "Please look again.", "requested_at": iso_now()},
    )
    upheld = vetting.call(
        "POST", case_path(case, "/refusal"), who="officer2", json={"reasons": ["Still doubtful."]}
    )
    assert upheld.json["status"] == "REFUSED"
    assert upheld.json["reconsideration"]["outcome"] == "UPHELD"
    assert [e["reconsidered"] for e in vetting.published("vetting.clearance_refused")] == [
        False,
        True,
    ]


def test_information_requests_pause_the_case_until_answered(vetting):
    app_id = vetting.submit()
    vetting.work()
    case = vetting.case(app_id)
    asked = vetting.call(
        "POST",
        case_path(case, "/information-requests"),
        json={
            "items": [{"question": "Where did you live in 2019?", "field": "addresses"}],
            "reason": "A gap in the address history.",
            "due_by": "2030-01-31",
        },
    )
    assert asked.status_code == 201
    case = vetting.case(app_id)
    assert case["status"] == "INFO_REQUESTED" and case["waiting_on"] == "APPLICANT"
    [event] = vetting.published("vetting.info_requested")
    assert event["request_id"] == asked.json["id"] and event["due_by"] == "2030-01-31"
    # The organisation's copy: the questions, never why vetting asks.
    [told] = vetting.published("vetting.info_request_announced")
    assert told["items"] == event["items"] and told["due_by"] == "2030-01-31"
    assert "reason" not in told and told["request_id"] == event["request_id"]
    early = vetting.call("POST", case_path(case, "/clearance"), json={"reason": "x y z"})
    assert early.status_code == 409
    answer = {
        "application_id": app_id,
        "request_id": asked.json["id"],
        "answers": [{"answer": "With my sister in Leeds"}],
        "provided_at": iso_now(),
    }
    vetting.event("application.info_provided", answer)
    vetting.event("application.info_provided", answer | {"answers": [{"answer": "changed"}]})
    case = vetting.case(app_id)
    assert case["status"] == "AWAITING_DECISION"
    assert case["information_requests"][0]["answers"] == [{"answer": "With my sister in Leeds"}]
    assert case["waited_s"]["APPLICANT"] > 0
    invalid = vetting.call(
        "POST", case_path(case, "/information-requests"), json={"items": [], "reason": ""}
    )
    assert invalid.status_code == 422
    assert set(invalid.json["errors"]) == {"items", "reason"}


def test_a_response_after_withdrawal_is_kept_but_revives_nothing(vetting):
    app_id = vetting.submit()
    case = vetting.case(app_id)
    vetting.call(
        "POST",
        case_path(case, "/information-requests"),
        json={"items": [{"question": "Which group do you attend?"}], "reason": "Placement."},
    )
    vetting.event(
        "application.withdrawn",
        {"application_id": app_id, "reason": "Moved away", "withdrawn_at": iso_now()},
    )
    vetting.event(
        "application.info_provided",
        {
            "application_id": app_id,
            "request_id": str(uuid.uuid4()),
            "answers": [{"a": 1}],
            "provided_at": iso_now(),
        },
    )
    vetting.work()
    case = vetting.case(app_id)
    assert case["status"] == "WITHDRAWN" and case["closed_at"] is not None
    assert [u["kind"] for u in case["updates"]] == ["withdrawn", "info_provided"]
    assert {c["status"] for c in case["checks_detail"]} == {"PENDING"}  # never worked
    assert vetting.published("vetting.check_completed") == []


def test_a_duplicate_submission_opens_one_case(vetting):
    data_id = str(uuid.uuid4())
    vetting.submit(application_id=data_id)
    vetting.submit(application_id=data_id)  # a redelivery with a new event id
    listed = vetting.call("GET", f"/cases?application_id={data_id}").json["items"]
    assert len(listed) == 1
    assert len(vetting.published("vetting.case_opened")) == 1


def test_a_failing_provider_is_retried_with_backoff_then_succeeds(vetting):
    app_id = vetting.submit("jo+sim-error-dbs@example.org")
    vetting.work()
    dbs = {c["name"]: c for c in vetting.case(app_id)["checks_detail"]}["DBS"]
    # Attempts 1 and 2 fail (the retry base is 0 s here), attempt 3 succeeds.
    assert dbs["status"] == "ADVERSE" and dbs["attempts"] == 2
    assert dbs["error"] is None


def test_a_provider_that_keeps_failing_comes_to_an_officer_who_can_retry_or_record(backend_env):
    vetting = Vetting(
        backend_env["vetting"], VETTING_CHECK_MAX_ATTEMPTS="2", VETTING_MANUAL_CHECKS="REFERENCES"
    )
    app_id = vetting.submit("jo+sim-error-always-address-history@example.org")
    vetting.work()
    case = vetting.case(app_id)
    checks = {c["name"]: c for c in case["checks_detail"]}
    assert checks["ADDRESS_HISTORY"]["status"] == "FAILED"  # for good: its retries are spent
    assert checks["ADDRESS_HISTORY"]["attempts"] == 2
    assert checks["ADDRESS_HISTORY"]["next_attempt_at"] is None
    assert checks["REFERENCES"]["provider"] == "manual"
    assert checks["REFERENCES"]["status"] == "PENDING"
    assert case["status"] == "OPEN" and case["waiting_on"] == "OFFICER"
    retried = vetting.call("POST", case_path(case, "/checks/address_history/retry"))
    assert retried.status_code == 200 and retried.json["attempts"] == 0
    assert retried.json["status"] == "PENDING"
    # Back with its provider: the provider owns the result again.
    early = vetting.call(
        "POST",
        case_path(case, "/checks/address_history/result"),
        json={"outcome": "PASSED", "summary": "Checked by telephone."},
    )
    assert early.status_code == 409 and "PENDING" in early.json["message"]
    assert vetting.call("POST", case_path(case, "/checks/identity/retry")).status_code == 409
    vetting.work()  # fails for good again
    bad = vetting.call(
        "POST",
        case_path(case, "/checks/references/result"),
        json={
            "outcome": "PASSED",
            "summary": "Both referees called.",
            "records": [{"offence": "x", "date": "2020-01-01"}],
        },
    )
    assert bad.status_code == 422 and "records" in bad.json["errors"]
    for name in ("address_history", "references"):
        recorded = vetting.call(
            "POST",
            case_path(case, f"/checks/{name}/result"),
            json={"outcome": "PASSED", "summary": "Checked by telephone."},
        )
        assert recorded.status_code == 200 and recorded.json["recorded_by"] == "officer-ann"
    twice = vetting.call(
        "POST",
        case_path(case, "/checks/address_history/result"),
        json={"outcome": "ADVERSE", "summary": "Changed my mind."},
    )
    assert twice.status_code == 409
    assert vetting.case(app_id)["status"] == "AWAITING_DECISION"
    vetting.platform.engine.dispose()


def test_a_dbs_certificate_on_the_update_service_replaces_a_new_check(vetting):
    app_id = vetting.submit(
        details={
            "dbs_certificate": {
                "number": "001234567890",
                "level": "ENHANCED_WITH_BARRED_LISTS",
                "update_service": True,
            }
        }
    )
    vetting.work()
    dbs = {c["name"]: c for c in vetting.case(app_id)["checks_detail"]}["DBS"]
    assert dbs["provider"] == "dbs_update_service" and dbs["status"] == "PASSED"
    assert "001234567890" not in str(dbs["result"])


def test_the_queue_filters_and_pages_oldest_first(vetting):
    ids = [vetting.submit() for _ in range(3)]
    light = vetting.submit(requested_access="ESCORTED", frequency="ONE_OFF")
    page = vetting.call("GET", "/cases?limit=2").json
    assert [c["application_id"] for c in page["items"]] == ids[:2]
    rest = vetting.call("GET", f"/cases?limit=2&cursor={page['next_cursor']}").json
    assert [c["application_id"] for c in rest["items"]] == [ids[2], light]
    visitor = vetting.call("GET", "/cases?level=ESCORTED_VISITOR").json["items"]
    assert [c["application_id"] for c in visitor] == [light]
    assert visitor[0]["checks"] == ["IDENTITY"]  # the light path
    assert vetting.call("GET", "/cases?older_than_days=1").json["items"] == []
    assert vetting.call("GET", "/cases?waiting_on=PROVIDER").json["items"]
    assert vetting.call("GET", "/cases?cursor=nonsense").status_code == 422
    assert vetting.call("GET", "/cases?status=NOPE").status_code == 422


def test_the_service_level_report_shows_counts_and_waits(vetting):
    for _ in range(2):
        vetting.submit()
    waiting = vetting.submit()
    vetting.work()
    case = vetting.case(waiting)
    vetting.call(
        "POST",
        case_path(case, "/information-requests"),
        json={"items": [{"question": "Which group?"}], "reason": "Placement."},
    )
    report = vetting.call("GET", "/reports/cases").json
    assert report["total"] == 3 and report["open"] == 3
    assert report["by_state"]["AWAITING_DECISION"]["count"] == 2
    assert report["by_state"]["INFO_REQUESTED"]["count"] == 1
    level = report["by_level"]["STANDARD"]
    assert level["count"] == 3 and level["age_s"]["median"] >= 0
    assert set(level["waiting_s"]) == {"APPLICANT", "MANAGER", "OFFICER", "PROVIDER"}
    later = vetting.call(
        "GET",
        "/reports/cases?opened_since="
        + (now() + timedelta(days=1)).isoformat().replace("+", "%2B"),
    ).json
    assert later["total"] == 0
