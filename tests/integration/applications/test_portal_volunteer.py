"""The volunteer's own pages in the coordinators' portal: the coordinator sends a single-use,
expiring link; the volunteer completes their convictions and cautions, connections and identity
documents; the organisation then sees only "complete" or "needs attention", never the content
(portal and API alike), and cannot change those sections; vetting gets everything on
submission. Both run modes."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from applications.models import Application, VolunteerLink, VolunteerSession
from applications.schemas.examples import sample_application
from applications.service_layer import subject_access, submission, volunteer_links
from shared.audit import log as audit
from shared.clock import ManualClock
from tests.support.applications_api import deliver, published
from tests.support.clock import now
from tests.support.portal_harness import Portal

SECTIONS = ("declarations", "connections", "identity_documents")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(now())


@pytest.fixture
def portal(backend_env: dict[str, dict[str, str]], clock: ManualClock) -> Iterator[Portal]:
    harness = Portal(backend_env["applications"], clock=clock)
    yield harness
    harness.close()


def csrf(page: Any) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def post(client: Any, path: str, data: dict[str, str], page_path: str | None = None) -> Any:
    page = client.get(page_path or path)
    return client.post(path, data={"csrf_token": csrf(page), **data})


def draft_without_sections(portal: Portal, org: str = "A") -> str:
    body = sample_application(f"vol-{portal.tag}@example.org")
    for name in SECTIONS:
        body["applicant"].pop(name, None)
    return portal.api.draft(body, org=org)["id"]


def send_link(portal: Portal, application_id: str, channel: str = "EMAIL") -> str:
    """The coordinator sends the link; the token it carries."""
    coordinator = portal.signed_in("coord_a")
    path = f"/portal/applications/{application_id}/volunteer-link"
    sent = post(coordinator, path, {"channel": channel})
    assert sent.status_code == 302, sent.text
    link = published(portal.platform, "application.volunteer_link_sent")[-1]["link"]
    return str(link).rsplit("/", 1)[1]


def volunteer_in(portal: Portal, token: str) -> Any:
    client = portal.app.test_client()
    entered = post(client, f"/portal/volunteer/{token}", {})
    assert entered.status_code == 302 and entered.headers["Location"].endswith("/portal/volunteer")
    return client


def complete_everything(client: Any) -> None:
    path = "/portal/volunteer/declarations"
    added = post(
        client,
        path,
        {
            "action": "add",
            "kind": "CONVICTION",
            "offence": "Theft from a shop",
            "date": ["1", "3", "2010"],
            "disposal": "CUSTODY",
        },
        page_path=f"{path}?add=1",
    )
    assert added.status_code == 302, added.text
    done = post(
        client,
        path,
        {"action": "answer", "more": "no", "on_licence": "no", "release_date": ["1", "2", "2011"]},
    )
    assert done.status_code == 302, done.text
    connection = post(
        client,
        "/portal/volunteer/connections",
        {"action": "add", "name": "Sam Jones", "relationship": "brother", "establishment": "LPI"},
    )
    assert connection.status_code == 302, connection.text
    assert (
        post(
            client, "/portal/volunteer/connections", {"action": "answer", "more": "no"}
        ).status_code
        == 302
    )
    document = post(
        client,
        "/portal/volunteer/identity-documents",
        {"action": "add", "type": "PASSPORT", "number": "534791234", "expiry": ["1", "1", "2035"]},
    )
    assert document.status_code == 302, document.text
    assert (
        post(
            client, "/portal/volunteer/identity-documents", {"action": "answer", "more": "no"}
        ).status_code
        == 302
    )


def test_the_volunteer_completes_their_sections_and_the_organisation_sees_only_statuses(portal):
    app_id = draft_without_sections(portal)
    token = send_link(portal, app_id)
    [event] = published(portal.platform, "application.volunteer_link_sent")
    assert event["channel"] == "EMAIL" and event["email"] == f"vol-{portal.tag}@example.org"
    assert event["link"].endswith(f"/portal/volunteer/{token}")

    before = portal.api.call("GET", f"/applications/{app_id}").json
    assert set(before["volunteer_sections"].values()) == {"NEEDS_ATTENTION"}
    ready = portal.api.call("GET", f"/applications/{app_id}/readiness").json
    assert not ready["ready"]
    assert {p["code"] for p in ready["problems"]} == {"VOLUNTEER_SECTION_NEEDS_ATTENTION"}

    volunteer = volunteer_in(portal, token)
    home = volunteer.get("/portal/volunteer")
    assert home.status_code == 200 and "Convictions and cautions" in home.text
    complete_everything(volunteer)
    assert volunteer.get("/portal/volunteer").text.count("Completed") >= 3

    seen = portal.api.call("GET", f"/applications/{app_id}").json
    assert seen["volunteer_sections"] == dict.fromkeys(SECTIONS, "COMPLETE")
    assert not set(SECTIONS) & set(seen["applicant"])
    text = str(seen)
    for secret in ("Theft", "Sam Jones", "534791234", "LPI"):
        assert secret not in text
    assert portal.api.call("GET", f"/applications/{app_id}/readiness").json["ready"]

    coordinator_page = portal.signed_in("coord_a").get(
        f"/portal/applications/{app_id}/volunteer-link"
    )
    assert coordinator_page.status_code == 200
    assert coordinator_page.text.count("Complete") >= 3
    for secret in ("Theft", "Sam Jones", "534791234"):
        assert secret not in coordinator_page.text

    submitted = portal.api.call("POST", f"/applications/{app_id}/submit")
    assert submitted.status_code == 200, submitted.json
    [sent] = published(portal.platform, "application.submitted")
    applicant = sent["applicant"]["details"]
    assert applicant["declarations"]["convictions"][0]["offence"] == "Theft from a shop"
    assert applicant["declarations"]["release_date"] == "2011-02-01"
    assert applicant["connections"][0]["name"] == "Sam Jones"
    assert applicant["identity_documents"][0]["number"] == "534791234"
    # Submitted: the volunteer's answers can no longer change.
    closed = volunteer.get("/portal/volunteer")
    assert "sent to the vetting team" in closed.text
    refused = post(volunteer, "/portal/volunteer/connections", {"action": "answer", "more": "no"})
    assert refused.status_code == 409


def test_opening_the_link_uses_nothing_and_using_it_twice_is_refused(portal):
    app_id = draft_without_sections(portal)
    token = send_link(portal, app_id)
    for _ in range(2):  # a mail scanner, then the volunteer
        assert portal.app.test_client().get(f"/portal/volunteer/{token}").status_code == 200
    volunteer = volunteer_in(portal, token)
    assert portal.app.test_client().get(f"/portal/volunteer/{token}").status_code == 410
    reused = volunteer.post(
        f"/portal/volunteer/{token}", data={"csrf_token": csrf(volunteer.get("/portal/volunteer"))}
    )
    assert reused.status_code == 410 and "already been used" in reused.text
    assert portal.app.test_client().get("/portal/volunteer/not-a-token").status_code == 404
    with portal.platform.session_factory() as db:
        entries = audit.entries(db, subject_type="application", subject_id=app_id)
    actions = [entry["action"] for entry in entries]
    assert {"volunteer_link.sent", "volunteer_link.used", "volunteer_link.refused"} <= set(actions)


def test_an_expired_or_replaced_link_is_refused(portal, clock):
    app_id = draft_without_sections(portal)
    first = send_link(portal, app_id)
    second = send_link(portal, app_id, channel="SMS")
    [_, by_sms] = published(portal.platform, "application.volunteer_link_sent")
    assert by_sms["channel"] == "SMS" and by_sms["mobile"] and by_sms["email"] is None
    replaced = portal.app.test_client().get(f"/portal/volunteer/{first}")
    assert replaced.status_code == 410 and "newer link" in replaced.text
    clock.advance(volunteer_links.LINK_VALID)
    expired = portal.app.test_client().get(f"/portal/volunteer/{second}")
    assert expired.status_code == 410 and "expired" in expired.text


def test_the_volunteers_session_ends_when_idle_and_at_sign_out(portal, clock):
    app_id = draft_without_sections(portal)
    volunteer = volunteer_in(portal, send_link(portal, app_id))
    clock.advance(volunteer_links.IDLE)
    ended = volunteer.get("/portal/volunteer")
    assert ended.status_code == 401 and "not signed in" in ended.text
    other = volunteer_in(portal, send_link(portal, app_id))
    signed_out = post(other, "/portal/volunteer/sign-out", {}, page_path="/portal/volunteer")
    assert signed_out.status_code == 200 and "signed out" in signed_out.text
    assert other.get("/portal/volunteer").status_code == 401
    with portal.platform.session_factory() as db:
        rows = db.query(VolunteerSession).filter_by(application_id=app_id).all()
    assert len(rows) == 2 and all(row.ended_at for row in rows)
    # Nobody without a session reaches a volunteer's page.
    stranger = portal.app.test_client()
    for path in ("/portal/volunteer", "/portal/volunteer/declarations"):
        assert stranger.get(path).status_code == 401


def test_a_blank_or_wrong_entry_is_a_page_with_an_error_summary(portal):
    app_id = draft_without_sections(portal)
    volunteer = volunteer_in(portal, send_link(portal, app_id))
    path = "/portal/volunteer/identity-documents"
    blank = post(volunteer, path, {"action": "add", "type": "", "number": ""}, f"{path}?add=1")
    assert blank.status_code == 422
    assert "<title>Error: " in blank.text and "govuk-error-summary" in blank.text
    assert 'href="#type' in blank.text and "Enter the document number." in blank.text
    neither = post(volunteer, path, {"action": "answer"})
    assert neither.status_code == 422 and "Select yes if you have one to add." in neither.text
    licence = post(volunteer, "/portal/volunteer/declarations", {"action": "answer", "more": "no"})
    assert licence.status_code == 422 and "on licence" in licence.text
    with portal.platform.session_factory() as db:
        application = db.get(Application, app_id)
        assert not application.applicant.get("identity_documents")
        assert not application.volunteer_sections["completed"]


def test_the_organisation_cannot_change_the_volunteers_sections(portal):
    app_id = draft_without_sections(portal)
    send_link(portal, app_id)
    patched = portal.api.call(
        "PATCH",
        f"/applications/{app_id}",
        json={"applicant": {"connections": []}},
    )
    assert patched.status_code == 409 and "own link" in patched.json["message"]
    # Other sections stay the organisation's.
    ok = portal.api.call(
        "PATCH", f"/applications/{app_id}", json={"applicant": {"forenames": "Jo"}}
    )
    assert ok.status_code == 200


def test_another_organisation_and_the_signed_out_cannot_send_the_link(portal):
    app_id = draft_without_sections(portal)
    path = f"/portal/applications/{app_id}/volunteer-link"
    other = portal.signed_in("coord_b")
    assert other.get(path).status_code == 404
    token = csrf(other.get("/portal/applications"))
    assert other.post(path, data={"csrf_token": token, "channel": "EMAIL"}).status_code == 404
    anonymous = portal.app.test_client().get(path)
    assert anonymous.status_code == 302 and "/portal/login" in anonymous.headers["Location"]
    assert not published(portal.platform, "application.volunteer_link_sent")


def test_sending_needs_a_channel_and_a_contact(portal):
    body = sample_application(f"vol-{portal.tag}@example.org")
    body["applicant"]["contact"]["mobile"] = None
    body["applicant"]["contact"]["preferred_channel"] = "EMAIL"
    app_id = portal.api.draft(body)["id"]
    coordinator = portal.signed_in("coord_a")
    path = f"/portal/applications/{app_id}/volunteer-link"
    page = coordinator.get(path)
    assert "By text message" not in page.text and "By email" in page.text
    unchosen = post(coordinator, path, {})
    assert unchosen.status_code == 422 and "Select how to send the link." in unchosen.text
    sms = post(coordinator, path, {"channel": "SMS"})
    assert sms.status_code == 422  # not a choice offered
    assert not published(portal.platform, "application.volunteer_link_sent")


def test_subject_access_erasure_and_renewal_cover_the_volunteers_part(portal):
    app_id = draft_without_sections(portal)
    volunteer = volunteer_in(portal, send_link(portal, app_id))
    complete_everything(volunteer)
    with portal.platform.session_factory() as db:
        found = subject_access.gather(db, app_id, None, None, now())
    assert found is not None
    [view] = found["applications"]
    assert view["applicant"]["connections"][0]["name"] == "Sam Jones"  # the person's own copy
    assert len(view["volunteer_links"]) == 1 and view["volunteer_links"][0]["used_at"]
    assert len(view["volunteer_sessions"]) == 1
    with portal.platform.unit_of_work() as uow:
        counts = volunteer_links.forget(uow.session, [app_id])
        uow.commit()
    assert counts == {"volunteer_links": 1, "volunteer_sessions": 1}
    with portal.platform.session_factory() as db:
        assert db.query(VolunteerLink).filter_by(application_id=app_id).count() == 0


def test_readiness_never_tells_the_organisation_what_is_in_the_volunteers_sections(portal):
    app_id = draft_without_sections(portal)
    volunteer = volunteer_in(portal, send_link(portal, app_id))
    # A connection at a prison the application asks for (WWI) is a flag vetting must see.
    post(
        volunteer,
        "/portal/volunteer/connections",
        {"action": "add", "name": "Kim Lee", "relationship": "cousin", "establishment": "WWI"},
    )
    page = volunteer.get("/portal/volunteer/connections")
    assert "Kim Lee" in page.text and "which this application asks to go into" in page.text
    problems = portal.api.call("GET", f"/applications/{app_id}/readiness").json["problems"]
    assert "CONNECTION_AT_REQUESTED_ESTABLISHMENT" not in {p["code"] for p in problems}
    assert "Kim Lee" not in str(problems) and "cousin" not in str(problems)
    with portal.platform.session_factory() as db:
        application = db.get(Application, app_id)
        whole = submission.volunteer_problems(
            application, {}, submission.ReadinessPolicy(), now().date()
        )
    assert "CONNECTION_AT_REQUESTED_ESTABLISHMENT" in {p.code for p in whole}


def test_the_volunteer_answers_vettings_sensitive_questions_which_the_organisation_never_reads(
    portal,
):
    app_id = portal.api.draft(sample_application(f"vol-{portal.tag}@example.org"))["id"]
    assert portal.api.call("POST", f"/applications/{app_id}/submit").status_code == 200
    question = "Tell us about the caution you received in 2019."
    deliver(
        portal.platform,
        "vetting.info_request_announced",
        case_id=str(uuid.uuid4()),
        application_id=app_id,
        request_id="req-sensitive-1",
        items=[],
        volunteer_items=[{"question": question, "field": None}],
        due_by=None,
        requested_at=now().isoformat(),
        sensitive=True,
    )
    seen = portal.api.call("GET", f"/applications/{app_id}").json
    assert question not in str(seen)
    volunteer = volunteer_in(portal, send_link(portal, app_id))
    home = volunteer.get("/portal/volunteer")
    assert "Questions from the vetting team" in home.text
    path = "/portal/volunteer/requests/req-sensitive-1"
    page = volunteer.get(path)
    assert page.status_code == 200 and question in page.text
    blank = post(volunteer, path, {"answer_0": " "})
    assert blank.status_code == 422 and "Enter your answer." in blank.text
    sent = post(volunteer, path, {"answer_0": "A caution for a public order offence."})
    assert sent.status_code == 302
    [provided] = published(portal.platform, "application.info_provided")
    assert provided["request_id"] == "req-sensitive-1"
    assert provided["answers"] == [
        {"question": question, "answer": "A caution for a public order offence."}
    ]
    again = post(volunteer, path, {"answer_0": "Again"})
    assert again.status_code == 200 and "You answered on" in again.text
    assert len(published(portal.platform, "application.info_provided")) == 1
    view = portal.api.call("GET", f"/applications/{app_id}").json
    [request] = view["information_requests"]
    assert request["answers"] is None and request["answered_at"]
    assert "public order" not in str(view) and question not in str(view)
    # Another application's request is not this volunteer's.
    assert volunteer.get("/portal/volunteer/requests/nope").status_code == 404


def test_a_renewal_keeps_the_volunteers_sections_from_the_organisation(portal):
    app_id = draft_without_sections(portal)
    complete_everything(volunteer_in(portal, send_link(portal, app_id)))
    assert portal.api.call("POST", f"/applications/{app_id}/submit").status_code == 200
    deliver(
        portal.platform,
        "vetting.application_cleared",
        case_id=str(uuid.uuid4()),
        application_id=app_id,
        clearance_id=str(uuid.uuid4()),
        level="ENHANCED",
        access="ESCORTED",
        conditions=[],
        issued_at=now().isoformat(),
        expires_at=(now() + timedelta(days=1000)).isoformat(),
    )
    renewal = portal.api.call("POST", f"/applications/{app_id}/renewals")
    assert renewal.status_code == 201, renewal.json
    assert not set(SECTIONS) & set(renewal.json["applicant"])
    assert set(renewal.json["volunteer_sections"].values()) == {"NEEDS_ATTENTION"}
    assert "Sam Jones" not in str(renewal.json)


def test_a_volunteer_declares_a_record_with_its_category_length_and_whether_it_is_spent(portal):
    app_id = draft_without_sections(portal)
    volunteer = volunteer_in(portal, send_link(portal, app_id))
    path = "/portal/volunteer/declarations"
    entry = {
        "action": "add",
        "kind": "CONVICTION",
        "offence": "Took goods from a shop",
        "date": ["1", "3", "2010"],
        "disposal": "FINE",
        "category": "THEFT",
        "sentence_length_months": "6",
        "spent": "yes",
    }
    # A fine has no length: the field says so, and nothing is stored.
    refused = post(volunteer, path, entry, page_path=f"{path}?add=1")
    assert refused.status_code == 422
    assert "Only a custodial, suspended or community sentence has a length." in refused.text
    added = post(
        volunteer, path, entry | {"disposal": "COMMUNITY_ORDER"}, page_path=f"{path}?add=1"
    )
    assert added.status_code == 302, added.text
    page = volunteer.get(path).text
    assert "Theft (including shoplifting)" in page
    # Old enough, not custodial, not specified: the volunteer is told it
    # is protected (need not be declared).
    assert "is protected" in page and "need not be" in page
    post(volunteer, path, {"action": "answer", "more": "no", "on_licence": "no"})
    with portal.platform.session_factory() as session:
        stored = session.get(Application, app_id)
        [declared] = stored.applicant["declarations"]["convictions"]
    assert (declared["category"], declared["sentence_length_months"], declared["spent"]) == (
        "THEFT",
        6,
        True,
    )
