"""Decisions that stick, across the services, as real processes on both run modes: each
scenario uses people of its own on one stack per run mode (the module's), so a scenario costs
API calls, not a stack."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from devstack.stack import Stack
from tests.support import wait_for
from tests.support.clock import today
from tests.support.stack_client import get, post, staff_token
from tests.support.stack_world import (
    admitted_at_wandsworth,
    application,
    apply,
    case_of,
    change_report,
    clearance_status,
    cleared,
    end_sponsorship,
    gate,
    grant_status,
    people_of,
    person,
    report_change,
    revoked_at_wandsworth,
    served,
    settled,
    stack_modes,
    wandsworth_grants,
)

stack_mode = stack_modes("embedded", "real")


@pytest.fixture(scope="module")
def world(module_stack: tuple[Stack, Any]) -> dict[str, Any]:
    return people_of(module_stack)


def test_a_suspension_is_not_undone_by_another_organisation_resubmitting(world):
    """A manager's acknowledgement of the history is not enough either: while the person's
    clearance is suspended no new clearance is issued, so the suspended grant stays so."""
    w, tag = world, uuid.uuid4().hex[:6]
    body = person(f"Suspended-{tag}", passport=f"SUS{tag}")
    _a_app, clearance = cleared(w, "a", body)
    badge = f"WWI-S{tag}"
    grant_id = admitted_at_wandsworth(w, clearance["person_id"], badge)
    wait_for(lambda: gate(w, badge)["allowed"] is True, message="admitted")
    post(
        w["stack"],
        "vetting",
        f"/clearances/{clearance['id']}/suspension",
        w["officer"],
        {"reason": "Police intelligence received."},
    )
    wait_for(lambda: gate(w, badge)["allowed"] is False, message="the gate follows")

    b_app = apply(w, "b", body)
    case = case_of(w, b_app, settled)
    assert case["status"] == "AWAITING_DECISION" and case["clearance_id"] is None
    assert [flag["kind"] for flag in case["history"]] == ["CLEARANCE_SUSPENDED"]
    # The queue says whose turn it is: a manager's, to see that history.
    assert (case["waiting_on"], case["waiting_reason"]) == ("MANAGER", "HISTORY")
    clear = f"/cases/{case['id']}/clearance"
    post(w["stack"], "vetting", clear, w["officer"], {"reason": "Fine."}, expect=(409,))
    seen = post(
        w["stack"],
        "vetting",
        f"/cases/{case['id']}/history/acknowledgement",
        w["manager"],
        {"reason": "Seen the suspension."},
    )
    assert seen["waiting_on"] == "OFFICER"
    post(w["stack"], "vetting", clear, w["officer"], {"reason": "Fine."}, expect=(409,))

    assert gate(w, badge)["allowed"] is False
    assert clearance_status(w, clearance["id"]) == "SUSPENDED"
    assert grant_status(w, grant_id) == "SUSPENDED"
    assert application(w, "b", b_app)["status"] != "CLEARED"


def test_a_sensitive_request_is_answered_by_the_volunteer_to_vetting_not_deadlocked(world):
    """The organisation is not shown a sensitive request and cannot answer it; the volunteer
    alone is told, and answers the vetting team directly; an officer records the answer and
    the case goes on to a decision."""
    w, tag = world, uuid.uuid4().hex[:6]
    app_id = apply(w, "a", person(f"Asked-{tag}", passport=f"ASK{tag}"))
    case = case_of(w, app_id, lambda c: c["status"] == "AWAITING_DECISION")
    asked = post(
        w["stack"],
        "vetting",
        f"/cases/{case['id']}/information-requests",
        w["officer"],
        {
            "items": [{"question": "Tell us about the 2019 caution."}],
            "reason": "A caution was found that was not declared.",
            "sensitive": True,
        },
    )

    def volunteer_asked() -> dict[str, Any] | None:
        found = [
            r for r in application(w, "a", app_id)["information_requests"] if r["id"] == asked["id"]
        ]
        return found[0] if found else None

    shown = wait_for(volunteer_asked, message="the organisation hears the volunteer was asked")
    assert shown["status"] == "VOLUNTEER_ASKED" and shown["items"] == []
    post(
        w["stack"],
        "applications",
        f"/applications/{app_id}/responses",
        w["a"],
        {"request_id": asked["id"], "answers": [{"answer": "Guessing."}]},
        expect=(409,),
    )
    operator = staff_token(w["stack"], "notifications", "operator")
    told = wait_for(
        lambda: (
            [
                n["recipient_kind"]
                for n in get(
                    w["stack"], "notifications", f"/notifications?application_id={app_id}", operator
                ).json()
                if n["template"] == "information_requested"
            ]
            or None
        ),
        message="the volunteer is told",
    )
    assert set(told) == {"volunteer"}
    answered = post(
        w["stack"],
        "vetting",
        f"/cases/{case['id']}/information-requests/{asked['id']}/answer",
        w["officer"],
        {"answers": [{"answer": "A caution at 19; I forgot."}]},
    )
    assert (answered["status"], answered["waiting_on"]) == ("AWAITING_DECISION", "OFFICER")
    post(
        w["stack"],
        "vetting",
        f"/cases/{case['id']}/information-requests/{asked['id']}/answer",
        w["officer"],
        {"answers": [{"answer": "Again."}]},
        expect=(409,),
    )
    post(
        w["stack"],
        "vetting",
        f"/cases/{case['id']}/clearance",
        w["officer"],
        {"reason": "Explained."},
        expect=(201, 202),
    )


def test_a_reported_change_is_reviewed_and_the_reporting_organisation_sees_the_outcome(world):
    """An unverified change of address is evidence for an officer, not a suspension of the
    person's clearance; the organisation that reported it sees vetting's outcome."""
    w, tag = world, uuid.uuid4().hex[:6]
    app_id, clearance = cleared(w, "a", person(f"Moved-{tag}", passport=f"MOV{tag}"))
    moved = (today() - timedelta(days=10)).isoformat()
    report_id = report_change(
        w,
        "a",
        app_id,
        {
            "kind": "CHANGE_OF_ADDRESS",
            "address": {
                "line1": "1 New Road",
                "town": "York",
                "postcode": "YO1 7HH",
                "from_date": moved,
            },
        },
    )
    case = case_of(w, app_id, lambda c: c["status"] == "REVIEW")
    assert [r["id"] for r in case["circumstance_reports"]] == [report_id]
    wait_for(
        lambda: (change_report(w, "a", app_id, report_id) or {}).get("outcome") == "UNDER_REVIEW",
        message="the organisation sees it under review",
    )
    assert clearance_status(w, clearance["id"]) == "ACTIVE"  # not suspended by the report
    post(
        w["stack"],
        "vetting",
        f"/cases/{case['id']}/review",
        w["officer"],
        {"outcome": "CONTINUE", "reason": "New address noted."},
    )

    def final() -> dict[str, Any] | None:
        report = change_report(w, "a", app_id, report_id)
        return report if report and report["final"] else None

    report = wait_for(final, message="the outcome reaches the organisation")
    assert report["outcome"] == "NO_CHANGE"
    assert clearance_status(w, clearance["id"]) == "ACTIVE"


def test_a_prisons_revocation_stands_when_another_organisation_resubmits(world):
    """Wandsworth revokes; another organisation applies for the same person and the person is
    cleared again: the revoked grant is unchanged, a new request waits for review showing the
    revocation, and the gate refuses."""
    body = person("Revokedbeforeson", passport="LIR100200")
    _app, clearance = cleared(world, "a", body)
    person_id = clearance["person_id"]
    grant_id = admitted_at_wandsworth(world, person_id, "LIR-BADGE-1")
    assert gate(world, "LIR-BADGE-1")["allowed"] is True
    revoked = revoked_at_wandsworth(world, grant_id, "Passed a package at the visits hall.")
    assert revoked["status"] == "REVOKED"
    assert gate(world, "LIR-BADGE-1")["reason"] == "REVOKED"

    served(world, "b", person("Revokedbeforeson", passport="LIR100200"))

    def reopened() -> list[dict[str, Any]] | None:
        grants = wandsworth_grants(world, person_id)
        return grants if len(grants) == 2 else None

    grants = {g["id"]: g for g in wait_for(reopened, timeout=60, message="a new request")}
    old = grants.pop(grant_id)
    [new] = grants.values()
    for field in ("status", "status_reason", "decided_by", "decided_at", "badge_number"):
        assert old[field] == revoked[field], field
    assert new["status"] == "PENDING_REVIEW" and new["awaiting_review"]
    [earlier] = new["earlier_decisions"]
    assert earlier["status"] == "REVOKED" and earlier["decided_by"] == revoked["decided_by"]
    assert earlier["status_reason"] == "Passed a package at the visits hall."
    assert gate(world, "LIR-BADGE-1")["allowed"] is False


def test_an_organisation_ends_its_sponsorship_of_a_cleared_volunteer(world):
    """The organisation that dismissed its volunteer says so after clearance (another
    organisation cannot say it for them), and the gate stops admitting them."""
    w, tag = world, uuid.uuid4().hex[:6]
    app_id, clearance = cleared(w, "a", person(f"Dismissed-{tag}", passport=f"END{tag}"))
    badge = f"WWI-E{tag}"
    admitted_at_wandsworth(w, clearance["person_id"], badge)
    wait_for(lambda: gate(w, badge)["allowed"] is True, message="admitted")
    end_sponsorship(w, "b", app_id, expect=(404,))
    ended = end_sponsorship(w, "a", app_id, "CONDUCT")
    assert ended["status"] == "SPONSORSHIP_ENDED"
    assert ended["timeline"][-1]["kind"] == "sponsorship_ended"
    end_sponsorship(w, "a", app_id, expect=(409,))
    assert application(w, "a", app_id)["status"] == "SPONSORSHIP_ENDED"
    # Access heard: the grant resting only on this organisation's application ended.
    wait_for(lambda: gate(w, badge)["allowed"] is False, message="the gate follows")


def test_a_withdrawal_crossing_the_clearance_leaves_no_grant_on_it(world):
    """The organisation withdraws the moment the officer clears, so the two cross whenever the
    timing allows: whichever each service hears first, the application ends with the
    sponsorship ended, the prison's request on it ends (even one it had already approved)
    and says why, and the gate refuses."""
    w, tag = world, uuid.uuid4().hex[:6]
    app_id = apply(w, "a", person(f"Crossed-{tag}", passport=f"CRS{tag}"))
    case = case_of(w, app_id, lambda c: c["status"] == "AWAITING_DECISION")
    clearance = post(
        w["stack"],
        "vetting",
        f"/cases/{case['id']}/clearance",
        w["officer"],
        {"reason": "All checks passed."},
        expect=(201,),
    )
    withdrawn = post(
        w["stack"],
        "applications",
        f"/applications/{app_id}/withdraw",
        w["a"],
        {"reason": "Dismissed for conduct."},
        expect=(200, 409),
    )
    if withdrawn["status"] == 409:
        # The clearance got there first: a cleared application is not withdrawn, its
        # sponsorship is ended (the answer says so), which the organisation then does.
        assert withdrawn["state"] == "CLEARED", withdrawn
        end_sponsorship(w, "a", app_id, "CONDUCT")
    else:
        assert withdrawn["status"] == "WITHDRAWN", withdrawn
    # The prison may see the request before the news and approve it: that must not stick.
    person_id, badge = clearance["person_id"], f"WWI-X{tag}"
    grant_id = wait_for(
        lambda: next((g["id"] for g in grants_of(w, person_id)), None), message="the request at WWI"
    )
    security, grant_path = w["security"], f"/grants/{grant_id}"
    post(
        w["stack"],
        "access",
        f"{grant_path}/approval",
        security,
        {"access_type": "ESCORTED"},
        expect=(200, 409),
    )
    for item in ({"item": "SECURITY_BRIEFING"}, {"item": "ID_BADGE", "badge_number": badge}):
        post(w["stack"], "access", f"{grant_path}/induction", security, item, expect=(200, 409))

    def ended() -> dict[str, Any] | None:
        grants = grants_of(w, person_id)
        return grants[0] if [g["status"] for g in grants] == ["ENDED"] else None

    wait_for(
        lambda: application(w, "a", app_id)["status"] == "SPONSORSHIP_ENDED",
        message="the application ends with the sponsorship ended",
    )
    grant = wait_for(ended, message="the grant on the withdrawn application ends")
    assert grant["status_reason"] == "The organisation ended its sponsorship."
    assert gate(w, badge)["allowed"] is False
    post(
        w["stack"],
        "access",
        f"{grant_path}/approval",
        security,
        {"access_type": "ESCORTED"},
        expect=(409,),
    )
    assert application(w, "a", app_id)["status"] == "SPONSORSHIP_ENDED"


def grants_of(w: dict[str, Any], person_id: str) -> list[dict[str, Any]]:
    """The person's grants at Wandsworth; none while access has yet to hear of the person."""
    found = get(w["stack"], "access", f"/people/{person_id}", w["security"])
    return [] if found.status_code == 404 else found.json()["grants"]
