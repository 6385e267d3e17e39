"""The security console's security, on both run modes: every console route (generated from the
URL map, so a new page without a case here fails) sends a stranger to sign in, answers another
establishment's staff with the 404 page, an officer on a head-only form with 403, and a form
without a valid CSRF token with 400; the service layer's errors come back as an error summary,
never a 500. Signing in and the session: test_access_console_sessions.py."""

from __future__ import annotations

import re

from tests.support.access_harness import Access
from tests.support.console_harness import Case, csrf
from tests.support.door_matrix import check_all, door_routes, unlike

CASES = [
    Case("console.login", "GET", public=True),
    Case("console.login_start", "GET", public=True),
    Case("console.auth_callback", "GET", public=True),
    Case("console.logout", "POST"),
    Case("console.home", "GET"),
    Case("console.queue", "GET", scoped=True),
    Case("console.grant", "GET", scoped=True),
    Case("console.person", "GET", scoped=True),
    Case("console.gate_check", "GET"),
    Case("console.gate_check", "POST", scoped=True),
    Case("console.not_found", "GET"),
    Case("console.not_found", "POST"),
    *(
        Case(f"console.{name}", "POST", scoped=True)
        for name in ("approve", "refuse", "induction", "suspend", "reinstate", "end")
    ),
    Case("console.exclude", "POST", scoped=True, head_only=True),
    Case("console.revoke", "POST", scoped=True, head_only=True),
    Case("console.resolve_review_item", "POST", scoped=True),
    Case("console.sign_in", "POST", scoped=True),
    Case("console.sign_out", "POST", scoped=True),
    Case("console.on_site", "GET", scoped=True),
    Case("console.on_site_roll", "GET", scoped=True),
    Case("console.find", "GET", scoped=True),
    Case("console.holders", "GET", scoped=True),
    Case("console.holders_csv", "GET", scoped=True),
    Case("console.grant_photo", "GET", scoped=True),
    Case("console.grant_photo_upload", "POST", scoped=True),
]


def test_every_console_route_has_a_case(embedded):
    app = Access(embedded["access"]).app
    routes = door_routes(app, "console")
    assert routes == {(case.endpoint, case.method) for case in CASES}


def test_without_signing_in_every_page_and_form_goes_to_sign_in(console):
    client = console.app.test_client()
    check_all(
        [case for case in CASES if not case.public],
        lambda case: unlike(console.send(client, case), {302}, to="/console/login"),
    )


def test_another_establishments_staff_get_the_404_page(console):
    client = console.signed_in("other")
    token = csrf(client)
    check_all(
        [case for case in CASES if case.scoped],
        lambda case: unlike(console.send(client, case, token), {404}, text="Page not found"),
    )
    assert console.access.grant(console.grant_id)["status"] == "PENDING_REVIEW"


def test_an_officer_gets_403_on_head_only_forms_and_sees_none(console):
    client = console.signed_in("officer")
    token = csrf(client)
    console.access.activate(console.grant_id)  # a state in which both may be done
    page = client.get(f"/console/grants/{console.grant_id}").text
    assert 'action="/console/grants/' + console.grant_id + '/suspend"' in page
    head_only = [case for case in CASES if case.head_only]
    for case in head_only:
        assert console.url(case) not in page  # the form is not offered...
    check_all(
        head_only,
        lambda case: unlike(  # ...and the server refuses it anyway
            console.send(client, case, token), {403}, text="There is a problem"
        ),
    )
    assert console.access.grant(console.grant_id)["status"] == "ACTIVE"
    head = console.signed_in("head")
    assert console.url(head_only[0]) in head.get(f"/console/grants/{console.grant_id}").text
    response = console.send(head, head_only[-1], csrf(head))
    assert response.status_code == 302
    assert console.access.grant(console.grant_id)["status"] == "REVOKED"


def test_every_form_needs_a_valid_csrf_token(console):
    client = console.signed_in("head")
    stranger = console.signed_in("officer")  # a real token, but of another session
    tokens = {"missing": None, "forged": "not-a-token", "another session's": csrf(stranger)}

    check_all(
        [case for case in CASES if case.method == "POST"],
        lambda case: "; ".join(
            f"{name} token: {problem}"
            for name, token in tokens.items()
            if (
                problem := unlike(
                    console.send(client, case, token), {400}, text="could not be sent"
                )
            )
        ),
    )
    assert console.access.grant(console.grant_id)["status"] == "PENDING_REVIEW"


