"""The organisation that reported a change of circumstances sees what vetting made of it
(vetting.circumstances_reviewed): an outcome code per report, to that organisation only, the
final outcome standing whatever order the news arrives in. Both backends."""

from __future__ import annotations

import uuid
from datetime import timedelta

from applications.models import Application
from tests.support.applications_api import deliver, outbox_types
from tests.support.clock import iso_now, now

CHANGE = {
    "kind": "CHANGE_OF_ADDRESS",
    "address": {
        "line1": "1 New Road",
        "town": "York",
        "postcode": "YO1 7HH",
        "from_date": "2026-10-01",
    },
}


def _cleared(client, platform, org="A"):
    app_id = client.draft(org=org)["id"]
    assert client.call("POST", f"/applications/{app_id}/submit", org=org).status_code == 200
    deliver(
        platform,
        "vetting.clearance_granted",
        case_id=str(uuid.uuid4()),
        application_id=app_id,
        clearance_id=str(uuid.uuid4()),
        level="STANDARD",
        access="ESCORTED",
        conditions=[],
        establishments=["WWI"],
        issued_at=iso_now(),
        expires_at=(now() + timedelta(days=900)).isoformat(),
    )
    return app_id


def _organisation(platform, app_id):
    with platform.session_factory() as session:
        return session.get(Application, app_id).organisation_id


def _reviewed(platform, app_id, organisation_id, report_id, outcome, final, minutes=0):
    deliver(
        platform,
        "vetting.circumstances_reviewed",
        application_id=app_id,
        organisation_id=organisation_id,
        report_id=report_id,
        outcome=outcome,
        final=final,
        reviewed_at=(now() + timedelta(minutes=minutes)).isoformat(),
    )


def test_the_reporting_organisation_sees_the_outcome_of_its_report(api):
    client, platform = api
    app_id = _cleared(client, platform)
    reported = client.call("POST", f"/applications/{app_id}/changes", json=CHANGE)
    assert reported.status_code == 201, reported.json
    report_id = reported.json["id"]
    assert reported.json["outcome"] is None
    [(_, sent)] = [e for e in outbox_types(platform) if e[0] == "application.circumstances_changed"]
    assert sent["report_id"] == report_id
    organisation_id = _organisation(platform, app_id)
    _reviewed(platform, app_id, organisation_id, report_id, "UNDER_REVIEW", False)
    view = client.call("GET", f"/applications/{app_id}").json
    assert view["change_reports"] == [
        {
            "id": report_id,
            "kind": "CHANGE_OF_ADDRESS",
            "reported_at": view["change_reports"][0]["reported_at"],
            "outcome": "UNDER_REVIEW",
            "final": False,
            "reviewed_at": view["change_reports"][0]["reviewed_at"],
        }
    ]
    # The final outcome, then a late acknowledgement: the final one stands.
    _reviewed(platform, app_id, organisation_id, report_id, "NO_CHANGE", True, minutes=5)
    _reviewed(platform, app_id, organisation_id, report_id, "UNDER_REVIEW", False, minutes=-5)
    [report] = client.call("GET", f"/applications/{app_id}").json["change_reports"]
    assert (report["outcome"], report["final"]) == ("NO_CHANGE", True)
    # Another organisation sees nothing of it.
    assert client.call("GET", f"/applications/{app_id}", org="B").status_code == 404


def test_an_outcome_naming_another_organisation_is_not_shown(api):
    client, platform = api
    app_id = _cleared(client, platform)
    report_id = client.call("POST", f"/applications/{app_id}/changes", json=CHANGE).json["id"]
    _reviewed(platform, app_id, str(uuid.uuid4()), report_id, "SUSPENDED", True)
    view = client.call("GET", f"/applications/{app_id}").json
    assert view["change_reports"][0]["outcome"] is None
    assert all(e["kind"] != "change_reviewed" for e in view["timeline"])
