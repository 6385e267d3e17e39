"""Clearances after the decision: one per person across organisations, renewals, suspension,
reinstatement, revocation, change of circumstances, and the daily sweep (reminders at the
policy's offsets, then expiry). Both backends."""

from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import datetime, timedelta

import pytest

from tests.support.clock import iso_now, now
from tests.support.vetting_harness import cleared


def test_one_clearance_serves_the_same_person_from_another_organisation(vetting):
    _first, clearance = cleared(vetting)
    second = vetting.submit("same.person@example.org", establishments=["BMI"])
    case = vetting.case(second)
    assert case["status"] == "CLEARED" and case["clearance_id"] == clearance["id"]
    assert case["checks_detail"] == []  # nothing re-done
    grants = vetting.published("vetting.clearance_granted")
    assert [g["clearance_id"] for g in grants] == [clearance["id"]] * 2
    assert grants[1]["application_id"] == second and grants[1]["establishments"] == ["BMI"]
    assert [a["application_id"] for a in vetting.published("vetting.clearance_announced")] == [
        _first,
        second,
    ]
    # A request the clearance does not cover (unescorted) is vetted afresh.
    third = vetting.submit("same.person@example.org", requested_access="UNESCORTED")
    assert vetting.case(third)["status"] == "OPEN"


def test_a_renewal_is_vetted_again_and_supersedes_the_old_clearance(vetting):
    first, old = cleared(vetting)
    renewal = vetting.submit("same.person@example.org", renewal_of=first)
    assert vetting.case(renewal)["status"] == "OPEN"
    vetting.work()
    case = vetting.case(renewal)
    new = vetting.call("POST", f"/cases/{case['id']}/clearance", json={"reason": "Renewed."})
    assert new.json["replaces_id"] == old["id"]
    assert vetting.call("GET", f"/clearances/{old['id']}").json["status"] == "SUPERSEDED"
    granted = vetting.published("vetting.clearance_granted")[-1]
    assert granted["replaces_clearance_id"] == old["id"]


def test_suspend_reinstate_revoke_with_events_and_roles(vetting):
    _app, clearance = cleared(vetting)
    path = f"/clearances/{clearance['id']}"
    why = {"reason": "Police intelligence received."}
    assert vetting.call("POST", path + "/reinstatement", json=why).status_code == 409
    suspended = vetting.call("POST", path + "/suspension", json=why)
    assert suspended.json["status"] == "SUSPENDED"
    assert vetting.call("POST", path + "/suspension", json=why).status_code == 409
    assert vetting.call("POST", path + "/reinstatement", json=why).json["status"] == "ACTIVE"
    assert vetting.call("POST", path + "/revocation", json=why).status_code == 403  # officer
    revoked = vetting.call("POST", path + "/revocation", who="manager", json=why)
    assert revoked.json["status"] == "REVOKED"
    assert vetting.call("POST", path + "/reinstatement", json=why).status_code == 409
    kinds = [e["type"] for e in vetting.published() if e["type"].startswith("vetting.clear")]
    assert kinds[-3:] == [
        "vetting.clearance_suspended",
        "vetting.clearance_reinstated",
        "vetting.clearance_revoked",
    ]
    [suspension] = vetting.published("vetting.clearance_suspended")
    assert suspension["reason"] == "OFFICER_DECISION" and "Police" not in str(suspension)
    # The volunteer and the coordinator are told apart, without the reason's code.
    [announced] = vetting.published("vetting.clearance_suspension_announced")
    assert announced["application_id"] == suspension["application_id"]
    assert "reason" not in announced and "OFFICER" not in str(announced)
    # The reinstatement names the suspension it lifts (access lifts that one only).
    [reinstatement] = vetting.published("vetting.clearance_reinstated")
    assert str(uuid.UUID(suspension["suspension_id"])) == reinstatement["suspension_id"]
    trail = [e["action"] for e in vetting.call("GET", path + "/audit").json]
    assert trail == ["clearance.revoked", "clearance.reinstated", "clearance.suspended"]
    assert vetting.call("POST", path + "/suspension", json={}).status_code == 422


