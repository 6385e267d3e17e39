"""Automated checks own their results: an officer records a result by hand only where no
provider will answer (a manual-provider check, or an automatic one that failed for good), a
record check typed in by hand needs a manager, and a provider's answer that comes after a
result is in is kept, audited, and reopens the assessment when it disagrees. Both backends."""

from __future__ import annotations

from datetime import timedelta

from tests.support.clock import now, today
from tests.support.vetting_harness import Vetting
from vetting.adapters.providers.simulated import UNDECLARED_OFFENCE

PASSED = {"outcome": "PASSED", "summary": "Nothing found on the records."}


def _checks(vetting, app_id):
    return {c["name"]: c for c in vetting.case(app_id)["checks_detail"]}


def _record(vetting, app_id, check, who="officer", body=None):
    case = vetting.case(app_id)
    return vetting.call(
        "POST", f"/cases/{case['id']}/checks/{check}/result", who=who, json=body or PASSED
    )


def test_a_manual_pass_while_the_providers_work_is_refused_and_their_answer_stands(backend_env):
    slow = Vetting(backend_env["vetting"], VETTING_SIMULATED_DELAY_S="600")
    try:
        app_id = slow.submit("jo+sim-undeclared@example.org")
        slow.work()  # submitted: the providers are working on them
        assert _checks(slow, app_id)["CRIMINAL_RECORD"]["status"] == "IN_PROGRESS"
        for check in ("criminal_record", "dbs"):
            for who in ("officer", "manager"):
                refused = _record(slow, app_id, check, who)
                assert refused.status_code == 409, refused.json
                assert refused.json["errors"] == {"status": ["The check is IN_PROGRESS."]}
        slow.work(now() + timedelta(seconds=601))  # the providers answer
        case = slow.case(app_id)
        assert case["risk"]["recommendation"] == "REFER"
        assert {"CRIMINAL_RECORD", "DBS"} <= {
            c["name"]
            for c in case["checks_detail"]
            if c["status"] == "ADVERSE" and c["recorded_by"] is None
        }
    finally:
        slow.platform.engine.dispose()
    # A control person with the same record, nobody typing anything: the same REFER.
    control = vetting_control(backend_env)
    assert control == "REFER"


def vetting_control(backend_env) -> str:
    harness = Vetting(backend_env["vetting"])
    try:
        app_id = harness.submit("kim+sim-undeclared@example.org")
        harness.work()
        return harness.case(app_id)["risk"]["recommendation"]
    finally:
        harness.platform.engine.dispose()


def test_a_record_check_typed_in_by_hand_needs_a_manager(backend_env):
    manual = Vetting(backend_env["vetting"], VETTING_MANUAL_CHECKS="CRIMINAL_RECORD,REFERENCES")
    try:
        app_id = manual.submit()
        manual.work()
        assert _checks(manual, app_id)["CRIMINAL_RECORD"]["provider"] == "manual"
        denied = _record(manual, app_id, "criminal_record", "officer")
        assert denied.status_code == 403
        assert _record(manual, app_id, "references", "officer").status_code == 200
        done = _record(manual, app_id, "criminal_record", "manager")
        assert done.status_code == 200 and done.json["recorded_by"] == "manager-cat"
        again = _record(manual, app_id, "criminal_record", "manager")
        assert again.status_code == 409 and again.json["errors"] == {
            "status": ["The check is PASSED."]
        }
    finally:
        manual.platform.engine.dispose()


