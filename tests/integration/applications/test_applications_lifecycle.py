"""An application's life after submission: the timeline fills from other services' events,
vetting's questions are answered, a cleared application is renewed or reports a change."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from tests.support.applications_api import deliver, outbox_types, published
from tests.support.clock import iso_now, now


@pytest.fixture
def submitted(api):
    client, platform = api
    draft = client.draft()
    assert client.call("POST", f"/applications/{draft['id']}/submit").status_code == 200
    return client, platform, draft["id"]


def test_timeline_follows_vetting_access_and_notifications(submitted):
    client, platform, app_id = submitted
    case_id = str(uuid.uuid4())
    deliver(
        platform,
        "vetting.case_opened",
        case_id=case_id,
        application_id=app_id,
        establishments=["WWI"],
        requested_access="ESCORTED",
        opened_at=iso_now(),
    )
    assert client.call("GET", f"/applications/{app_id}").json["status"] == "IN_VETTING"
    expires = (now() + timedelta(days=3 * 365)).isoformat()
    deliver(
        platform,
        "vetting.application_cleared",
        case_id=case_id,
        application_id=app_id,
        clearance_id=str(uuid.uuid4()),
        level="ENHANCED",
        access="ESCORTED",
        conditions=["Escorted at all times"],
        issued_at=iso_now(),
        expires_at=expires,
    )
    deliver(
        platform,
        "access.approved",
        grant_id=str(uuid.uuid4()),
        application_id=app_id,
        establishment_code="WWI",
        access_type="ESCORTED",
        valid_until=expires,
        decided_at=iso_now(),
    )
    deliver(
        platform,
        "access.refused",
        grant_id=str(uuid.uuid4()),
        application_id=app_id,
        establishment_code="BMI",
        decided_at=iso_now(),
    )
    deliver(
        platform,
        "notification.sent",
        notification_id=str(uuid.uuid4()),
        application_id=app_id,
        template="cleared",
        channel="EMAIL",
        recipient_kind="volunteer",
        sent_at=iso_now(),
    )
    # A late, older event never drags the status back.
    deliver(
        platform,
        "vetting.case_opened",
        case_id=case_id,
        application_id=app_id,
        establishments=["WWI"],
        requested_access="ESCORTED",
        opened_at=iso_now(),
    )
    view = client.call("GET", f"/applications/{app_id}").json
    assert view["status"] == "CLEARED"
    assert view["outcome"]["level"] == "ENHANCED" and view["outcome"]["expires_at"]
    kinds = [e["kind"] for e in view["timeline"]]
    assert kinds[:2] == ["draft_created", "submitted"]
    assert {
        "checks_started",
        "cleared",
        "access_approved",
        "access_refused",
        "notification_sent",
    } <= set(kinds)
    refused_at = next(e for e in view["timeline"] if e["kind"] == "access_refused")
    assert refused_at["detail"]["establishment"] == "BMI"
    assert client.call("GET", f"/applications/{app_id}", org="B").status_code == 404


def test_the_timeline_shows_each_establishments_later_changes_without_reasons(submitted):
    client, platform, app_id = submitted
    grant = {
        "grant_id": str(uuid.uuid4()),
        "application_id": app_id,
        "person_id": str(uuid.uuid4()),
        "establishment_code": "WWI",
    }
    expires = (now() + timedelta(days=365)).isoformat()
    deliver(
        platform,
        "access.activated",
        **grant,
        status="ACTIVE",
        by="ESTABLISHMENT",
        at=iso_now(),
        access_type="ESCORTED",
        valid_until=expires,
    )
    deliver(platform, "access.suspended", **grant, status="SUSPENDED", by="VETTING", at=iso_now())
    deliver(
        platform,
        "access.excluded",
        **grant,
        status="EXCLUDED",
        by="ESTABLISHMENT",
        at=iso_now(),
        review_on="2027-06-01",
    )
    timeline = client.call("GET", f"/applications/{app_id}").json["timeline"]
    changes = [e for e in timeline if e["kind"].startswith("access_")]
    assert [e["kind"] for e in changes] == [
        "access_activated",
        "access_suspended",
        "access_excluded",
    ]
    assert changes[0]["detail"]["access_type"] == "ESCORTED"
    assert changes[1]["detail"] == {"establishment": "WWI", "by": "VETTING"}
    assert changes[2]["detail"]["review_on"] == "2027-06-01"


def test_information_requested_is_shown_and_the_answer_goes_to_vetting(submitted):
    client, platform, app_id = submitted
    deliver(
        platform,
        "vetting.info_request_announced",
        case_id=str(uuid.uuid4()),
        application_id=app_id,
        request_id="req-1",
        items=[{"question": "Where did you live in 2021?", "field": "applicant.addresses"}],
        due_by="2026-12-20",
        requested_at=iso_now(),
        sensitive=False,
    )
    view = client.call("GET", f"/applications/{app_id}").json
    assert view["status"] == "INFO_REQUESTED"
    [request] = view["information_requests"]
    assert request["status"] == "OPEN" and request["items"][0]["question"].startswith("Where")
    bad = client.call(
        "POST", f"/applications/{app_id}/responses", json={"request_id": "req-1", "answers": []}
    )
    assert bad.status_code == 422 and "answers" in bad.json["errors"]
    unknown = client.call(
        "POST",
        f"/applications/{app_id}/responses",
        json={"request_id": "nope", "answers": [{"answer": "x"}]},
    )
    assert unknown.status_code == 404
    answered = client.call(
        "POST",
        f"/applications/{app_id}/responses",
        json={"request_id": "req-1", "answers": [{"answer": "With my sister in Leeds"}]},
    )
    assert answered.status_code == 200, answered.json
    assert answered.json["status"] == "IN_VETTING"
    assert answered.json["information_requests"][0]["status"] == "ANSWERED"
    event_type, data = outbox_types(platform)[-1]
    assert event_type == "application.info_provided" and data["request_id"] == "req-1"
    twice = client.call(
        "POST",
        f"/applications/{app_id}/responses",
        json={"request_id": "req-1", "answers": [{"answer": "again"}]},
    )
    assert twice.status_code == 409


def clear(platform, app_id):
    deliver(
        platform,
        "vetting.application_cleared",
        case_id=str(uuid.uuid4()),
        application_id=app_id,
        clearance_id=str(uuid.uuid4()),
        level="ENHANCED",
        access="ESCORTED",
        conditions=[],
        issued_at=iso_now(),
        expires_at=(now() + timedelta(days=1000)).isoformat(),
    )


def test_renewal_prefills_a_new_draft_from_a_cleared_application(submitted):
    client, platform, app_id = submitted
    assert client.call("POST", f"/applications/{app_id}/renewals").status_code == 409
    clear(platform, app_id)
    renewal = client.call("POST", f"/applications/{app_id}/renewals")
    assert renewal.status_code == 201, renewal.json
    assert renewal.json["status"] == "DRAFT" and renewal.json["renewal_of"] == app_id
    original = client.call("GET", f"/applications/{app_id}").json
    assert renewal.json["applicant"] == original["applicant"]
    submitted_renewal = client.call("POST", f"/applications/{renewal.json['id']}/submit")
    assert submitted_renewal.status_code == 200
    [*_, data] = published(platform, "application.submitted")
    assert data["renewal_of"] == app_id


def test_a_change_of_circumstances_is_recorded_and_sent_to_vetting(submitted):
    client, platform, app_id = submitted
    change = {
        "kind": "NEW_CONVICTION",
        "conviction": {
            "kind": "CAUTION",
            "offence": "Public order",
            "date": "2026-10-01",
            "disposal": "CAUTION",
        },
    }
    assert client.call("POST", f"/applications/{app_id}/changes", json=change).status_code == 409
    clear(platform, app_id)
    mismatched = client.call(
        "POST", f"/applications/{app_id}/changes", json={"kind": "NEW_CONVICTION", "address": {}}
    )
    assert mismatched.status_code == 422
    reported = client.call("POST", f"/applications/{app_id}/changes", json=change)
    assert reported.status_code == 201, reported.json
    view = client.call("GET", f"/applications/{app_id}").json
    assert view["applicant"]["declarations"]["convictions"][-1]["offence"] == "Public order"
    assert view["timeline"][-1]["kind"] == "change_reported"
    event_type, data = outbox_types(platform)[-1]
    assert event_type == "application.circumstances_changed"
    assert data["kind"] == "NEW_CONVICTION" and data["details"]["date"] == "2026-10-01"


def test_a_refusal_is_recorded_and_a_withdrawn_application_is_never_revived(api):
    client, platform = api
    first, second = client.draft()["id"], client.draft()["id"]
    for app_id in (first, second):
        assert client.call("POST", f"/applications/{app_id}/submit").status_code == 200
    deliver(
        platform,
        "vetting.clearance_refused",
        case_id=str(uuid.uuid4()),
        application_id=first,
        refused_at=iso_now(),
    )
    view = client.call("GET", f"/applications/{first}").json
    assert view["status"] == "REFUSED" and view["outcome"] == {"result": "REFUSED"}
    assert view["timeline"][-1]["kind"] == "refused"
    client.call("POST", f"/applications/{second}/withdraw", json={"reason": "No longer able"})
    clear(platform, second)  # vetting had not heard of the withdrawal yet
    view = client.call("GET", f"/applications/{second}").json
    # Not revived: the clearance it crossed becomes an ended sponsorship.
    assert view["status"] == "SPONSORSHIP_ENDED" and view["withdrawn_reason"] == "No longer able"
