"""Proportionate to the visit, as real processes on PostgreSQL + RabbitMQ: a visiting speaker,
one-off and escorted at all times, gives identity details only (no address history, no
declarations, no referees). Readiness says the draft is ready and what it need not give;
vetting runs the identity check alone and an officer clears at the light level."""

from __future__ import annotations

import copy
import uuid

from tests.support import wait_for
from tests.support.stack_client import get, organisation_key, post, staff_token
from tests.support.stack_world import person, stack_modes

stack_mode = stack_modes("real")


def test_a_one_off_escorted_speaker_with_identity_details_only_clears_at_the_light_level(
    module_stack,
):
    stack, _inbox = module_stack
    tag = uuid.uuid4().hex[:8]
    key = organisation_key(stack)
    officer = staff_token(stack, "vetting", "vetting_officer", staff_id=f"speaker-{tag}")
    body = person(f"Speaker-{tag}", passport=f"SP{tag}")
    body.update(requested_access="ESCORTED", frequency="ONE_OFF", establishments=["FKI"])
    applicant = body["applicant"]
    for section in ("declarations", "referees", "address_gap_explanations", "dbs_certificate"):
        applicant.pop(section, None)
    applicant["addresses"] = [
        copy.deepcopy(a) for a in applicant["addresses"] if not a.get("to_date")
    ]

    draft = post(stack, "applications", "/applications", key, body, expect=(201,))
    ready = get(stack, "applications", f"/applications/{draft['id']}/readiness", key).json()
    assert (ready["ready"], ready["problems"]) == (True, []), ready
    assert ready["clearance_level"]["label"] == "Level 1 (identity)"
    assert {n["section"] for n in ready["not_needed"]} == {
        "applicant.addresses",
        "applicant.declarations",
        "applicant.referees",
    }
    post(stack, "applications", f"/applications/{draft['id']}/submit", key)

    def awaiting():
        items = get(stack, "vetting", f"/cases?application_id={draft['id']}", officer).json()
        found = items["items"]
        return found[0] if found and found[0]["status"] == "AWAITING_DECISION" else None

    case = get(
        stack,
        "vetting",
        f"/cases/{wait_for(awaiting, timeout=60, message='checks')['id']}",
        officer,
    ).json()
    # Frankland is high security, but the light path is never raised by an establishment.
    assert (case["required_level"], case["checks"], case["dbs_level"]) == (
        "ESCORTED_VISITOR",
        ["IDENTITY"],
        None,
    )
    assert [(c["name"], c["status"]) for c in case["checks_detail"]] == [("IDENTITY", "PASSED")]
    clearance = post(
        stack,
        "vetting",
        f"/cases/{case['id']}/clearance",
        officer,
        {"reason": "Identity confirmed; escorted at all times for one talk."},
        expect=(201,),
    )
    assert clearance["level"] == "ESCORTED_VISITOR"

    def cleared():
        view = get(stack, "applications", f"/applications/{draft['id']}", key).json()
        return view if view["status"] == "CLEARED" else None

    view = wait_for(cleared, timeout=60, message="cleared")
    assert view["outcome"]["level"] == "ESCORTED_VISITOR"
