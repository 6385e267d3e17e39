"""The volunteer's contact details: never the coordinator's, confirmed by the volunteer (a link
to the email, a code to the mobile), and theirs to opt out of; notifications hear of each
change through application.contacts_recorded."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from applications.schemas.examples import sample_application
from applications.service_layer import bulk
from shared.clock import ManualClock
from tests.support.applications_api import organisations_api, outbox_types
from tests.support.clock import now

COORDINATOR = "c@example.org"  # organisations A and B in the harness


@pytest.fixture
def clocked(backend_env):
    clock = ManualClock(now())
    client, platform = organisations_api(backend_env["applications"], clock=clock)
    yield client, platform, clock
    platform.engine.dispose()


def published(platform, event_type):
    return [data for kind, data in outbox_types(platform) if kind == event_type]


def submit(client, email="vol@example.org"):
    app_id = client.draft(sample_application(email))["id"]
    response = client.call("POST", f"/applications/{app_id}/submit")
    assert response.status_code == 200, response.json
    return app_id


def token_of(request):
    return request["link"].rsplit("/", 1)[1]


def test_the_volunteers_email_cannot_be_the_coordinators(api):
    client, platform = api
    for email in (COORDINATOR, "C@Example.ORG"):
        body = sample_application("x@example.org")
        body["applicant"]["contact"]["email"] = email
        refused = client.call("POST", "/applications", json=body)
        assert refused.status_code == 422, (email, refused.json)
        assert "coordinator" in refused.json["errors"]["applicant"]["contact"]["email"][0]
    draft = client.draft(sample_application("own@example.org"))
    contact = {**draft["applicant"]["contact"], "email": COORDINATOR}
    patched = client.call(
        "PATCH", f"/applications/{draft['id']}", json={"applicant": {"contact": contact}}
    )
    assert patched.status_code == 422 and "email" in patched.json["errors"]["applicant"]["contact"]
    row = {column: "" for column in bulk.COLUMNS}
    row.update(forenames="Ann", surname="Lee", email=COORDINATOR)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(bulk.COLUMNS))
    writer.writeheader()
    writer.writerow(row)
    checked = client.call(
        "POST", "/applications/bulk", data=out.getvalue().encode(), content_type="text/csv"
    )
    assert checked.status_code == 200
    [error] = checked.json["errors"]
    assert any("coordinator" in message for message in error["errors"]["email"])
    assert not published(platform, "application.submitted")


def test_submission_asks_the_volunteer_to_confirm_each_channel(clocked):
    client, platform, _clock = clocked
    app_id = submit(client)
    [recorded] = published(platform, "application.contacts_recorded")
    volunteer = recorded["volunteer"]
    assert volunteer["email"] == "vol@example.org" and volunteer["mobile"]
    assert not volunteer["email_confirmed"] and not volunteer["mobile_confirmed"]
    assert recorded["coordinator"]["email"] == COORDINATOR
    assert recorded["opt_out_link"].startswith("http")
    requests = {
        r["channel"]: r for r in published(platform, "application.contact_confirmation_requested")
    }
    assert set(requests) == {"EMAIL", "SMS"}
    assert requests["EMAIL"]["email"] == "vol@example.org" and requests["EMAIL"]["code"] is None
    assert requests["SMS"]["mobile"] and len(requests["SMS"]["code"]) == 6
    # Only hashes at rest: neither the token nor the code is in the database.
    with platform.engine.connect() as connection:
        stored = repr(connection.exec_driver_sql("SELECT * FROM contact_confirmations").all())
    for request in requests.values():
        assert token_of(request) not in stored
    assert requests["SMS"]["code"] not in stored
    assert client.call("GET", f"/applications/{app_id}").status_code == 200


def test_the_email_link_confirms_once(clocked):
    client, platform, _clock = clocked
    app_id = submit(client)
    [request] = [
        r
        for r in published(platform, "application.contact_confirmation_requested")
        if r["channel"] == "EMAIL"
    ]
    link = f"/volunteer/confirmations/{token_of(request)}"
    shown = client.call("GET", link, org=None)
    assert shown.status_code == 200 and shown.json["channel"] == "EMAIL"
    assert shown.json["needs_code"] is False
    assert len(published(platform, "application.contacts_recorded")) == 1  # GET changes nothing
    confirmed = client.call("POST", link, org=None, json={})
    assert confirmed.status_code == 200, confirmed.json
    assert confirmed.json == {"confirmed": True, "channel": "EMAIL"}
    latest = published(platform, "application.contacts_recorded")[-1]["volunteer"]
    assert latest["email_confirmed"] and not latest["mobile_confirmed"]
    again = client.call("POST", link, org=None, json={})
    assert again.status_code == 410
    unknown = client.call("POST", "/volunteer/confirmations/not-a-token", org=None, json={})
    assert unknown.status_code == 404
    kinds = [e["kind"] for e in client.call("GET", f"/applications/{app_id}").json["timeline"]]
    assert "contact_confirmed" in kinds


def test_an_expired_link_confirms_nothing(clocked):
    client, platform, clock = clocked
    submit(client)
    [request] = [
        r
        for r in published(platform, "application.contact_confirmation_requested")
        if r["channel"] == "EMAIL"
    ]
    clock.advance(timedelta(hours=72, seconds=1))
    expired = client.call(
        "POST", f"/volunteer/confirmations/{token_of(request)}", org=None, json={}
    )
    assert expired.status_code == 410 and "expired" in expired.json["message"]
    assert len(published(platform, "application.contacts_recorded")) == 1


def test_wrong_codes_lock_the_mobile_confirmation(clocked):
    client, platform, _clock = clocked
    submit(client)
    [request] = [
        r
        for r in published(platform, "application.contact_confirmation_requested")
        if r["channel"] == "SMS"
    ]
    link, code = f"/volunteer/confirmations/{token_of(request)}", request["code"]
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    assert client.call("POST", link, org=None, json={}).status_code == 422  # no code
    malformed = client.call("POST", link, org=None, json={"code": "12ab"})
    assert malformed.status_code == 422 and "code" in malformed.json["errors"]
    for left in (3, 2, 1, 0):
        refused = client.call("POST", link, org=None, json={"code": wrong})
        assert refused.status_code == 422, refused.json
        assert f"{left} tries left" in refused.json["errors"]["code"][0]
    locked = client.call("POST", link, org=None, json={"code": code})
    assert locked.status_code == 429  # even the right code, once locked
    assert not published(platform, "application.contacts_recorded")[-1]["volunteer"][
        "mobile_confirmed"
    ]
    # The way out: the organisation has a new code sent; the locked one stays dead.
    app_id = request["application_id"]
    assert (
        client.call(
            "POST",
            f"/applications/{app_id}/contact-confirmations",
            org="B",
            json={"channel": "SMS"},
        ).status_code
        == 404
    )
    sent = client.call(
        "POST", f"/applications/{app_id}/contact-confirmations", json={"channel": "SMS"}
    )
    assert sent.status_code == 202, sent.json
    fresh = published(platform, "application.contact_confirmation_requested")[-1]
    assert fresh["channel"] == "SMS" and token_of(fresh) != token_of(request)
    assert client.call("POST", link, org=None, json={"code": code}).status_code in (410, 429)
    confirmed = client.call(
        "POST",
        f"/volunteer/confirmations/{token_of(fresh)}",
        org=None,
        json={"code": fresh["code"]},
    )
    assert confirmed.status_code == 200
    again = client.call(
        "POST", f"/applications/{app_id}/contact-confirmations", json={"channel": "SMS"}
    )
    assert again.status_code == 409 and "already confirmed" in again.json["message"]


def test_an_email_link_resent_replaces_the_old_one(clocked):
    client, platform, _clock = clocked
    draft = client.draft(sample_application("early@example.org"))["id"]
    early = client.call(
        "POST", f"/applications/{draft}/contact-confirmations", json={"channel": "EMAIL"}
    )
    assert early.status_code == 409 and early.json["state"] == "DRAFT"
    app_id = submit(client)
    [first] = [
        r
        for r in published(platform, "application.contact_confirmation_requested")
        if r["channel"] == "EMAIL"
    ]
    assert (
        client.call(
            "POST", f"/applications/{app_id}/contact-confirmations", json={"channel": "EMAIL"}
        ).status_code
        == 202
    )
    second = published(platform, "application.contact_confirmation_requested")[-1]
    gone = client.call("POST", f"/volunteer/confirmations/{token_of(first)}", org=None, json={})
    assert gone.status_code == 410
    assert (
        client.call(
            "POST", f"/volunteer/confirmations/{token_of(second)}", org=None, json={}
        ).status_code
        == 200
    )
    kinds = [e["kind"] for e in client.call("GET", f"/applications/{app_id}").json["timeline"]]
    assert kinds[-2:] == ["contact_confirmation_sent", "contact_confirmed"]


def test_the_right_code_confirms_the_mobile(clocked):
    client, platform, _clock = clocked
    submit(client)
    [request] = [
        r
        for r in published(platform, "application.contact_confirmation_requested")
        if r["channel"] == "SMS"
    ]
    link = f"/volunteer/confirmations/{token_of(request)}"
    assert client.call("GET", link, org=None).json["needs_code"] is True
    confirmed = client.call("POST", link, org=None, json={"code": request["code"]})
    assert confirmed.status_code == 200, confirmed.json
    assert published(platform, "application.contacts_recorded")[-1]["volunteer"]["mobile_confirmed"]


def test_the_volunteer_opts_out_with_the_link_only(clocked):
    client, platform, _clock = clocked
    app_id = submit(client)
    link = published(platform, "application.contacts_recorded")[0]["opt_out_link"]
    path = "/volunteer/" + link.split("/volunteer/", 1)[1]
    forged = client.call("POST", path[:-4] + "abcd", org=None, json={"channels": ["SMS"]})
    assert forged.status_code == 404
    other = client.call("POST", f"/volunteer/opt-outs/{app_id}", org=None, json={})
    assert other.status_code == 404
    bad = client.call("POST", path, org=None, json={"channels": ["PIGEON"]})
    assert bad.status_code == 422 and "channels" in bad.json["errors"]
    done = client.call("POST", path, org=None, json={"channels": ["SMS"]})
    assert done.status_code == 200 and done.json == {"opted_out": ["SMS"]}
    assert published(platform, "application.contacts_recorded")[-1]["volunteer"]["opted_out"] == [
        "SMS"
    ]
    both = client.call("POST", path, org=None, json={})
    assert both.json == {"opted_out": ["EMAIL", "SMS"]}
