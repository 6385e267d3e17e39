"""Who may do what in the vetting API, for every endpoint, generated from the URL map: a new
endpoint without a guard fails here. Denials leak nothing."""

from __future__ import annotations

import pytest

from tests.support.api_routes import NOT_API
from tests.support.vetting_harness import Vetting

# Endpoints only a vetting manager may call (an officer gets 403).
MANAGER_ONLY = {
    ("POST", "/cases/<string:case_id>/refusal/countersignature"),
    ("POST", "/cases/<string:case_id>/clearance/countersignature"),
    ("POST", "/clearances/<string:clearance_id>/revocation"),
    ("POST", "/cases/<string:case_id>/history/acknowledgement"),
}
# A governor's alone (vetting officers and managers get 403); see test_governor_reconsideration.
GOVERNOR_ONLY = {("POST", "/cases/<string:case_id>/reconsideration")}
PUBLIC = NOT_API
# The data protection officer's alone (an officer gets 403); see test_subject_access.
DPO_ONLY = {("GET", "/subject-access-request")}
# The auditor's alone (every other role gets 403); see test_audit_trail.
AUDITOR_ONLY = {("GET", "/audit")}


@pytest.fixture
def vetting(embedded):
    harness = Vetting(embedded["vetting"])
    yield harness
    harness.platform.engine.dispose()


def protected_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PUBLIC) or rule.rule == "/":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule.rule


def concrete(rule, ids):
    return (
        rule.replace("<string:case_id>", ids["case"])
        .replace("<string:clearance_id>", ids["clearance"])
        .replace("<string:check>", "identity")
        .replace("<string:request_id>", "00000000-0000-0000-0000-000000000002")
    )


def test_every_endpoint_refuses_no_token_a_bad_token_and_other_roles(vetting):
    ids = {
        "case": "00000000-0000-0000-0000-000000000000",
        "clearance": "00000000-0000-0000-0000-000000000001",
    }
    checked = 0
    for method, rule in protected_rules(vetting.app):
        path = concrete(rule, ids)
        assert vetting.call(method, path, who=None, json={}).status_code == 401, (method, rule)
        forged = vetting.client.open(
            path, method=method, json={}, headers={"Authorization": "Bearer forged.token.here"}
        )
        assert forged.status_code == 401, (method, rule)
        # A prison security officer's token is not a vetting officer's.
        denied = vetting.call(method, path, who="security", json={})
        assert denied.status_code == 403, (method, rule, denied.json)
        if (method, rule) in MANAGER_ONLY | GOVERNOR_ONLY:
            denied = vetting.call(method, path, who="officer", json={})
            assert denied.status_code == 403, (method, rule)
        if (method, rule) in GOVERNOR_ONLY:
            denied = vetting.call(method, path, who="manager", json={})
            assert denied.status_code == 403, (method, rule)
        else:  # a governor asks for reconsideration, and nothing else
            denied = vetting.call(method, path, who="governor", json={})
            assert denied.status_code == 403, (method, rule, denied.json)
        checked += 1
    assert checked >= 17


def test_officers_reach_every_endpoint_and_unknown_ids_are_404(vetting):
    ids = {
        "case": "00000000-0000-0000-0000-000000000000",
        "clearance": "00000000-0000-0000-0000-000000000001",
    }
    for method, rule in protected_rules(vetting.app):
        path = concrete(rule, ids)
        who = (
            "manager"
            if (method, rule) in MANAGER_ONLY
            else "governor"
            if (method, rule) in GOVERNOR_ONLY
            else "officer"
        )
        response = vetting.call(method, path, who=who, json=valid_body(method, rule))
        if (method, rule) in DPO_ONLY | AUDITOR_ONLY:
            assert response.status_code == 403, (method, rule)
            if (method, rule) in AUDITOR_ONLY:
                assert vetting.call(method, path, who="auditor").status_code == 200, rule
        elif "<" in rule:
            assert response.status_code == 404, (method, rule, response.json)
            assert response.json == {"status": 404, "message": "Not found."}
        else:
            assert response.status_code == 200, (method, rule, response.json)


def valid_body(method, rule):
    if method != "POST":
        return None
    action = rule.rsplit("/", 1)[-1]
    return {
        "clearance": {"reason": "A good reason."},
        "refusal": {"reasons": ["A good reason."]},
        "countersignature": {"decision": "CONFIRM", "note": "Agreed."},
        "information-requests": {"items": [{"question": "Which group?"}], "reason": "Why."},
        "answer": {"answers": [{"answer": "Tuesdays."}]},
        "result": {"outcome": "PASSED", "summary": "Checked."},
        "retry": None,
        "review": {"outcome": "CONTINUE", "reason": "Fine."},
        "link": {"person_id": "00000000-0000-0000-0000-000000000009", "reason": "Same."},
        "separation": {"person_id": "00000000-0000-0000-0000-000000000009", "reason": "Not."},
        "reconsideration": {"grounds": "A good reason to look again."},
    }.get(action, {"reason": "A good reason."})
