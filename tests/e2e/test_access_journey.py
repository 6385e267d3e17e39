"""From a cleared application to the gate, as real processes on PostgreSQL + RabbitMQ: vetting's
clearance opens a request at each establishment, Wandsworth's security team approves and
inducts, the gate lets the person in by badge; when vetting suspends the clearance the gate
says no at once, everywhere, and reinstatement brings it back. With intake and vetting down,
the prison still decides and its gate still answers. The organisation sees it all."""

from __future__ import annotations

import uuid

import requests

from devstack.stack import roles
from tests.support import wait_for
from tests.support.stack_client import get, organisation_key, staff_token, submit
from tests.support.stack_world import person, stack_modes

stack_mode = stack_modes("real")


def post(stack, service, path, credential, body):
    response = requests.post(
        stack.url(service) + path,
        json=body,
        timeout=10,
        headers={"Authorization": f"Bearer {credential}"},
    )
    assert response.status_code in (200, 201), (path, response.status_code, response.text)
    return response.json()


# On PostgreSQL + RabbitMQ's shared stack (production's backends); test_slice.py runs the
# embedded mode.
def test_clearance_to_gate_and_back_when_vetting_suspends(module_stack):
    stack, _inbox = module_stack
    tag = uuid.uuid4().hex[:8]
    badge = f"WWI-{tag}"
    key = organisation_key(stack)
    officer = staff_token(stack, "vetting", "vetting_officer")
    wandsworth = staff_token(stack, "access", "security_officer", "WWI")
    birmingham = staff_token(stack, "access", "security_officer", "BMI")
    created = submit(stack, key, person(f"Gate-{tag}", passport=f"AJ{tag}"))
    assert created.status_code == 200, created.text
    application_id = created.json()["id"]

    def case():
        items = get(stack, "vetting", f"/cases?application_id={application_id}", officer).json()[
            "items"
        ]
        return items[0] if items and items[0]["status"] == "AWAITING_DECISION" else None

    case_id = wait_for(case, message="checks done")["id"]
    clearance = post(
        stack, "vetting", f"/cases/{case_id}/clearance", officer, {"reason": "All checks passed."}
    )

    def queued(token, code):
        def found():
            items = get(stack, "access", f"/establishments/{code}/queue", token).json()["items"]
            return next(
                (item for item in items if item["clearance"]["id"] == clearance["id"]), None
            )

        return wait_for(found, message=f"request at {code}")

    request = queued(wandsworth, "WWI")
    queued(birmingham, "BMI")
    assert request["clearance"]["id"] == clearance["id"]
    assert request["forenames"] and request["date_of_birth"]  # recognisable at the gate
    grant_id = request["id"]
    # Birmingham cannot see or decide Wandsworth's request.
    denied = requests.post(
        stack.url("access") + f"/grants/{grant_id}/approval",
        timeout=10,
        json={"access_type": "ESCORTED"},
        headers={"Authorization": f"Bearer {birmingham}"},
    )
    assert denied.status_code == 404

    post(
        stack,
        "access",
        f"/grants/{grant_id}/approval",
        wandsworth,
        {"access_type": "ESCORTED", "permitted_areas": ["Chapel"]},
    )
    post(
        stack, "access", f"/grants/{grant_id}/induction", wandsworth, {"item": "SECURITY_BRIEFING"}
    )
    active = post(
        stack,
        "access",
        f"/grants/{grant_id}/induction",
        wandsworth,
        {"item": "ID_BADGE", "badge_number": badge},
    )
    assert active["status"] == "ACTIVE"

    def gate():
        return get(
            stack, "access", f"/establishments/WWI/gate-check?badge={badge}", wandsworth
        ).json()

    allowed = gate()
    assert allowed["allowed"] is True and allowed["access_type"] == "ESCORTED"
    assert allowed["permitted_areas"] == ["Chapel"]

    post(
        stack,
        "vetting",
        f"/clearances/{clearance['id']}/suspension",
        officer,
        {"reason": "Reported a new caution; under review."},
    )
    wait_for(lambda: gate()["reason"] == "SUSPENDED", message="gate follows the suspension")
    post(
        stack,
        "vetting",
        f"/clearances/{clearance['id']}/reinstatement",
        officer,
        {"reason": "Review complete."},
    )
    wait_for(lambda: gate()["allowed"] is True, message="gate follows the reinstatement")

    # The prison's decisions and its gate need neither intake nor vetting to be up.
    others = [
        f"{service}-{role}" for service in ("applications", "vetting") for role in roles(service)
    ]
    for name in others:
        stack.kill(name)
    assert gate()["allowed"] is True
    suspended = post(
        stack,
        "access",
        f"/grants/{grant_id}/suspension",
        wandsworth,
        {"reason": "Left the chapel unescorted."},
    )
    assert suspended["status"] == "SUSPENDED" and gate()["reason"] == "SUSPENDED"
    assert (
        post(
            stack,
            "access",
            f"/grants/{grant_id}/reinstatement",
            wandsworth,
            {"reason": "Spoken to; resolved."},
        )["status"]
        == "ACTIVE"
    )
    for name in others:
        stack.restart(name)
    stack.wait_ready()

    def timeline_has(*kinds):
        view = get(stack, "applications", f"/applications/{application_id}", key).json()
        found = [entry["kind"] for entry in view["timeline"]]
        return found if all(kind in found for kind in kinds) else None

    wait_for(
        lambda: timeline_has(
            "access_approved", "access_activated", "access_suspended", "access_reinstated"
        ),
        message="organisation sees access",
    )
    history = [
        e["action"] for e in get(stack, "access", f"/grants/{grant_id}/history", wandsworth).json()
    ]
    for action in (
        "grant.opened",
        "grant.approved",
        "grant.activated",
        "gate.checked",
        "grant.clearance_suspended",
        "grant.clearance_reinstated",
    ):
        assert action in history, (action, history)