def test_a_serious_new_conviction_suspends_and_opens_review(vetting):
    app_id, clearance = cleared(vetting)
    vetting.event(
        "application.circumstances_changed",
        {
            "application_id": app_id,
            "kind": "NEW_CONVICTION",
            "details": {
                "kind": "CONVICTION",
                "offence": "Conveying a mobile phone into a prison",
                "date": (now() - timedelta(days=20)).date().isoformat(),
                "disposal": "SUSPENDED_SENTENCE",
            },
            "reported_at": iso_now(),
        },
    )
    case = vetting.case(app_id)
    assert case["status"] == "REVIEW" and case["risk"]["recommendation"] == "REFUSE"
    assert vetting.call("GET", f"/clearances/{clearance['id']}").json["status"] == "SUSPENDED"
    [event] = vetting.published("vetting.clearance_suspended")
    assert event["reason"] == "CHANGE_OF_CIRCUMSTANCES"
    review = {"outcome": "REVOKE", "reason": "Unmanageable risk."}
    assert vetting.call("POST", f"/cases/{case['id']}/review", json=review).status_code == 403
    done = vetting.call("POST", f"/cases/{case['id']}/review", who="manager", json=review)
    assert done.status_code == 200 and done.json["status"] == "CLEARED"
    assert vetting.call("GET", f"/clearances/{clearance['id']}").json["status"] == "REVOKED"


def test_a_minor_change_opens_review_without_suspending(vetting):
    app_id, clearance = cleared(vetting)
    vetting.event(
        "application.circumstances_changed",
        {
            "application_id": app_id,
            "kind": "CHANGE_OF_ADDRESS",
            "details": {
                "line1": "1 New Road",
                "town": "York",
                "postcode": "YO1 7HH",
                "from_date": now().date().isoformat(),
                "to_date": None,
            },
            "reported_at": iso_now(),
        },
    )
    case = vetting.case(app_id)
    assert case["status"] == "REVIEW"
    assert vetting.call("GET", f"/clearances/{clearance['id']}").json["status"] == "ACTIVE"
    done = vetting.call(
        "POST",
        f"/cases/{case['id']}/review",
        json={"outcome": "CONTINUE", "reason": "Address noted."},
    )
    assert done.json["status"] == "CLEARED"
    assert vetting.published("vetting.clearance_suspended") == []


def test_the_sweep_reminds_once_per_offset_then_expires(vetting):
    _app, clearance = cleared(vetting)
    expires = datetime.fromisoformat(clearance["expires_at"])
    from vetting.service import policy
    from vetting.service_layer.clearances import sweep

    def run(at):
        with vetting.platform.unit_of_work() as uow:
            found = sweep(uow, policy(vetting.platform), at)
            uow.commit()
        return found

    assert run(expires - timedelta(days=200)) == {"reminded": 0, "expired": 0}
    assert run(expires - timedelta(days=89)) == {"reminded": 1, "expired": 0}
    assert run(expires - timedelta(days=88)) == {"reminded": 0, "expired": 0}  # once
    # A sweep that missed the 30-day mark sends only the nearest reminder.
    assert run(expires - timedelta(days=6)) == {"reminded": 1, "expired": 0}
    assert run(expires + timedelta(hours=1)) == {"reminded": 0, "expired": 1}
    assert run(expires + timedelta(days=2)) == {"reminded": 0, "expired": 0}
    reminders = vetting.published("vetting.clearance_expiring")
    assert [r["days_before"] for r in reminders] == [90, 7]
    [expired] = vetting.published("vetting.clearance_expired")
    assert expired["clearance_id"] == clearance["id"]
    assert vetting.call("GET", f"/clearances/{clearance['id']}").json["status"] == "EXPIRED"


@pytest.mark.slow  # starts a process: `make test`, not the quick loop
def test_the_sweep_command_runs_as_an_operator_would(vetting, backend_env):
    _app, clearance = cleared(vetting)
    at = (datetime.fromisoformat(clearance["expires_at"]) + timedelta(minutes=1)).isoformat()
    result = subprocess.run(
        [sys.executable, "-m", "vetting", "sweep", "--at", at],
        capture_output=True,
        text=True,
        timeout=60,
        env={**backend_env["vetting"], "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout.strip().splitlines()[-1]
        == '{"reminded": 0, "expired": 1, "chased": 0, "lapsed": 0}'
    )
