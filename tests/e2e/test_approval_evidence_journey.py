"""What each side of a prison decision tells the other, as real processes on PostgreSQL +
RabbitMQ: an application naming the group and area and declaring a connection with someone held
at Wandsworth is cleared (a manager countersigns clearing it without excluding Wandsworth); the
request at Wandsworth carries the declared-connection flag, Birmingham's does not, and neither
names who; Wandsworth's head of security excludes the person, and vetting shows the exclusion
with the prison's reason on the person's case."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import requests

from tests.support import wait_for
from tests.support.stack_client import get, organisation_key, staff_token
from tests.support.stack_world import person, stack_modes

stack_mode = stack_modes("real")

CONNECTION = {"name": "Dermot Fairweather", "relationship": "Brother", "establishment": "WWI"}
REASON = "Passed a package to a prisoner in the chapel."


def post(stack, service, path, credential, body, expect=(200, 201)):
    response = requests.post(
        stack.url(service) + path,
        json=body,
        timeout=10,
        headers={"Authorization": f"Bearer {credential}"},
    )
    assert response.status_code in expect, (path, response.status_code, response.text)
    return response


def test_the_connection_flag_reaches_the_prison_and_its_exclusion_reaches_vetting(module_stack):
    stack, _inbox = module_stack
    tag = uuid.uuid4().hex[:8]
    key = organisation_key(stack)
    officer = staff_token(stack, "vetting", "vetting_officer")
    manager = staff_token(stack, "vetting", "vetting_manager", staff_id="test-manager-2")
    wandsworth = staff_token(stack, "access", "security_officer", "WWI")
    head = staff_token(stack, "access", "head_of_security", "WWI")
    birmingham = staff_token(stack, "access", "security_officer", "BMI")
    body = person(f"Link-{tag}", passport=f"AL{tag}", connections=[CONNECTION])
    body.update(establishments=["WWI", "BMI"], group_name="Tuesday evening meeting", area="Chapel")
    draft = post(stack, "applications", "/applications", key, body).json()
    post(stack, "applications", f"/applications/{draft['id']}/submit", key, {})

    def case():
        items = get(stack, "vetting", f"/cases?application_id={draft['id']}", officer).json()
        found = items["items"]
        return found[0] if found and found[0]["status"] == "AWAITING_DECISION" else None

    case_id = wait_for(case, message="checks done")["id"]
    cleared = post(
        stack,
        "vetting",
        f"/cases/{case_id}/clearance",
        officer,
        {"reason": "Known to the chaplaincy; supervised sessions.", "conditions": []},
        expect=(201, 202),
    )
    if cleared.status_code == 202:  # against the recommendation: a manager countersigns
        post(
            stack,
            "vetting",
            f"/cases/{case_id}/clearance/countersignature",
            manager,
            {"decision": "CONFIRM", "note": "Agreed: supervised."},
        )

    def queued(token, code):
        def found():
            items = get(stack, "access", f"/establishments/{code}/queue", token).json()["items"]
            return next((item for item in items if item["application_id"] == draft["id"]), None)

        return wait_for(found, message=f"request at {code}")

    here, there = queued(wandsworth, "WWI"), queued(birmingham, "BMI")
    assert here["declared_connection"] is True and there["declared_connection"] is False
    grant = get(stack, "access", f"/grants/{here['id']}", wandsworth).json()
    assert grant["declared_connection"] is True
    assert CONNECTION["name"] not in json.dumps(grant)

    review_on = (date.today() + timedelta(days=180)).isoformat()
    excluded = post(
        stack,
        "access",
        f"/grants/{here['id']}/exclusion",
        head,
        {"reason": REASON, "review_on": review_on},
    ).json()
    assert excluded["status"] == "EXCLUDED"

    def evidence():
        view = get(stack, "vetting", f"/cases/{case_id}", officer).json()
        found = [d for d in view.get("prison_decisions") or [] if d["reason"] == REASON]
        return found or None

    [decision] = wait_for(evidence, message="vetting hears the exclusion with its reason")
    assert decision["establishment_code"] == "WWI" and decision["decision"] == "EXCLUDED"
    assert decision["review_on"] == review_on
