"""One application's page in the portal (its timeline in plain words, vetting's requests) and
what a coordinator does from it: answer a request, withdraw, report a change, ask once for
reconsideration. Each runs the API's use case, writes the audit log, and refuses bad input with
the GOV.UK error summary and no change. Both run modes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from applications.models import Application, InformationRequest
from shared.audit import log as audit
from tests.support import portal_applications as made
from tests.support.applications_api import published
from tests.support.portal_harness import Portal


@pytest.fixture
def portal(backend_env: dict[str, dict[str, str]]) -> Iterator[Portal]:
    harness = Portal(backend_env["applications"])
    yield harness
    harness.close()


def actions(portal: Portal, application_id: str) -> list[str]:
    with portal.platform.session_factory() as db:
        entries = audit.entries(db, subject_type="application", subject_id=application_id)
    return [entry["action"] for entry in entries]


def status(portal: Portal, application_id: str) -> str:
    with portal.platform.session_factory() as db:
        found = db.get(Application, application_id)
        assert found is not None
        return found.status


def test_the_page_shows_where_it_stands_and_the_timeline_in_words(portal):
    application_id = made.cleared(portal, forenames="Nia", surname="Owen", days=30)
    client = portal.signed_in("coord_a")

    page = client.get(f"/portal/applications/{application_id}")

    assert page.status_code == 200
    text = page.text
    assert f"Application {application_id[:8].upper()}" in text and "Nia Owen" in text
    assert "Cleared" in text and "Wandsworth (HMP &amp; YOI)" in text
    for sentence in ("Draft started", "Submitted for vetting", "Vetting started the checks"):
        assert sentence in text
    assert "Cleared at Level 3 (unescorted) until" in text
    assert "Escorted only" in text
    assert "This clearance expires on" in text  # within 90 days: renew
    assert "Start a renewal" in text and "Report a change of circumstances" in text
    assert "Withdraw application" not in text  # a cleared one is not withdrawn
    assert "application.read" in actions(portal, application_id)  # as the API records a read


def test_a_draft_page_goes_to_its_answers_or_shows_the_draft(portal):
    application_id = made.draft(portal)
    page = portal.signed_in("coord_a").get(f"/portal/applications/{application_id}")
    if "portal.check_answers" in portal.app.view_functions:
        assert page.status_code == 302 and page.headers["Location"].endswith("/check")
    else:
        assert page.status_code == 200 and "Draft started" in page.text


def test_answering_vetting_s_request(portal):
    application_id, case_id = made.in_vetting(portal)
    request_id = made.ask(portal, application_id, case_id)
    client = portal.signed_in("coord_a")
    page = client.get(f"/portal/applications/{application_id}")
    assert (
        "Where did the volunteer live in 2021?" in page.text and "Answer this request" in page.text
    )
    form = client.get(f"/portal/applications/{application_id}/requests/{request_id}")
    assert form.status_code == 200 and "Who can vouch for that?" in form.text
    token = made.token_in(form.text)
    url = f"/portal/applications/{application_id}/requests/{request_id}"

    blank = client.post(url, data={"csrf_token": token, "answer_0": "Leeds", "answer_1": " "})

    assert blank.status_code == 422
    assert "<title>Error:" in blank.text and "Enter an answer to question 2." in blank.text
    assert 'href="#answer_1"' in blank.text  # the summary links to the field
    assert status(portal, application_id) == "INFO_REQUESTED"

    sent = client.post(
        url, data={"csrf_token": token, "answer_0": "Leeds", "answer_1": "Her landlord"}
    )

    assert sent.status_code == 303
    assert sent.headers["Location"].endswith(f"/portal/applications/{application_id}")
    assert status(portal, application_id) == "IN_VETTING"
    [provided] = published(portal.platform, "application.info_provided")
    assert provided["answers"] == [
        {"question": "Where did the volunteer live in 2021?", "answer": "Leeds"},
        {"question": "Who can vouch for that?", "answer": "Her landlord"},
    ]
    assert "application.information_provided" in actions(portal, application_id)
    assert "answers have been sent" in client.get(sent.headers["Location"]).text
    again = client.post(url, data={"csrf_token": token, "answer_0": "x", "answer_1": "y"})
    assert again.status_code == 409


def test_a_sensitive_request_is_the_volunteer_s_to_answer(portal):
    application_id, case_id = made.in_vetting(portal)
    request_id = made.ask(portal, application_id, case_id, sensitive=True)
    client = portal.signed_in("coord_a")
    page = client.get(f"/portal/applications/{application_id}")
    assert "Vetting asked the volunteer directly" in page.text
    assert "Where did the volunteer live" not in page.text
    assert "The volunteer" in page.text.split("Waiting on", 1)[1][:200]
    listed = client.get("/portal/applications").text
    assert "The volunteer" in listed.split(application_id[:8].upper(), 1)[1].split("</tr>")[0]
    url = f"/portal/applications/{application_id}/requests/{request_id}"
    for answer in (
        client.get(url),
        client.post(url, data={"csrf_token": made.token_in(page.text)}),
    ):
        assert answer.status_code == 200
        assert (
            "The volunteer answers this request" in answer.text and "<textarea" not in answer.text
        )
    with portal.platform.session_factory() as db:
        asked = db.get(InformationRequest, request_id)
        assert asked is not None and asked.answers is None


def test_withdrawing_needs_a_reason_and_happens_once(portal):
    application_id, _case = made.in_vetting(portal)
    client = portal.signed_in("coord_a")
    url = f"/portal/applications/{application_id}/withdraw"
    token = made.token_in(client.get(url).text)

    blank = client.post(url, data={"csrf_token": token, "reason": ""})
    assert blank.status_code == 422 and "Enter why you are withdrawing" in blank.text
    short = client.post(url, data={"csrf_token": token, "reason": "no"})
    assert short.status_code == 422 and 'href="#reason"' in short.text
    assert status(portal, application_id) == "IN_VETTING"

    done = client.post(url, data={"csrf_token": token, "reason": "She moved away."})

    assert done.status_code == 303 and status(portal, application_id) == "WITHDRAWN"
    assert published(portal.platform, "application.withdrawn")
    assert "application.withdrawn" in actions(portal, application_id)
    page = client.get(done.headers["Location"])
    assert "Withdrawn" in page.text and "Withdraw application" not in page.text
    twice = client.post(url, data={"csrf_token": token, "reason": "She moved away."})
    assert twice.status_code == 409 and "There is a problem" in twice.text
    assert len(published(portal.platform, "application.withdrawn")) == 1


def test_reporting_a_change_asks_what_changed_then_its_details(portal):
    application_id = made.cleared(portal)
    client = portal.signed_in("coord_a")
    url = f"/portal/applications/{application_id}/changes"
    first = client.get(url)
    assert first.status_code == 200 and "What has changed?" in first.text
    unchosen = client.get(url + "?kind=")
    assert unchosen.status_code == 422 and "Select what has changed." in unchosen.text

    details = client.get(url + "?kind=NEW_CONVICTION")
    assert details.status_code == 200 and "Offence" in details.text
    token = made.token_in(details.text)
    missing = client.post(
        url + "?kind=NEW_CONVICTION",
        data={"csrf_token": token, "conviction_kind": "CONVICTION", "date": ["31", "2", "2026"]},
    )
    assert missing.status_code == 422
    assert "Enter the offence." in missing.text and "must be a real date" in missing.text
    assert "Select the sentence or outcome." in missing.text
    assert not published(portal.platform, "application.circumstances_changed")

    done = client.post(
        url + "?kind=NEW_CONVICTION",
        data={
            "csrf_token": token,
            "conviction_kind": "CAUTION",
            "offence": "Shoplifting",
            "date": ["3", "2", "2026"],
            "disposal": "CAUTION",
        },
    )

    assert done.status_code == 303
    [change] = published(portal.platform, "application.circumstances_changed")
    assert change["kind"] == "NEW_CONVICTION"
    assert "application.change_reported" in actions(portal, application_id)
    page = client.get(done.headers["Location"]).text
    assert "You reported a new conviction or caution" in page

    address = client.post(
        url + "?kind=CHANGE_OF_ADDRESS",
        data={
            "csrf_token": token,
            "line1": "1 High Street",
            "town": "Leeds",
            "postcode": "LS1 1AA",
            "from_date": ["1", "11", "2026"],
        },
    )
    assert address.status_code == 303
    connection = client.post(
        url + "?kind=NEW_CONNECTION",
        data={"csrf_token": token, "connection_name": "A Person", "relationship": "Cousin"},
    )
    assert connection.status_code == 422 and "Select the prison they are in." in connection.text


def test_a_change_on_an_application_not_cleared_is_refused_on_the_page(portal):
    application_id, _case = made.in_vetting(portal)
    client = portal.signed_in("coord_a")
    url = f"/portal/applications/{application_id}/changes?kind=CHANGE_OF_ADDRESS"
    token = made.token_in(client.get(url).text)
    answer = client.post(
        url,
        data={
            "csrf_token": token,
            "line1": "1 High Street",
            "town": "Leeds",
            "postcode": "LS1 1AA",
            "from_date": ["1", "11", "2026"],
        },
    )
    assert answer.status_code == 409 and "There is a problem" in answer.text
    assert not published(portal.platform, "application.circumstances_changed")


def test_reconsideration_is_asked_for_once(portal):
    application_id = made.refused(portal)
    client = portal.signed_in("coord_a")
    page = client.get(f"/portal/applications/{application_id}")
    assert "Refused" in page.text and "Ask for reconsideration" in page.text
    url = f"/portal/applications/{application_id}/reconsideration"
    token = made.token_in(client.get(url).text)

    blank = client.post(url, data={"csrf_token": token, "grounds": "  "})
    assert (
        blank.status_code == 422 and "Enter why the refusal should be reconsidered." in blank.text
    )

    done = client.post(url, data={"csrf_token": token, "grounds": "The old conviction is spent."})

    assert done.status_code == 303
    assert "application.reconsideration_requested" in actions(portal, application_id)
    page = client.get(done.headers["Location"]).text
    assert "Ask for reconsideration" not in page and "only once" in page
    assert "You asked for the refusal to be reconsidered" in page
    again = client.post(url, data={"csrf_token": token, "grounds": "Please."})
    assert again.status_code == 409 and "only once" in again.text
    assert len(published(portal.platform, "application.reconsideration_requested")) == 1
