"""Error bodies are what each service's OpenAPI document says they are: regressions from the
hostile-input fuzz (tests/fuzz), on the embedded run mode."""

from __future__ import annotations

import pytest

from applications.service_layer import organisations
from shared.web import create_web_app
from tests.support.platforms import platform_for

SERVICES = ("applications", "vetting", "access", "notifications")


def _app(service: str, env: dict[str, str]):  # type: ignore[no-untyped-def]
    module = __import__(f"{service}.service", fromlist=["definition"])
    platform = platform_for(service, env)
    return create_web_app(module.definition(), platform), platform


@pytest.mark.parametrize("service", SERVICES)
def test_the_documented_error_is_the_error_sent(embedded, service):
    app, platform = _app(service, embedded[service])
    client = app.test_client()
    error = client.get("/openapi.json").json["components"]["schemas"]["Error"]
    # flask-smorest's default documented `status` as a string and a `code` nobody sends;
    # `state` is the lifecycle's, on a 409.
    assert {name: p["type"] for name, p in error["properties"].items()} == {
        "status": "integer",
        "message": "string",
        "errors": "object",
        "state": "string",
    }
    assert sorted(error["required"]) == ["message", "status"]
    refused = client.get("/audit")  # no credentials
    assert refused.status_code == 401
    assert refused.json == {"status": 401, "message": "Authentication required."}
    platform.engine.dispose()


@pytest.fixture
def intake(embedded):  # type: ignore[no-untyped-def]
    app, platform = _app("applications", embedded["applications"])
    with platform.unit_of_work() as uow:
        org = organisations.create_organisation(uow, "Org", "AA", "c@example.org")
        uow.commit()
    with platform.unit_of_work() as uow:
        key = organisations.issue_api_key(uow, org.id, platform.settings.api_key_pepper)
        uow.commit()
    yield app.test_client(), {"Authorization": f"Bearer {key}"}
    platform.engine.dispose()


def test_a_body_that_is_not_json_is_a_clear_400_with_errors_by_field(intake):
    client, auth = intake
    response = client.post(
        "/applications", data=b"\x00", headers=auth, content_type="application/json"
    )
    assert response.status_code == 400
    # Was: werkzeug's "The browser (or proxy) sent a request..." and `errors` a bare list.
    assert response.json == {
        "status": 400,
        "message": "Invalid JSON body.",
        "errors": {"_schema": ["Invalid JSON body."]},
    }


def test_a_bulk_query_that_is_not_valid_is_a_documented_422(intake):
    client, auth = intake
    response = client.post(
        "/applications/bulk?dry_run=maybe",
        data=b"forenames\r\nJo\r\n",
        headers=auth,
        content_type="text/csv",
    )
    assert response.status_code == 422
    assert response.json["errors"] == {"dry_run": ["Not a valid boolean."]}
    documented = client.get("/openapi.json").json["paths"]["/applications/bulk"]["post"]
    schema = documented["responses"]["422"]["content"]["application/json"]["schema"]
    # Was the refused commit's body only, whose `errors` is a list of rows.
    assert {"$ref": "#/components/schemas/Error"} in schema["anyOf"]
    assert {"$ref": "#/components/schemas/BulkRefused"} in schema["anyOf"]


def test_a_submit_that_is_not_ready_is_the_documented_422(intake):
    client, auth = intake
    draft = client.post("/applications", json={"role": "SPONSOR"}, headers=auth).json
    response = client.post(f"/applications/{draft['id']}/submit", headers=auth)
    assert response.status_code == 422 and response.json["problems"]
    assert set(response.json) == {"status", "message", "ready", "problems"}
    documented = client.get("/openapi.json").json
    schema = documented["paths"]["/applications/{application_id}/submit"]["post"]["responses"][
        "422"
    ]["content"]["application/json"]["schema"]
    # Was Readiness alone, which forbids the error body's status and message.
    assert {"$ref": "#/components/schemas/Error"} in schema["anyOf"]
    not_ready = documented["components"]["schemas"]["NotReady"]["properties"]
    assert set(not_ready) == set(response.json)


def test_a_nul_character_anywhere_is_a_422_naming_the_field_and_nothing_is_written(intake):
    client, auth = intake
    # PostgreSQL refuses NUL in text: these were 500s there (and stored on SQLite).
    body = {"applicant": {"forenames": "Jo\x00", "addresses": [{"town": "Le\x00eds"}]}}
    response = client.post("/applications", json=body, headers=auth)
    assert response.status_code == 422
    assert response.json["errors"] == {
        "applicant.forenames": ["Must not contain the NUL character."],
        "applicant.addresses.0.town": ["Must not contain the NUL character."],
    }
    assert client.get("/applications", headers=auth).json["items"] == []
    listed = client.get("/applications?establishment=W\x00I", headers=auth)
    assert listed.status_code == 422 and set(listed.json["errors"]) == {"establishment"}
