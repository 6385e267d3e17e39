"""A body that is not JSON, sent where the API reads JSON, is a 415 naming application/json:
never read as no body (which made an empty draft). JSON still works; GETs are untouched."""

from __future__ import annotations

import json

import pytest

from applications.models import Application
from tests.support.applications_api import GOOD
from tests.support.platforms import count

REFUSED = "The body must be JSON: send it with Content-Type: application/json"


def refused(response, given: str) -> None:
    assert response.status_code == 415, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert response.json["status"] == 415
    assert response.json["message"] == f"{REFUSED} (got {given})."
    assert response.json["errors"] == {"_schema": ["Expected application/json."]}


@pytest.mark.parametrize(
    ("kwargs", "given"),
    [
        ({"data": json.dumps(GOOD), "content_type": "text/plain"}, "text/plain"),
        ({"data": {"role": "SPONSOR"}}, "application/x-www-form-urlencoded"),
        ({"data": json.dumps(GOOD).encode()}, "no content type"),
        ({"data": "", "content_type": "text/csv"}, "text/csv"),
    ],
    ids=["text-plain", "form-encoded", "no-content-type", "empty-csv"],
)
def test_a_draft_sent_as_anything_but_json_is_refused_and_nothing_is_made(api, kwargs, given):
    client, platform = api
    response = client.call("POST", "/applications", **kwargs)
    refused(response, given)
    assert count(platform, Application.__table__) == 0


def test_a_change_sent_as_text_is_refused_and_the_draft_is_kept(api):
    client, _platform = api
    draft = client.draft()
    response = client.call(
        "PATCH",
        f"/applications/{draft['id']}",
        data=json.dumps({"role": "SPONSOR"}),
        content_type="text/plain; charset=utf-8",
    )
    refused(response, "text/plain")
    assert client.call("GET", f"/applications/{draft['id']}").json["role"] == GOOD["role"]


def test_json_still_works_with_or_without_a_charset_and_gets_are_untouched(api):
    client, platform = api
    created = client.call(
        "POST",
        "/applications",
        data=json.dumps(GOOD),
        content_type="application/json; charset=utf-8",
    )
    assert created.status_code == 201, created.json
    assert client.call("POST", "/applications", json=GOOD).status_code == 201
    listed = client.call("GET", "/applications")
    assert listed.status_code == 200 and len(listed.json["items"]) == 2
    readiness = client.call("GET", f"/applications/{created.json['id']}/readiness")
    assert readiness.status_code == 200
    assert count(platform, Application.__table__) == 2


def test_an_action_without_a_body_is_not_refused(api):
    client, _platform = api
    draft = client.draft()
    response = client.call("POST", f"/applications/{draft['id']}/submit")
    assert response.status_code == 200, response.json


def test_the_refusal_is_documented_on_json_operations_only(api):
    client, _platform = api
    paths = client.raw.get("/openapi.json").json["paths"]
    assert "415" in paths["/applications"]["post"]["responses"]
    assert "415" in paths["/applications/{application_id}"]["patch"]["responses"]
    assert "415" not in paths["/applications"]["get"]["responses"]
    assert "415" not in paths["/applications/{application_id}/submit"]["post"]["responses"]
