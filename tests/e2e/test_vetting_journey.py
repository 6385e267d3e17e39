"""From submission to a granted clearance, as real processes on the embedded mode: the checks run
in vetting's worker, an officer asks for information and the organisation answers, a refusal
is proposed and countersigned by a different manager, the organisation asks for
reconsideration, and a different officer clears (against the risk summary, so countersigned by
a manager who took no part in the refusal). The organisation sees each step."""

from __future__ import annotations

import uuid

import requests

from tests.support import wait_for
from tests.support.stack_client import get, organisation_key, staff_token, submit
from tests.support.stack_world import person, stack_modes

stack_mode = stack_modes("embedded")


def token(stack, staff_id, role):
    return staff_token(stack, "vetting", role, staff_id=staff_id)


def post(stack, service, path, credential, body):
    response = requests.post(
        stack.url(service) + path,
        json=body,
        timeout=10,
        headers={"Authorization": f"Bearer {credential}"},
    )
    assert response.status_code in (200, 201, 202), (path, response.status_code, response.text)
    return response.json()


# On the embedded mode's shared stack (what `make run` runs); test_access_journey.py runs on
# PostgreSQL + RabbitMQ.
def test_submission_to_granted_clearance_through_information_refusal_and_reconsideration(
    module_stack,
):
    stack, _inbox = module_stack
    tag = uuid.uuid4().hex[:8]
    key = organisation_key(stack)
    officer = token(stack, "officer-ann", "vetting_officer")
    manager = token(stack, "manager-cat", "vetting_manager")
    second_officer = token(stack, "officer-bob", "vetting_officer")
    second_manager = token(stack, "manager-dee", "vetting_manager")
    created = submit(
        stack,
        key,
        person(f"Journey-{tag}", passport=f"VJ{tag}", email=f"jo-{tag}+sim-undeclared@example.org"),
    )
    assert created.status_code == 200, created.text
    application_id = created.json()["id"]

    def application():
        return get(stack, "applications", f"/applications/{application_id}", key).json()

    def case_when(status):
        def found():
            items = get(
                stack, "vetting", f"/cases?application_id={application_id}", officer
            ).json()["items"]
            return items[0] if items and items[0]["status"] == status else None

        return wait_for(found, message=f"case {status}")

    case = case_when("AWAITING_DECISION")  # every check worked by the consumer's runner
    detail = get(stack, "vetting", f"/cases/{case['id']}", officer).json()
    assert detail["risk"]["recommendation"] == "REFER"
    assert {c["status"] for c in detail["checks_detail"]} <= {"PASSED", "ADVERSE"}

    request = post(
        stack,
        "vetting",
        f"/cases/{case['id']}/information-requests",
        officer,
        {
            "items": [{"question": "Tell us about the 2022 conviction.", "field": "declarations"}],
            "reason": "A record was found that was not declared.",
        },
    )
    wait_for(lambda: application()["status"] == "INFO_REQUESTED", message="info requested")
    post(
        stack,
        "applications",
        f"/applications/{application_id}/responses",
        key,
        {
            "request_id": request["id"],
            "answers": [{"answer": "I forgot it; it was a fine, and I have been clean since."}],
        },
    )
    case = case_when("AWAITING_DECISION")

    post(
        stack,
        "vetting",
        f"/cases/{case['id']}/refusal",
        officer,
        {"reasons": ["Undeclared drugs conviction within four years."]},
    )
    own = requests.post(
        stack.url("vetting") + f"/cases/{case['id']}/refusal/countersignature",
        json={"decision": "CONFIRM", "note": "Agreed."},
        timeout=10,
        headers={"Authorization": f"Bearer {officer}"},
    )
    assert own.status_code == 403
    post(
        stack,
        "vetting",
        f"/cases/{case['id']}/refusal/countersignature",
        manager,
        {"decision": "CONFIRM", "note": "Agreed: honesty matters here."},
    )
    wait_for(lambda: application()["status"] == "REFUSED", message="refused")

    post(
        stack,
        "applications",
        f"/applications/{application_id}/reconsideration",
        key,
        {"grounds": "The fine was for a first offence; the form's wording misled the applicant."},
    )
    case = case_when("RECONSIDERATION")
    # Against the risk summary (REFER): proposed by a different officer, countersigned by a
    # manager who took no part in the refusal.
    proposed = post(
        stack,
        "vetting",
        f"/cases/{case['id']}/clearance",
        second_officer,
        {"conditions": ["ESCORTED_ONLY"], "reason": "Candid answer; old, minor; escorted."},
    )
    assert proposed["status"] == "CLEARANCE_PENDING"
    assert application()["status"] != "CLEARED"
    post(
        stack,
        "vetting",
        f"/cases/{case['id']}/clearance/countersignature",
        second_manager,
        {"decision": "CONFIRM", "note": "Agreed on reconsideration."},
    )

    view = wait_for(
        lambda: (lambda a: a if a["status"] == "CLEARED" else None)(application()),
        message="cleared",
    )
    assert "clearance_id" not in view["outcome"]
    assert view["outcome"]["conditions"] == ["ESCORTED_ONLY"]
    kinds = [entry["kind"] for entry in view["timeline"]]
    for step in (
        "submitted",
        "checks_started",
        "information_requested",
        "information_provided",
        "refused",
        "reconsideration_requested",
        "cleared",
    ):
        assert step in kinds, (step, kinds)
    assert kinds.index("information_requested") < kinds.index("refused") < kinds.index("cleared")
    trail = [
        e["action"] for e in get(stack, "vetting", f"/cases/{case['id']}/audit", officer).json()
    ]
    assert trail[0] == "case.cleared" and "case.override_countersigned" in trail
    assert "case.refusal_countersigned" in trail
