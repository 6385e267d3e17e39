"""Who may do what in the access API, for every endpoint, generated from the URL map: a new
endpoint without a rule here fails. Right establishment and role: allowed; no login or a
forged token: 401; another service's role: 403; an officer on a head-of-security action: 403;
another establishment's data: 404, the same answer as for something that does not exist."""

from __future__ import annotations

import pytest

from tests.support.access_harness import Access
from tests.support.api_routes import NOT_API
from tests.support.photos import jpeg_with_exif

PUBLIC = NOT_API
HEAD_ONLY = {
    ("POST", "/grants/<string:grant_id>/exclusion"),
    ("POST", "/grants/<string:grant_id>/revocation"),
}
# The data protection officer's alone (security staff get 403); see test_subject_access.
DPO_ONLY = {("GET", "/subject-access-request")}
# The auditor's alone (security staff get 403); see test_audit_trail.
AUDITOR_ONLY = {("GET", "/audit")}
# What each decision needs the grant to be in first, and a valid body.
SETUP = {
    "approval": ("pending", {"access_type": "ESCORTED"}),
    "refusal": ("pending", {"reason": "A good reason."}),
    "induction": ("approved", {"item": "SECURITY_BRIEFING"}),
    "suspension": ("active", {"reason": "A good reason."}),
    "reinstatement": ("suspended", {"reason": "A good reason."}),
    "exclusion": ("active", {"reason": "A good reason.", "review_on": "2099-01-01"}),
    "revocation": ("active", {"reason": "A good reason."}),
    "ending": ("active", {"reason": "A good reason."}),
    "resolution": ("active", {"outcome": "DISMISS", "reason": "A good reason."}),
    "visits": ("active", {}),  # the person's id is added
    "sign-out": ("active", None),
}
# Signing in makes a visit.
CREATED = {("POST", "/establishments/<string:code>/visits")}


@pytest.fixture
def access(embedded):
    harness = Access(embedded["access"])
    yield harness
    harness.platform.engine.dispose()


def api_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PUBLIC) or rule.rule == "/":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule.rule


def grant_in(access, state):
    data = access.grant_clearance()
    grant_id = access.grant_id(data["person_id"])
    if state in ("approved", "active", "suspended"):
        access.decide(grant_id, "approval", {"access_type": "ESCORTED"})
    if state in ("active", "suspended"):
        access.decide(grant_id, "induction", {"item": "SECURITY_BRIEFING"})
        access.decide(grant_id, "induction", {"item": "ID_BADGE", "badge_number": grant_id[:8]})
    if state == "suspended":
        access.decide(grant_id, "suspension", {"reason": "setup"})
    return data["person_id"], grant_id


def review_item_for(access, person_id):
    """News naming someone else for the person: held in a review item at WWI."""
    access.grant_clearance(person_id=person_id, surname="Someone-Else")
    [item] = access.call("GET", "/establishments/WWI/review-items").json
    return item["id"]


def request_for(access, method, rule):
    """A concrete path at WWI, its body, and the status the right person gets."""
    action = rule.rsplit("/", 1)[-1]
    state, body = SETUP.get(action, ("pending", None)) if method == "POST" else ("active", None)
    person_id, grant_id = grant_in(access, state)
    path = (
        rule.replace("<string:code>", "WWI")
        .replace("<string:grant_id>", grant_id)
        .replace("<string:person_id>", person_id)
    )
    if "<string:item_id>" in rule:
        path = path.replace("<string:item_id>", review_item_for(access, person_id))
    if "<string:visit_id>" in rule:
        path = path.replace("<string:visit_id>", visit_for(access, person_id))
    if body == {}:
        body = {"person_id": person_id}
    if rule.endswith("/photo"):
        access.put_photo(grant_id, jpeg_with_exif())  # one to read
    query = (
        {"person": person_id}
        if rule.endswith("gate-check")
        else {"name": "O'Neill"}
        if rule.endswith("/people")
        else None
    )
    if rule.endswith("/visits") and method == "GET":
        query = {"person_id": person_id}
    return path, body, query


def visit_for(access, person_id):
    """The person signed in at WWI: an open visit."""
    response = access.call(
        "POST", "/establishments/WWI/visits", "officer", json={"person_id": person_id}
    )
    assert response.status_code == 201, response.json
    return response.json["id"]


def call_for(method, rule, body, query):
    """The request's body and query (a photo is sent as an image, not JSON)."""
    if method == "PUT" and rule.endswith("/photo"):
        return {"data": jpeg_with_exif(), "content_type": "image/jpeg"}
    return {"json": body, "query_string": query}


def test_every_endpoint_has_a_rule_and_denies_everyone_else(access):
    checked = 0
    for method, rule in api_rules(access.app):
        path, body, query = request_for(access, method, rule)
        call = call_for(method, rule, body, query)
        assert access.call(method, path, who=None, **call).status_code == 401, (method, rule)
        forged = access.client.open(
            path, method=method, headers={"Authorization": "Bearer forged.token.here"}, **call
        )
        assert forged.status_code == 401, (method, rule)
        assert access.call(method, path, who="vetting", **call).status_code == 403, rule
        if "<" in rule:  # another establishment's grant or person: it does not exist for you
            other = access.call(method, path, who="other_head", **call)
            assert other.status_code == 404, (method, rule, other.json)
            assert other.json == {"status": 404, "message": "Not found."}
        if (method, rule) in HEAD_ONLY:
            assert access.call(method, path, who="officer", **call).status_code == 403, rule
        checked += 1
        if (method, rule) in DPO_ONLY:
            assert access.call(method, path, who="head", **call).status_code == 403, rule
            continue
        if (method, rule) in AUDITOR_ONLY:
            assert access.call(method, path, who="head", **call).status_code == 403, rule
            assert access.call(method, path, who="auditor", **call).status_code == 200, rule
            continue
        who = "head" if (method, rule) in HEAD_ONLY else "officer"
        allowed = access.call(method, path, who=who, **call)
        want = 201 if (method, rule) in CREATED else 200
        assert allowed.status_code == want, (method, rule, allowed.json)
    assert checked >= 15


def test_unknown_ids_are_404_without_a_hint(access):
    for method, rule in api_rules(access.app):
        if "<string:grant_id>" not in rule and "<string:person_id>" not in rule:
            continue
        path = rule.replace("<string:grant_id>", "00000000-0000-4000-8000-000000000000").replace(
            "<string:person_id>", "00000000-0000-4000-8000-000000000000"
        )
        _state, body = SETUP.get(rule.rsplit("/", 1)[-1], ("", None))
        response = access.call(method, path, who="head", json=body if method == "POST" else None)
        assert response.status_code == 404, (method, rule)
        assert response.json == {"status": 404, "message": "Not found."}


def test_a_member_of_staff_for_two_establishments_sees_both_and_only_both(access):
    access.grant_clearance(establishments=("WWI", "BMI", "LEI"))
    codes = [e["code"] for e in access.call("GET", "/establishments", who="both").json]
    assert codes == ["BMI", "WWI"]
    for code in ("WWI", "BMI"):
        queue = access.call("GET", f"/establishments/{code}/queue", who="both")
        assert queue.status_code == 200 and len(queue.json["items"]) == 1
    assert access.call("GET", "/establishments/LEI/queue", who="both").status_code == 404
