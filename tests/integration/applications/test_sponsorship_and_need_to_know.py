"""Ending a sponsorship (asked for, or a withdrawal that crossed the clearance), and what the
organisation is told: what to do, never what the checks found."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from tests.support.applications_api import deliver, outbox_types
from tests.support.clock import iso_now, now


def submitted(client, org="A"):
    app_id = client.draft(org=org)["id"]
    assert client.call("POST", f"/applications/{app_id}/submit", org=org).status_code == 200
    return app_id


def clear(platform, app_id, clearance_id=None, conditions=()):
    deliver(
        platform,
        "vetting.clearance_granted",
        case_id=str(uuid.uuid4()),
        application_id=app_id,
        clearance_id=clearance_id or str(uuid.uuid4()),
        level="ENHANCED",
        access="ESCORTED",
        conditions=list(conditions),
        establishments=["WWI"],
        issued_at=iso_now(),
        expires_at=(now() + timedelta(days=1000)).isoformat(),
    )


def ended_events(platform, app_id):
    return [
        data
        for kind, data in outbox_types(platform)
        if kind == "application.sponsorship_ended" and data["application_id"] == app_id
    ]


def test_a_withdrawal_crossing_the_clearance_becomes_an_ended_sponsorship(api):
    client, platform = api
    app_id = submitted(client)
    withdrawn = client.call(
        "POST", f"/applications/{app_id}/withdraw", json={"reason": "Dismissed"}
    )
    assert withdrawn.status_code == 200
    clearance_id = str(uuid.uuid4())
    clear(platform, app_id, clearance_id)  # vetting cleared before it heard of the withdrawal
    clear(platform, app_id, clearance_id)  # and its news came twice
    view = client.call("GET", f"/applications/{app_id}").json
    assert view["status"] == "SPONSORSHIP_ENDED"
    [event] = ended_events(platform, app_id)
    assert event["from_withdrawal"] is True and event["reason_code"] == "OTHER"
    assert event["organisation_id"] and "Dismissed" not in str(event)
    kinds = [e["kind"] for e in view["timeline"]]
    assert kinds.count("sponsorship_ended") == 1
    assert kinds.index("withdrawn") < kinds.index("cleared") < kinds.index("sponsorship_ended")
    # Later news about that clearance is history; nothing revives the application.
    deliver(
        platform,
        "vetting.clearance_suspended",
        clearance_id=clearance_id,
        application_id=app_id,
        person_id=str(uuid.uuid4()),
        suspension_id=str(uuid.uuid4()),
        reason="OFFICER_DECISION",
        suspended_at=iso_now(),
    )
    assert client.call("GET", f"/applications/{app_id}").json["status"] == "SPONSORSHIP_ENDED"


def test_the_organisation_ends_its_sponsorship_of_a_cleared_volunteer(api):
    client, platform = api
    app_id = submitted(client)
    early = client.call(
        "POST", f"/applications/{app_id}/sponsorship-end", json={"reason_code": "LEFT_ORGANISATION"}
    )
    assert early.status_code == 409 and early.json["state"] == "SUBMITTED"
    assert "submitted" in early.json["message"]
    clear(platform, app_id)
    bad = client.call(
        "POST",
        f"/applications/{app_id}/sponsorship-end",
        json={"reason_code": "BORED", "note": "x" * 2001},
    )
    assert bad.status_code == 422 and {"reason_code", "note"} <= set(bad.json["errors"])
    other = client.call(
        "POST", f"/applications/{app_id}/sponsorship-end", org="B", json={"reason_code": "CONDUCT"}
    )
    assert other.status_code == 404 and other.json == {"status": 404, "message": "Not found."}
    assert not ended_events(platform, app_id)
    ended = client.call(
        "POST",
        f"/applications/{app_id}/sponsorship-end",
        json={"reason_code": "CONDUCT", "note": "Asked to step down."},
    )
    assert ended.status_code == 200, ended.json
    assert ended.json["status"] == "SPONSORSHIP_ENDED"
    assert ended.json["timeline"][-1]["detail"] == {
        "reason_code": "CONDUCT",
        "note": "Asked to step down.",
    }
    [event] = ended_events(platform, app_id)
    assert event["from_withdrawal"] is False and event["reason_code"] == "CONDUCT"
    assert "note" not in event  # the organisation's words stay with it
    again = client.call(
        "POST", f"/applications/{app_id}/sponsorship-end", json={"reason_code": "CONDUCT"}
    )
    assert again.status_code == 409 and again.json["state"] == "SPONSORSHIP_ENDED"
    for action, body in (("withdraw", {"reason": "Gone away"}), ("renewals", None)):
        refused = client.call("POST", f"/applications/{app_id}/{action}", json=body)
        assert refused.status_code == 409 and refused.json["state"] == "SPONSORSHIP_ENDED"


def test_no_sponsorship_to_end_on_a_revoked_clearance(api):
    client, platform = api
    app_id, clearance_id = submitted(client), str(uuid.uuid4())
    clear(platform, app_id, clearance_id)
    deliver(
        platform,
        "vetting.clearance_revoked",
        clearance_id=clearance_id,
        application_id=app_id,
        person_id=str(uuid.uuid4()),
        revoked_at=iso_now(),
    )
    refused = client.call(
        "POST", f"/applications/{app_id}/sponsorship-end", json={"reason_code": "OTHER"}
    )
    assert refused.status_code == 409 and "revoked" in refused.json["message"]
    assert not ended_events(platform, app_id)


UNDECLARED = "Police national computer: undeclared conviction for assault (2019)"


def test_the_organisation_never_sees_what_the_checks_found(api):
    """As an inbox from before the upgrade may still hold it: vetting.info_requested with its
    reason (today applications receives vetting.info_request_announced, without it)."""
    client, platform = api
    app_id = submitted(client)
    deliver(
        platform,
        "vetting.info_requested",
        case_id=str(uuid.uuid4()),
        application_id=app_id,
        request_id="plain",
        reason=UNDECLARED,
        items=[{"question": "Send a second proof of address.", "field": None}],
        requested_at=iso_now(),
    )
    deliver(
        platform,
        "vetting.info_requested",
        case_id=str(uuid.uuid4()),
        application_id=app_id,
        request_id="sensitive",
        reason=UNDECLARED,
        sensitive=True,
        items=[{"question": "Tell us about the assault in 2019.", "field": None}],
        requested_at=iso_now(),
    )
    view = client.call("GET", f"/applications/{app_id}")
    text = view.get_data(as_text=True)
    assert "assault" not in text and "undeclared" not in text.lower()
    requests = {r["id"]: r for r in view.json["information_requests"]}
    assert requests["plain"]["items"][0]["question"].startswith("Send a second")
    assert requests["sensitive"]["status"] == "VOLUNTEER_ASKED"
    assert requests["sensitive"]["items"] == []
    assert "asked the volunteer" in requests["sensitive"]["message"]
    # Nothing for the organisation to answer on the sensitive one.
    answer = client.call(
        "POST",
        f"/applications/{app_id}/responses",
        json={"request_id": "sensitive", "answers": [{"answer": "Guessing"}]},
    )
    assert answer.status_code == 409
    listed = client.call("GET", "/applications").get_data(as_text=True)
    assert "assault" not in listed


def test_a_condition_naming_a_prison_is_not_shown_to_the_organisation(api):
    client, platform = api
    app_id = submitted(client)
    clear(platform, app_id, conditions=["ESCORTED_ONLY", "EXCLUDE_ESTABLISHMENT:BMI"])
    view = client.call("GET", f"/applications/{app_id}")
    assert "BMI" not in str(view.json["outcome"])
    assert view.json["outcome"]["conditions"] == [
        "ESCORTED_ONLY",
        "ESTABLISHMENT_RESTRICTIONS_APPLY",
    ]


@pytest.mark.parametrize("state", ["CLEARED", "REFUSED"])
def test_vetting_can_ask_during_a_review_or_a_reconsideration_and_hear_back(api, state):
    client, platform = api
    app_id = submitted(client)
    if state == "CLEARED":
        clear(platform, app_id)
    else:
        deliver(
            platform,
            "vetting.clearance_refused",
            case_id=str(uuid.uuid4()),
            application_id=app_id,
            refused_at=iso_now(),
        )
        assert (
            client.call(
                "POST",
                f"/applications/{app_id}/reconsideration",
                json={"grounds": "New references"},
            ).status_code
            == 200
        )
    deliver(
        platform,
        "vetting.info_requested",
        case_id=str(uuid.uuid4()),
        application_id=app_id,
        request_id="review-1",
        reason="Review",
        items=[{"question": "Which group do they run?", "field": None}],
        requested_at=iso_now(),
    )
    answered = client.call(
        "POST",
        f"/applications/{app_id}/responses",
        json={"request_id": "review-1", "answers": [{"answer": "The Tuesday group"}]},
    )
    assert answered.status_code == 200, answered.json
    assert answered.json["status"] == state
    assert outbox_types(platform)[-1][0] == "application.info_provided"
