"""Changes of circumstances: never lost (any number, any state), evidence for an officer's
review rather than a suspension by themselves (unless the policy names the change as
immediate), and the reporting organisation told the outcome of its report
(vetting.circumstances_reviewed). Both backends."""

from __future__ import annotations

import pytest

from tests.support.vetting_harness import NEW_ADDRESS, cleared, new_conviction

UNMANAGEABLE = "Conveying a mobile phone into a prison"
MINOR = "Driving without due care and attention"


def _clearance(vetting, clearance_id):
    return vetting.call("GET", f"/clearances/{clearance_id}").json


def _outcomes(vetting, report_id):
    return [
        (e["outcome"], e["final"])
        for e in vetting.published("vetting.circumstances_reviewed")
        if e["report_id"] == report_id
    ]


def test_an_address_change_does_not_suspend_and_the_reporter_sees_the_outcome(vetting):
    app_id, clearance = cleared(vetting)
    report = vetting.report_change(app_id, "CHANGE_OF_ADDRESS", NEW_ADDRESS)
    case = vetting.case(app_id)
    assert case["status"] == "REVIEW" and case["waiting_on"] == "OFFICER"
    assert _clearance(vetting, clearance["id"])["status"] == "ACTIVE"
    assert vetting.published("vetting.clearance_suspended") == []
    [item] = case["circumstance_reports"]
    assert (item["id"], item["kind"], item["status"], item["immediate"]) == (
        report,
        "CHANGE_OF_ADDRESS",
        "OPEN",
        False,
    )
    [told] = vetting.published("vetting.circumstances_reviewed")
    assert told["application_id"] == app_id
    assert told["organisation_id"] == item["organisation_id"] is not None
    assert _outcomes(vetting, report) == [("UNDER_REVIEW", False)]
    done = vetting.call(
        "POST",
        f"/cases/{case['id']}/review",
        json={"outcome": "CONTINUE", "reason": "Address noted."},
    )
    assert done.status_code == 200 and done.json["status"] == "CLEARED"
    assert _outcomes(vetting, report) == [("UNDER_REVIEW", False), ("NO_CHANGE", True)]
    [item] = vetting.case(app_id)["circumstance_reports"]
    assert item["status"] == "DONE" and item["reviewed_by"] == "officer-ann"
    # Only the outcome code: nothing from the report or the checks.
    assert set(told) == {
        "type",
        "application_id",
        "organisation_id",
        "report_id",
        "outcome",
        "final",
        "reviewed_at",
    }


def test_a_minor_new_conviction_is_evidence_for_the_officer_not_a_suspension(vetting):
    app_id, clearance = cleared(vetting)
    report = vetting.report_change(app_id, "NEW_CONVICTION", new_conviction(MINOR))
    case = vetting.case(app_id)
    assert case["status"] == "REVIEW" and case["risk"]["recommendation"] == "REFER"
    assert _clearance(vetting, clearance["id"])["status"] == "ACTIVE"
    assert _outcomes(vetting, report) == [("UNDER_REVIEW", False)]


def test_an_immediate_kind_suspends_at_once_and_the_review_decides(vetting):
    app_id, clearance = cleared(vetting)
    report = vetting.report_change(app_id, "NEW_CONVICTION", new_conviction(UNMANAGEABLE))
    case = vetting.case(app_id)
    assert case["status"] == "REVIEW" and case["risk"]["recommendation"] == "REFUSE"
    assert _clearance(vetting, clearance["id"])["status"] == "SUSPENDED"
    [event] = vetting.published("vetting.clearance_suspended")
    assert event["reason"] == "CHANGE_OF_CIRCUMSTANCES"
    assert case["circumstance_reports"][0]["immediate"] is True
    assert _outcomes(vetting, report) == [("SUSPENDED", False)]
    done = vetting.call(
        "POST",
        f"/cases/{case['id']}/review",
        who="manager",
        json={"outcome": "REVOKE", "reason": "Unmanageable risk."},
    )
    assert done.status_code == 200
    assert _outcomes(vetting, report)[-1] == ("CLEARANCE_REVOKED", True)


@pytest.mark.parametrize("more", [2, 3])
def test_changes_while_the_clearance_is_suspended_are_all_kept(vetting, more):
    app_id, clearance = cleared(vetting)
    path = f"/clearances/{clearance['id']}/suspension"
    assert (
        vetting.call("POST", path, json={"reason": "Police intelligence."}).json["status"]
        == "SUSPENDED"
    )
    reports = [vetting.report_change(app_id, "NEW_CONVICTION", new_conviction(UNMANAGEABLE))]
    reports += [
        vetting.report_change(app_id, kind, details)
        for kind, details in [
            (
                "NEW_CONNECTION",
                {"name": "A. Smith", "relationship": "Brother", "establishment": "WWI"},
            ),
            ("CHANGE_OF_ADDRESS", NEW_ADDRESS),
        ][: more - 1]
    ]
    case = vetting.case(app_id)  # every handler ran: none raised, none dead-lettered
    assert case["status"] == "REVIEW"
    assert [r["id"] for r in case["circumstance_reports"]] == reports
    assert sum(u["kind"] == "circumstances_changed" for u in case["updates"]) == more
    assert _clearance(vetting, clearance["id"])["status"] == "SUSPENDED"
    assert len(vetting.published("vetting.clearance_suspended")) == 1  # the officer's only
    for report in reports:
        assert _outcomes(vetting, report)[0][1] is False
    done = vetting.call(
        "POST",
        f"/cases/{case['id']}/review",
        json={"outcome": "SUSPEND", "reason": "Stays suspended."},
    )
    assert done.status_code == 200
    assert [_outcomes(vetting, r)[-1] for r in reports] == [("SUSPENDED", True)] * more
    # The same report delivered again (a redelivery the inbox did not see): kept once.
    vetting.report_change(app_id, "CHANGE_OF_ADDRESS", NEW_ADDRESS, report_id=reports[0])
    assert len(vetting.case(app_id)["circumstance_reports"]) == more


def test_a_change_before_the_decision_joins_the_vetting_under_way(vetting):
    app_id = vetting.submit()
    vetting.work()
    report = vetting.report_change(app_id, "NEW_CONVICTION", new_conviction(MINOR))
    case = vetting.case(app_id)
    assert case["status"] == "AWAITING_DECISION" and case["risk"]["recommendation"] == "REFER"
    assert _outcomes(vetting, report) == [("IN_VETTING", True)]