def test_a_late_adverse_answer_after_a_manual_result_is_kept_audited_and_reopens(backend_env):
    vetting = Vetting(backend_env["vetting"], VETTING_CHECK_MAX_ATTEMPTS="2")
    try:
        app_id = vetting.submit("jo+sim-error-always-criminal-record@example.org")
        vetting.work()
        assert _checks(vetting, app_id)["CRIMINAL_RECORD"]["status"] == "FAILED"
        # Failed for good: a manager records what the records say.
        assert _record(vetting, app_id, "criminal_record", "officer").status_code == 403
        assert _record(vetting, app_id, "criminal_record", "manager").status_code == 200
        case = vetting.case(app_id)
        assert case["status"] == "AWAITING_DECISION"
        assert case["risk"]["recommendation"] == "CLEAR"
        # The provider's answer to a call still in flight arrives after all.
        found = {
            "offence": UNDECLARED_OFFENCE,
            "kind": "CONVICTION",
            "disposal": "FINE",
            "source": "PNC",
            "date": today().replace(year=today().year - 1).isoformat(),
        }
        vetting.provider_answers(
            app_id,
            "CRIMINAL_RECORD",
            "ADVERSE",
            {"records": [found], "summary": "The PNC found 1 record."},
        )
        case = vetting.case(app_id)
        check = {c["name"]: c for c in case["checks_detail"]}["CRIMINAL_RECORD"]
        assert check["status"] == "ADVERSE"  # the adverse answer stands
        assert check["result"]["recorded_manually"] and check["recorded_by"] == "manager-cat"
        assert check["late_answer"]["status"] == "ADVERSE"
        assert check["late_answer"]["detail"]["records"][0]["offence"] == UNDECLARED_OFFENCE
        assert check["late_answer"]["disagrees"] is True
        assert case["risk"]["recommendation"] == "REFER"
        assert case["risk"]["disagreements"] == ["CRIMINAL_RECORD"]
        assert case["status"] == "AWAITING_DECISION" and case["waiting_on"] == "OFFICER"
        trail = vetting.call("GET", f"/cases/{case['id']}/audit").json
        [late] = [e for e in trail if e["action"] == "check.late_answer"]
        assert late["detail"]["disagrees"] is True and late["detail"]["outcome"] == "ADVERSE"
    finally:
        vetting.platform.engine.dispose()


def test_a_late_answer_after_clearance_opens_a_review_and_leaves_the_clearance(backend_env):
    vetting = Vetting(backend_env["vetting"], VETTING_CHECK_MAX_ATTEMPTS="1")
    try:
        app_id = vetting.submit("jo+sim-error-always-dbs@example.org")
        vetting.work()
        assert _record(vetting, app_id, "dbs", "manager").status_code == 200
        clearance = vetting.clear(app_id)
        found = {
            "offence": UNDECLARED_OFFENCE,
            "kind": "CONVICTION",
            "disposal": "FINE",
            "source": "DBS",
            "date": today().replace(year=today().year - 1).isoformat(),
        }
        vetting.provider_answers(
            app_id, "DBS", "ADVERSE", {"records": [found], "summary": "1 record."}
        )
        case = vetting.case(app_id)
        assert case["status"] == "REVIEW" and case["risk"]["recommendation"] == "REFER"
        # Evidence for the officer, not a suspension by itself.
        assert vetting.call("GET", f"/clearances/{clearance['id']}").json["status"] == "ACTIVE"
        # The same answer again (a second runner): kept once, nothing more moves.
        vetting.provider_answers(
            app_id, "DBS", "ADVERSE", {"records": [found], "summary": "1 record."}
        )
        trail = vetting.call("GET", f"/cases/{case['id']}/audit").json
        assert [e["action"] for e in trail].count("check.late_answer") == 1
        assert vetting.case(app_id)["status"] == "REVIEW"
    finally:
        vetting.platform.engine.dispose()


def test_a_provider_repeating_its_own_answer_is_not_a_disagreement(vetting):
    app_id = vetting.submit()
    vetting.work()
    before = vetting.case(app_id)
    record = _checks(vetting, app_id)["CRIMINAL_RECORD"]["result"]
    vetting.provider_answers(app_id, "CRIMINAL_RECORD", "ADVERSE", record)
    after = vetting.case(app_id)
    assert after["status"] == before["status"] == "AWAITING_DECISION"
    assert {c["name"]: c for c in after["checks_detail"]}["CRIMINAL_RECORD"]["late_answer"] is None


def test_a_late_answer_on_a_case_whose_clearance_ended_is_kept_on_file(backend_env):
    vetting = Vetting(backend_env["vetting"], VETTING_CHECK_MAX_ATTEMPTS="1")
    try:
        app_id = vetting.submit("jo+sim-error-always-dbs@example.org")
        vetting.work()
        assert _record(vetting, app_id, "dbs", "manager").status_code == 200
        clearance = vetting.clear(app_id)
        assert (
            vetting.call(
                "POST",
                f"/clearances/{clearance['id']}/revocation",
                who="manager",
                json={"reason": "Left the fellowship."},
            ).status_code
            == 200
        )
        vetting.provider_answers(
            app_id,
            "DBS",
            "ADVERSE",
            {
                "records": [{"offence": UNDECLARED_OFFENCE, "date": today().isoformat()}],
                "summary": "1 record.",
            },
        )
        case = vetting.case(app_id)
        assert case["status"] == "CLEARED" and case["waiting_on"] is None
        assert {c["name"]: c for c in case["checks_detail"]}["DBS"]["late_answer"]["disagrees"]
    finally:
        vetting.platform.engine.dispose()