def test_every_page_and_form_works_for_its_own_team(console):
    client = console.signed_in("head")
    token = csrf(client)
    allowed = {"GET": {200, 302}, "POST": {200, 302, 409, 422}}
    check_all(
        [case for case in CASES if not case.public and case.endpoint != "console.logout"],
        lambda case: unlike(
            console.send(client, case, token),
            {404} if case.endpoint == "console.not_found" else allowed[case.method],
        ),
    )
    assert console.send(client, Case("console.logout", "POST"), token).status_code == 302
    assert client.get("/console/queue").status_code == 302  # signed out


def test_service_errors_come_back_as_an_error_summary(console):
    client = console.signed_in("officer")
    token, url = csrf(client), f"/console/grants/{console.grant_id}"
    response = client.post(
        f"{url}/approve",
        data={
            "csrf_token": token,
            "access_type": "KEY_HOLDING",
            "valid_until": "2099-01-01",
            "permitted_days": ["TUE"],
            "permitted_areas": "Chapel",
        },
    )
    assert response.status_code == 422
    assert "There is a problem" in response.text and 'href="#approve-access_type"' in response.text
    assert 'href="#approve-valid_until"' in response.text and "Chapel" in response.text
    assert client.post(f"{url}/refuse", data={"csrf_token": token}).status_code == 422
    assert (
        client.post(f"{url}/refuse", data={"csrf_token": token, "reason": "No."}).status_code == 302
    )
    again = client.post(f"{url}/refuse", data={"csrf_token": token, "reason": "No."})
    assert again.status_code == 409 and "Cannot refuse a grant that is REFUSED" in again.text


def test_approve_induct_and_check_at_the_gate(console):
    client = console.signed_in("officer")
    token, url = csrf(client), f"/console/grants/{console.grant_id}"
    assert (
        client.post(
            f"{url}/approve",
            data={
                "csrf_token": token,
                "access_type": "UNESCORTED",
                "permitted_areas": "Chapel\n\nGym",
                "conditions": "Escort to chapel",
            },
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"{url}/induction",
            data={"csrf_token": token, "security_briefing": "yes", "badge_number": "WWI-7"},
        ).status_code
        == 302
    )
    grant = console.access.grant(console.grant_id)
    assert grant["status"] == "ACTIVE" and grant["permitted_areas"] == ["Chapel", "Gym"]
    assert grant["valid_until"] == grant["clearance"]["expires_at"]  # its default
    page = client.get(url).text
    assert "Induction recorded" in page and "Activated" in page
    result = client.post("/console/gate", data={"csrf_token": token, "badge": "WWI-7"}).text
    assert "ALLOWED" in result and "NOT ALLOWED" not in result and "Escort to chapel" in result
    # Neither a badge nor a person: GOV.UK's error summary, linked to the field, marked too.
    wrong = client.post("/console/gate", data={"csrf_token": token, "badge": "", "person_id": ""})
    assert wrong.status_code == 422 and "<title>Error: Gate check" in wrong.text
    assert 'href="#gate-badge"' in wrong.text and 'id="gate-badge-error"' in wrong.text
    assert re.search(r'class="govuk-input[^"]*govuk-input--error[^"]*" id="gate-badge"', wrong.text)
    assert "Nothing is waiting for review" in client.get("/console/queue").text
    console.access.grant_clearance(person_id=console.person_id)  # a renewal: same terms again?
    assert "Renewal" in client.get("/console/queue").text
    page = client.get(url).text
    assert "Review the renewal" in page and ">Chapel\nGym</textarea>" in page


def test_news_held_for_review_is_on_the_queue_and_answered_there(console):
    officer = console.signed_in("officer")
    page = officer.get("/console/queue?establishment=WWI").text
    assert "News held for review" in page and "Someone-Else" in page
    assert 'value="DISMISS"' in page and 'value="ACCEPT"' not in page  # accepting: heads only
    action = f"/console/review-items/{console.item_id}/resolution"
    token = csrf(officer)
    refused = officer.post(action, data={"outcome": "ACCEPT", "reason": "x", "csrf_token": token})
    assert refused.status_code == 403 and "There is a problem" in refused.text
    blank = officer.post(action, data={"outcome": "DISMISS", "reason": " ", "csrf_token": token})
    assert blank.status_code == 422 and "Enter the reason." in blank.text
    kept = officer.post(
        action, data={"outcome": "DISMISS", "reason": "Not ours", "csrf_token": token}
    )
    assert kept.status_code == 302
    assert "Someone-Else" not in officer.get("/console/queue?establishment=WWI").text
    assert console.access.grant(console.grant_id)["surname"] == "O'Neill"
    head = console.signed_in("head")
    again = head.post(action, data={"outcome": "ACCEPT", "reason": "x", "csrf_token": csrf(head)})
    assert again.status_code == 409
