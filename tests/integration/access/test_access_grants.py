"""An establishment's decisions about access, on both run modes: requests opened from vetting's
clearances, approve / refuse within the clearance, induction gating activation, and the later
suspend / reinstate / exclude / revoke / end, each with its event and audit entry."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from shared.clock import end_of_london_day, london_date
from tests.support.access_harness import Access, clearance_granted
from tests.support.clock import now, today


@pytest.fixture
def access(backend_env):
    return Access(backend_env["access"])


def test_a_clearance_opens_one_pending_request_per_establishment(access):
    data = access.grant_clearance(establishments=("WWI", "BMI"), conditions=("ESCORTED_ONLY",))
    opened = access.published("access.request_opened")
    assert sorted(e["establishment_code"] for e in opened) == ["BMI", "WWI"]
    grant = access.grant(access.grant_id(data["person_id"]))
    assert grant["status"] == "PENDING_REVIEW" and grant["awaiting_review"]
    assert grant["clearance"]["max_access"] == "ESCORTED"  # escorted only, whatever was asked
    assert grant["clearance"]["level"] == "ENHANCED"
    assert grant["forenames"] == "Siobhán" and grant["surname"] == "O'Neill"
    queue = access.call("GET", "/establishments/WWI/queue").json
    assert [item["id"] for item in queue["items"]] == [grant["id"]]


def test_a_cleared_person_leaves_the_incoming_view(access):
    data = clearance_granted(establishments=("WWI",))
    case = {
        "case_id": data["case_id"],
        "application_id": data["application_id"],
        "establishments": ["WWI"],
        "requested_access": "ESCORTED",
        "opened_at": data["issued_at"],
    }
    access.event("vetting.case_opened", case)
    assert len(access.call("GET", "/establishments/WWI/incoming").json) == 1
    access.event("vetting.clearance_granted", data)
    assert access.call("GET", "/establishments/WWI/incoming").json == []


def test_a_redelivered_clearance_changes_nothing(access):
    data = access.grant_clearance()
    access.event("vetting.clearance_granted", data)
    assert len(access.published("access.request_opened")) == 1


def test_approve_then_induction_activates(access):
    data = access.grant_clearance(access="KEY_HOLDING")
    grant_id = access.grant_id(data["person_id"])
    approved = access.decide(
        grant_id,
        "approval",
        {
            "access_type": "KEY_HOLDING",
            "permitted_days": ["TUE", "THU"],
            "permitted_areas": ["Chapel", "Education block"],
            "conditions": ["Escort to chapel"],
        },
    )
    assert approved["status"] == "APPROVED"
    # By default the clearance's last day, to its end in London.
    assert datetime.fromisoformat(approved["valid_until"]) == end_of_london_day(
        london_date(datetime.fromisoformat(data["expires_at"]))
    )
    assert approved["induction"]["outstanding"] == ["SECURITY_BRIEFING", "ID_BADGE", "KEY_TRAINING"]
    access.decide(grant_id, "induction", {"item": "SECURITY_BRIEFING"})
    after_badge = access.decide(
        grant_id, "induction", {"item": "ID_BADGE", "badge_number": "WWI-0042"}
    )
    assert after_badge["status"] == "APPROVED"  # key holders need key training first
    assert not access.published("access.activated")
    active = access.decide(grant_id, "induction", {"item": "KEY_TRAINING"})
    assert active["status"] == "ACTIVE" and active["badge_number"] == "WWI-0042"
    [activated] = access.published("access.activated")
    assert activated["access_type"] == "KEY_HOLDING" and activated["by"] == "ESTABLISHMENT"
    actions = [e["action"] for e in access.call("GET", f"/grants/{grant_id}/history").json]
    assert actions[:2] == ["grant.activated", "grant.induction_recorded"]
    assert "grant.approved" in actions and "grant.opened" in actions


def test_approval_never_goes_above_the_clearance(access):
    data = access.grant_clearance(access="UNESCORTED", expires_in_days=30)
    grant_id = access.grant_id(data["person_id"])
    too_far = (now() + timedelta(days=31)).isoformat()
    body = access.decide(
        grant_id, "approval", {"access_type": "KEY_HOLDING", "valid_until": too_far}, expect=422
    )
    assert set(body["errors"]) == {"access_type", "valid_until"}
    assert access.grant(grant_id)["status"] == "PENDING_REVIEW"  # nothing written
    assert not access.published("access.approved")


def test_bad_input_gets_field_messages(access):
    data = access.grant_clearance()
    grant_id = access.grant_id(data["person_id"])
    body = access.decide(
        grant_id, "approval", {"access_type": "ROOFTOP", "permitted_days": ["FUNDAY"]}, expect=422
    )
    assert "access_type" in body["errors"] and "permitted_days" in body["errors"]
    body = access.decide(grant_id, "refusal", {}, expect=422)
    assert "reason" in body["errors"]


def test_refuse_needs_a_reason_and_emits_refused(access):
    data = access.grant_clearance()
    grant_id = access.grant_id(data["person_id"])
    refused = access.decide(grant_id, "refusal", {"reason": "Known associate on A wing"})
    assert refused["status"] == "REFUSED" and not refused["awaiting_review"]
    [event] = access.published("access.refused")
    assert event["grant_id"] == grant_id and "reason" not in event
    access.decide(grant_id, "approval", {"access_type": "ESCORTED"}, expect=409)


def test_suspend_and_reinstate_locally(access):
    data = access.grant_clearance()
    grant_id = access.grant_id(data["person_id"])
    access.activate(grant_id)
    assert access.decide(grant_id, "suspension", {"reason": "Incident"})["status"] == "SUSPENDED"
    access.decide(grant_id, "suspension", {"reason": "again"}, expect=409)
    assert access.decide(grant_id, "reinstatement", {"reason": "Cleared up"})["status"] == "ACTIVE"
    assert [e["by"] for e in access.published("access.suspended")] == ["ESTABLISHMENT"]
    assert len(access.published("access.reinstated")) == 1


def test_exclusion_is_for_the_head_of_security_with_a_future_review_date(access):
    data = access.grant_clearance()
    grant_id = access.grant_id(data["person_id"])
    access.activate(grant_id)
    review = (today() + timedelta(days=90)).isoformat()
    access.decide(
        grant_id,
        "exclusion",
        {"reason": "Governor's decision", "review_on": review},
        who="officer",
        expect=403,
    )
    body = access.decide(
        grant_id, "exclusion", {"reason": "x", "review_on": "2020-01-01"}, who="head", expect=422
    )
    assert "review_on" in body["errors"]
    excluded = access.decide(
        grant_id, "exclusion", {"reason": "Governor's decision", "review_on": review}, who="head"
    )
    assert excluded["status"] == "EXCLUDED" and excluded["review_on"] == review
    [event] = access.published("access.excluded")
    assert event["review_on"] == review


def test_revoke_is_for_the_head_and_end_for_any_officer(access):
    first = access.grant_id(access.grant_clearance()["person_id"])
    second = access.grant_id(access.grant_clearance()["person_id"])
    access.activate(first)
    access.activate(second)
    access.decide(first, "revocation", {"reason": "Breach"}, who="officer", expect=403)
    assert (
        access.decide(first, "revocation", {"reason": "Breach"}, who="head")["status"] == "REVOKED"
    )
    assert access.decide(second, "ending", {"reason": "Group moved"})["status"] == "ENDED"
    access.decide(second, "suspension", {"reason": "late"}, expect=409)


def test_badge_numbers_are_unique_per_establishment(access):
    first = access.grant_id(access.grant_clearance()["person_id"])
    second = access.grant_id(access.grant_clearance()["person_id"])
    access.activate(first, badge="WWI-1")
    access.decide(second, "approval", {"access_type": "ESCORTED"})
    body = access.decide(
        second, "induction", {"item": "ID_BADGE", "badge_number": "WWI-1"}, expect=422
    )
    assert "badge_number" in body["errors"]
