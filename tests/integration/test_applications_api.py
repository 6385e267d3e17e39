"""The intake API on both run modes: what it writes, what it refuses, whom it refuses."""

from __future__ import annotations

import pytest

from applications import service_layer
from applications.models import Application
from applications.service import definition
from shared.db import outbox_table
from shared.web import create_web_app
from tests.integration.helpers import count, platform_for

GOOD = {
    "applicant": {"forenames": "Siobhán", "surname": "O'Connor", "email": "s@example.org",
                  "mobile": "07700 900123", "preferred_channel": "EMAIL"},
    "role": "GROUP_FACILITATOR", "establishments": ["WWI"],
    "requested_access": "ESCORTED", "frequency": "REGULAR",
}


@pytest.fixture
def api(backend_env):
    platform = platform_for("applications", backend_env["applications"])
    app = create_web_app(definition(), platform)
    keys = {}
    for name in ("A", "B"):
        with platform.unit_of_work() as uow:
            org = service_layer.create_organisation(uow, f"Org {name}", "NA", "c@example.org")
        with platform.unit_of_work() as uow:
            keys[name] = (org.id, service_layer.issue_api_key(
                uow, org.id, platform.settings.api_key_pepper))
    yield app.test_client(), platform, keys
    platform.engine.dispose()


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_submit_writes_application_and_outbox_event_in_one_go(api):
    client, platform, keys = api
    response = client.post("/applications", json=GOOD, headers={
        **auth(keys["A"][1]), "X-Correlation-ID": "corr-123"})
    assert response.status_code == 201, response.json
    assert response.headers["X-Correlation-ID"] == "corr-123"
    body = response.json
    assert body["status"] == "SUBMITTED" and body["timeline"][0]["kind"] == "submitted"
    assert count(platform, Application.__table__) == 1
    with platform.engine.connect() as conn:
        row = conn.execute(outbox_table.select()).one()
    assert row.event_type == "application.submitted" and row.subject == body["id"]
    assert row.correlation_id == "corr-123" and row.published_at is None

    again = client.get(f"/applications/{body['id']}", headers=auth(keys["A"][1]))
    assert again.status_code == 200 and again.json["id"] == body["id"]


@pytest.mark.parametrize(("kwargs", "status", "field"), [
    ({"data": "{not json", "content_type": "application/json"}, 400, None),
    ({"json": {**GOOD, "role": 7}}, 422, "role"),
    ({"json": {**GOOD, "establishments": "WWI"}}, 422, "establishments"),
    ({"json": {**GOOD, "surprise": True}}, 422, "surprise"),
    ({"json": {**GOOD, "applicant": {**GOOD["applicant"], "email": "nope"}}}, 422, "applicant"),
    ({"json": {**GOOD, "applicant": {**GOOD["applicant"], "mobile": "12"}}}, 422, "applicant"),
    ({"json": {k: v for k, v in GOOD.items() if k != "frequency"}}, 422, "frequency"),
    ({"data": "[" + "1," * 200_000 + "1]", "content_type": "application/json"}, 413, None),
])
def test_bad_input_is_a_clear_4xx_and_writes_nothing(api, kwargs, status, field):
    client, platform, keys = api
    response = client.post("/applications", headers=auth(keys["A"][1]), **kwargs)
    assert response.status_code == status
    assert response.is_json and response.json["status"] == status and response.json["message"]
    if field:
        assert field in response.json["errors"], response.json
    assert count(platform, Application.__table__) == 0
    assert count(platform, outbox_table) == 0


def test_missing_wrong_and_revoked_keys_are_401_and_say_nothing(api):
    client, platform, keys = api
    _org_a, key_a = keys["A"]
    wrong = key_a[:-4] + ("AAAA" if not key_a.endswith("AAAA") else "BBBB")
    for headers in ({}, auth("nonsense"), auth(wrong), {"Authorization": f"Basic {key_a}"}):
        response = client.post("/applications", json=GOOD, headers=headers)
        assert response.status_code == 401
        assert response.json == {"status": 401, "message": "Authentication required."}
        assert response.headers["WWW-Authenticate"] == "Bearer"
    with platform.unit_of_work() as uow:
        service_layer.revoke_api_key(uow, key_a.split("_")[1])
    response = client.post("/applications", json=GOOD, headers=auth(key_a))
    assert response.status_code == 401
    assert response.json == {"status": 401, "message": "Authentication required."}
    assert count(platform, Application.__table__) == 0


def test_another_organisations_application_is_404_not_403(api):
    client, _platform, keys = api
    created = client.post("/applications", json=GOOD, headers=auth(keys["A"][1])).json
    theirs = client.get(f"/applications/{created['id']}", headers=auth(keys["B"][1]))
    missing = client.get("/applications/00000000-0000-0000-0000-000000000000",
                         headers=auth(keys["B"][1]))
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json == missing.json


def test_health_metrics_and_openapi(api):
    client, _platform, _keys = api
    assert client.get("/health").json["status"] == "ok"
    ready = client.get("/health/ready")
    assert ready.status_code == 200 and ready.json["checks"] == {"database": "ok", "broker": "ok"}
    client.get("/nowhere")
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'http_requests_total{endpoint="unmatched",method="GET",status="404"}' in metrics
    spec = client.get("/openapi.json").json
    assert "/applications" in spec["paths"] and "/applications/{application_id}" in spec["paths"]
