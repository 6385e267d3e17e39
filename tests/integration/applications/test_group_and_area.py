"""The group the volunteer will run and its area, on both run modes: optional, validated (one
line, not blank, at most 120 characters), kept encrypted, shown back to the organisation, and
published on submission for the prisons (application.placement_announced) with the
organisation's name and the role, never the applicant."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from applications.models import Application
from tests.support.applications_api import GOOD, published
from tests.support.platforms import count

PLACED = {**GOOD, "group_name": "Tuesday evening meeting", "area": "Chapel"}


def test_group_and_area_are_kept_shown_changed_and_announced_on_submission(api):
    client, platform = api
    draft = client.draft(PLACED)
    view = client.call("GET", f"/applications/{draft['id']}").json
    assert (view["group_name"], view["area"]) == ("Tuesday evening meeting", "Chapel")
    with platform.engine.connect() as connection:
        stored = connection.execute(
            text("SELECT group_name, area FROM applications WHERE id = :id"), {"id": draft["id"]}
        ).one()
    assert "Tuesday" not in stored.group_name and "Chapel" not in stored.area  # encrypted
    changed = client.call("PATCH", f"/applications/{draft['id']}", json={"area": "Education"})
    assert changed.status_code == 200, changed.json
    assert client.call("GET", f"/applications/{draft['id']}").json["area"] == "Education"
    assert published(platform, "application.placement_announced") == []  # not before submission
    submitted = client.call("POST", f"/applications/{draft['id']}/submit")
    assert submitted.status_code == 200, submitted.json
    [announced] = published(platform, "application.placement_announced")
    assert announced["application_id"] == draft["id"]
    assert announced["organisation_name"] == "Org A" and announced["role"] == GOOD["role"]
    assert (announced["group_name"], announced["area"]) == ("Tuesday evening meeting", "Education")
    surname = GOOD["applicant"]["surname"]
    assert surname not in json.dumps(announced)  # nothing about the applicant


def test_group_and_area_are_optional(api):
    client, platform = api
    draft = client.draft(GOOD)
    assert client.call("GET", f"/applications/{draft['id']}/readiness").json["ready"] is True
    assert client.call("POST", f"/applications/{draft['id']}/submit").status_code == 200
    [announced] = published(platform, "application.placement_announced")
    assert announced["group_name"] is None and announced["area"] is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("group_name", ""),
        ("group_name", "   "),
        ("group_name", "Tuesday\nmeeting"),
        ("area", "x" * 121),
        ("area", 7),
    ],
)
def test_a_bad_group_or_area_is_a_422_naming_the_field_and_writes_nothing(api, field, value):
    client, platform = api
    response = client.call("POST", "/applications", json={**GOOD, field: value})
    assert response.status_code == 422, response.json
    assert field in response.json["errors"], response.json
    assert count(platform, Application.__table__) == 0


def test_retention_of_a_closed_applicant_drops_the_group_and_area(api):
    from applications.service_layer.retention import anonymise_applicant

    client, platform = api
    draft = client.draft(PLACED)
    with platform.session_factory() as session:
        application = session.get(Application, draft["id"])
        assert application is not None
        report = anonymise_applicant(session, application)
        session.commit()
    assert {"group_name", "area"} <= set(report["fields"])
    view = client.call("GET", f"/applications/{draft['id']}").json
    assert view["group_name"] is None and view["area"] is None
