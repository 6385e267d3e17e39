"""A refused application may be reconsidered once; after clearance, the timeline and the
outcome follow the clearance (suspended, reinstated, revoked, expiring, expired), whatever
order vetting's events arrive in."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from applications.models import TimelineEntry
from applications.service import definition
from shared.db import outbox_table
from shared.handlers import RetryLater
from shared.inbox import Dispatcher
from tests.support.applications_api import deliver, outbox_types
from tests.support.clock import now
from tests.support.events import hand

GROUNDS = "Two new references from the prison chaplaincy, and the 2019 caution was withdrawn."


def at(days=0):
    return (now() + timedelta(days=days)).isoformat()


@pytest.fixture
def refused(api):
    client, platform = api
    app_id = client.draft()["id"]
    assert client.call("POST", f"/applications/{app_id}/submit").status_code == 200
    deliver(
        platform,
        "vetting.clearance_refused",
        case_id=str(uuid.uuid4()),
        application_id=app_id,
        refused_at=at(),
    )
    return client, platform, app_id


def reconsider(client, app_id, grounds=GROUNDS, org="A"):
    return client.call(
        "POST", f"/applications/{app_id}/reconsideration", json={"grounds": grounds}, org=org
    )


def events_of(platform, event_type):
    return [data for kind, data in outbox_types(platform) if kind == event_type]


def grant(platform, app_id, clearance_id=None, issued_at=None):
    clearance_id = clearance_id or str(uuid.uuid4())
    issued_at = issued_at or at(-10)
    hand(
        platform,
        "applications",
        "vetting.clearance_granted",
        {
            "case_id": str(uuid.uuid4()),
            "application_id": app_id,
            "clearance_id": clearance_id,
            "level": "ENHANCED",
            "access": "ESCORTED",
            "conditions": [],
            "establishments": ["WWI"],
            "issued_at": issued_at,
            "expires_at": at(1000),
        },
        at=datetime.fromisoformat(issued_at),
    )  # cleared when the clearance was issued
    return clearance_id


def change(platform, event_type, app_id, clearance_id, **data):
    return deliver(
        platform,
        event_type,
        clearance_id=clearance_id,
        application_id=app_id,
        person_id=str(uuid.uuid4()),
        **data,
    )


def view(client, app_id):
    response = client.call("GET", f"/applications/{app_id}")
    assert response.status_code == 200
    return response.json


# --- reconsideration ------------------------------------------------------------------------


def test_a_refused_application_can_be_reconsidered_once(refused):
    client, platform, app_id = refused
    response = reconsider(client, app_id)
    assert response.status_code == 200, response.json
    body = response.json
    assert body["id"] == app_id and body["status"] == "REFUSED"  # until vetting decides again
    assert body["reconsideration_requested_at"]
    entry = body["timeline"][-1]
    assert entry["kind"] == "reconsideration_requested"
    assert entry["detail"] == {"grounds": GROUNDS}
    [event] = events_of(platform, "application.reconsideration_requested")
    assert event["application_id"] == app_id and event["grounds"] == GROUNDS
    assert event["requested_at"] == body["reconsideration_requested_at"].replace("Z", "+00:00")
    with platform.engine.connect() as conn:
        row = conn.execute(
            outbox_table.select().where(
                outbox_table.c.event_type == "application.reconsideration_requested"
            )
        ).one()
    assert row.subject == app_id

    again = reconsider(client, app_id, grounds="Please look again")
    assert again.status_code == 409
    assert "only once" in again.json["message"]
    assert len(events_of(platform, "application.reconsideration_requested")) == 1
    kinds = [e["kind"] for e in view(client, app_id)["timeline"]]
    assert kinds.count("reconsideration_requested") == 1


def test_only_a_refused_application_can_be_reconsidered(api):
    client, platform = api
    draft = client.draft()["id"]
    response = reconsider(client, draft)
    assert response.status_code == 409
    assert "only a refused application" in response.json["message"]
    client.call("POST", f"/applications/{draft}/submit")
    assert reconsider(client, draft).status_code == 409
    grant(platform, draft)
    assert reconsider(client, draft).status_code == 409
    assert events_of(platform, "application.reconsideration_requested") == []
    assert view(client, draft)["reconsideration_requested_at"] is None


def test_another_organisation_gets_404_and_no_key_401(refused):
    client, platform, app_id = refused
    assert reconsider(client, app_id, org="B").status_code == 404
    assert reconsider(client, app_id, org=None).status_code == 401
    assert reconsider(client, str(uuid.uuid4())).status_code == 404
    assert events_of(platform, "application.reconsideration_requested") == []
    assert reconsider(client, app_id).status_code == 200  # the owner still may


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "grounds"),
        ({"grounds": ""}, "grounds"),
        ({"grounds": "x" * 5001}, "grounds"),
        ({"grounds": None}, "grounds"),
        ({"grounds": "ok", "extra": 1}, "extra"),
    ],
)
def test_grounds_are_required_and_bounded(refused, body, field):
    client, platform, app_id = refused
    response = client.call("POST", f"/applications/{app_id}/reconsideration", json=body)
    assert response.status_code == 422, response.json
    assert list(response.json["errors"]) == [field]
    assert events_of(platform, "application.reconsideration_requested") == []
    assert view(client, app_id)["reconsideration_requested_at"] is None


def test_grounds_of_5000_characters_are_accepted(refused):
    client, platform, app_id = refused
    assert reconsider(client, app_id, grounds="g" * 5000).status_code == 200
    [event] = events_of(platform, "application.reconsideration_requested")
    assert len(event["grounds"]) == 5000


def test_the_route_is_in_the_openapi_document(api):
    client, _platform = api
    spec = client.raw.get("/openapi.json").json
    operation = spec["paths"]["/applications/{application_id}/reconsideration"]["post"]
    assert operation["security"] == [{"bearer": []}]
    assert {"200", "409", "422"} <= set(operation["responses"])
    assert "requestBody" in operation


def test_a_reconsideration_that_clears_makes_the_application_cleared(refused):
    client, platform, app_id = refused
    assert reconsider(client, app_id).status_code == 200
    grant(platform, app_id, issued_at=at())
    body = view(client, app_id)
    assert body["status"] == "CLEARED"
    assert body["outcome"]["result"] == "CLEARED"
    # Which clearance serves it is never the organisation's to see (it may be another's).
    assert "clearance_id" not in body["outcome"] and body["outcome"]["level"] == "ENHANCED"
    assert body["outcome"]["clearance_status"] == "ACTIVE"
    kinds = [e["kind"] for e in body["timeline"]]
    assert kinds[-3:] == ["refused", "reconsideration_requested", "cleared"]
    # Once only, whatever the outcome.
    assert reconsider(client, app_id).status_code == 409


def test_a_refusal_upheld_on_reconsideration(refused):
    client, platform, app_id = refused
    assert reconsider(client, app_id).status_code == 200
    deliver(
        platform,
        "vetting.clearance_refused",
        case_id=str(uuid.uuid4()),
        application_id=app_id,
        refused_at=at(),
        reconsidered=True,
    )
    body = view(client, app_id)
    assert body["status"] == "REFUSED"
    assert body["outcome"] == {"result": "REFUSED", "reconsidered": True}
    kinds = [e["kind"] for e in body["timeline"]]
    assert kinds[-3:] == ["refused", "reconsideration_requested", "refusal_upheld"]
    assert kinds.count("refused") == 1
    assert reconsider(client, app_id).status_code == 409


def test_a_late_refusal_never_turns_a_clearance_into_a_refusal(refused):
    client, platform, app_id = refused
    reconsider(client, app_id)
    grant(platform, app_id, issued_at=at())
    deliver(
        platform,
        "vetting.clearance_refused",
        case_id=str(uuid.uuid4()),
        application_id=app_id,
        refused_at=at(-1),
        reconsidered=True,
    )
    body = view(client, app_id)
    assert body["status"] == "CLEARED" and body["outcome"]["result"] == "CLEARED"


# --- the clearance after it was granted ------------------------------------------------------


@pytest.fixture
def cleared(api):
    client, platform = api
    app_id = client.draft()["id"]
    assert client.call("POST", f"/applications/{app_id}/submit").status_code == 200
    return client, platform, app_id, grant(platform, app_id)


def test_each_clearance_change_shows_in_the_timeline_and_the_outcome(cleared):
    client, platform, app_id, clearance_id = cleared
    assert view(client, app_id)["outcome"]["clearance_status"] == "ACTIVE"

    change(
        platform,
        "vetting.clearance_suspended",
        app_id,
        clearance_id,
        reason="CHANGE_OF_CIRCUMSTANCES",
        suspended_at=at(-5),
    )
    body = view(client, app_id)
    assert body["status"] == "CLEARED"
    assert body["outcome"]["clearance_status"] == "SUSPENDED"
    assert body["timeline"][-1]["kind"] == "clearance_suspended"
    assert body["timeline"][-1]["detail"] == {"reason": "CHANGE_OF_CIRCUMSTANCES"}

    change(platform, "vetting.clearance_reinstated", app_id, clearance_id, reinstated_at=at(-4))
    body = view(client, app_id)
    assert body["status"] == "CLEARED" and body["outcome"]["clearance_status"] == "ACTIVE"
    assert body["timeline"][-1]["kind"] == "clearance_reinstated"

    expires_at = at(30)
    change(
        platform,
        "vetting.clearance_expiring",
        app_id,
        clearance_id,
        expires_at=expires_at,
        days_before=30,
    )
    body = view(client, app_id)
    assert body["outcome"]["clearance_status"] == "ACTIVE"
    entry = body["timeline"][-1]
    assert entry["kind"] == "clearance_expiring" and entry["detail"]["days_before"] == 30
    assert datetime.fromisoformat(entry["detail"]["expires_at"]) == datetime.fromisoformat(
        expires_at
    )

    change(platform, "vetting.clearance_expired", app_id, clearance_id, expired_at=at())
    body = view(client, app_id)
    assert body["status"] == "CLEARED" and body["outcome"]["clearance_status"] == "EXPIRED"
    assert body["timeline"][-1]["kind"] == "clearance_expired"
    # The rest of the outcome is kept.
    assert body["outcome"]["level"] == "ENHANCED" and body["outcome"]["access"] == "ESCORTED"
    assert body["outcome"]["level"] == "ENHANCED"


def test_a_revocation_is_final(cleared):
    client, platform, app_id, clearance_id = cleared
    change(
        platform,
        "vetting.clearance_suspended",
        app_id,
        clearance_id,
        reason="OFFICER_DECISION",
        suspended_at=at(-3),
    )
    change(platform, "vetting.clearance_revoked", app_id, clearance_id, revoked_at=at(-1))
    body = view(client, app_id)
    assert body["status"] == "CLEARED" and body["outcome"]["clearance_status"] == "REVOKED"
    assert body["timeline"][-1]["kind"] == "clearance_revoked"
    # A reinstatement that happened before the revocation, delivered late ...
    change(platform, "vetting.clearance_reinstated", app_id, clearance_id, reinstated_at=at(-2))
    # ... or even one stamped after it: a revoked clearance never becomes active again.
    change(platform, "vetting.clearance_reinstated", app_id, clearance_id, reinstated_at=at())
    change(
        platform,
        "vetting.clearance_suspended",
        app_id,
        clearance_id,
        reason="OFFICER_DECISION",
        suspended_at=at(),
    )
    change(platform, "vetting.clearance_expired", app_id, clearance_id, expired_at=at())
    body = view(client, app_id)
    assert body["outcome"]["clearance_status"] == "REVOKED"
    kinds = [e["kind"] for e in body["timeline"]]
    assert kinds.count("clearance_reinstated") == 2  # history, in its place
    assert kinds.count("clearance_revoked") == 1


def test_an_older_suspension_delivered_after_a_reinstatement_moves_nothing(cleared):
    client, platform, app_id, clearance_id = cleared
    change(platform, "vetting.clearance_reinstated", app_id, clearance_id, reinstated_at=at(-1))
    change(
        platform,
        "vetting.clearance_suspended",
        app_id,
        clearance_id,
        reason="OFFICER_DECISION",
        suspended_at=at(-2),
    )
    body = view(client, app_id)
    assert body["outcome"]["clearance_status"] == "ACTIVE"
    kinds = [e["kind"] for e in body["timeline"]]
    assert kinds[-2:] == ["clearance_suspended", "clearance_reinstated"]  # by when they happened


def test_redelivery_of_a_clearance_event_changes_nothing(cleared):
    client, platform, app_id, clearance_id = cleared
    envelope = change(
        platform,
        "vetting.clearance_suspended",
        app_id,
        clearance_id,
        reason="OFFICER_DECISION",
        suspended_at=at(-1),
    )
    dispatcher = Dispatcher.for_platform(platform, definition().handlers(platform))
    event = dispatcher.parse(envelope.to_json())
    assert [dispatcher.run_handler(h, event) for h in dispatcher.handlers_for(event)] == [False]
    kinds = [e["kind"] for e in view(client, app_id)["timeline"]]
    assert kinds.count("clearance_suspended") == 1


def test_clearance_events_for_an_unknown_application_are_ignored(cleared):
    client, platform, app_id, clearance_id = cleared
    unknown = str(uuid.uuid4())
    for event_type, data in [
        ("vetting.clearance_suspended", {"reason": "OFFICER_DECISION", "suspended_at": at()}),
        ("vetting.clearance_reinstated", {"reinstated_at": at()}),
        ("vetting.clearance_revoked", {"revoked_at": at()}),
        ("vetting.clearance_expiring", {"expires_at": at(30), "days_before": 30}),
        ("vetting.clearance_expired", {"expired_at": at()}),
    ]:
        change(platform, event_type, unknown, clearance_id, **data)
    with platform.session_factory() as session:
        assert (
            session.execute(
                select(func.count())
                .select_from(TimelineEntry)
                .where(TimelineEntry.application_id == unknown)
            ).scalar()
            == 0
        )
    assert view(client, app_id)["outcome"]["clearance_status"] == "ACTIVE"


def test_a_clearance_change_that_overtakes_the_grant_waits_for_it(api):
    client, platform = api
    app_id = client.draft()["id"]
    client.call("POST", f"/applications/{app_id}/submit")
    clearance_id = str(uuid.uuid4())
    with pytest.raises(RetryLater):
        change(
            platform,
            "vetting.clearance_suspended",
            app_id,
            clearance_id,
            reason="OFFICER_DECISION",
            suspended_at=at(),
        )
    assert "clearance_suspended" not in [e["kind"] for e in view(client, app_id)["timeline"]]
    grant(platform, app_id, clearance_id)
    change(
        platform,
        "vetting.clearance_suspended",
        app_id,
        clearance_id,
        reason="OFFICER_DECISION",
        suspended_at=at(),
    )
    assert view(client, app_id)["outcome"]["clearance_status"] == "SUSPENDED"


def test_a_withdrawal_crossed_by_a_clearance_ends_the_sponsorship_and_follows_it(api):
    client, platform = api
    app_id = client.draft()["id"]
    client.call("POST", f"/applications/{app_id}/submit")
    client.call("POST", f"/applications/{app_id}/withdraw", json={"reason": "Moved away"})
    clearance_id = grant(platform, app_id)  # vetting had not heard of the withdrawal
    change(platform, "vetting.clearance_revoked", app_id, clearance_id, revoked_at=at())
    body = view(client, app_id)
    assert body["status"] == "SPONSORSHIP_ENDED"
    assert body["outcome"]["clearance_status"] == "REVOKED"
    assert body["timeline"][-1]["kind"] == "clearance_revoked"
