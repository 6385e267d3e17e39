"""The workbench's security, on both run modes: every workbench route (generated from the URL
map, so a new page without a rule here fails) sends a stranger to sign in; staff of another
service are refused at sign-in; officers and managers each get what their role allows (a
manager's form is refused to an officer with 403, as the API refuses it); a form without a
valid CSRF token gets 400."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.door_matrix import check_all, door_routes, unlike
from tests.support.workbench_harness import Page, Workbench, csrf

PAGES = [
    Page("workbench.login", "GET", public=True),
    Page("workbench.login_start", "GET", public=True),
    Page("workbench.auth_callback", "GET", public=True),
    Page("workbench.logout", "POST"),
    Page("workbench.static", "GET"),
    Page("workbench.home", "GET"),
    Page("workbench.queue", "GET"),
    Page("workbench.my_cases", "GET"),
    Page("workbench.case", "GET"),
    Page("workbench.take", "POST"),
    Page("workbench.release", "POST"),
    Page("workbench.clearances", "GET"),
    Page("workbench.clearance", "GET"),
    Page("workbench.report", "GET"),
    Page("workbench.report_csv", "GET"),
    Page("workbench.not_found", "GET"),
    Page("workbench.not_found", "POST"),
    # The decision forms: GET draws, POST acts (or asks to confirm); a manager's as the API's.
    *(
        Page(f"workbench.{name}", method)
        for name in (
            "clear",
            "propose_refusal",
            "request_information",
            "record_answer",
            "record_check_result",
            "retry_check",
            "link_identity",
            "separate_identity",
            "review",
            "suspend",
            "reinstate",
        )
        for method in ("GET", "POST")
    ),
    *(
        Page(f"workbench.{name}", method, manager_only=True)
        for name in (
            "countersign_refusal",
            "countersign_clearance",
            "acknowledge_history",
            "revoke",
        )
        for method in ("GET", "POST")
    ),
]


@pytest.fixture
def workbench(backend_env: dict[str, dict[str, str]]) -> Iterator[Workbench]:
    harness = Workbench(backend_env["vetting"])
    yield harness
    harness.platform.engine.dispose()


@pytest.fixture
def values(workbench: Workbench) -> dict[str, str]:
    """A case (with a check, and a sensitive request already answered) and a clearance for
    every page's address."""
    case = workbench.awaiting_decision()
    path = f"/cases/{case['id']}/information-requests"
    asked = workbench.vetting.call(
        "POST",
        path,
        json={"items": [{"question": "Anything?"}], "reason": "To ask.", "sensitive": True},
    )
    assert asked.status_code == 201, asked.json
    answer = {"answers": [{"answer": "Nothing."}]}
    answered = workbench.vetting.call("POST", f"{path}/{asked.json['id']}/answer", json=answer)
    assert answered.status_code == 200, answered.json
    clearance = workbench.cleared()
    return {
        "case_id": case["id"],
        "clearance_id": clearance["id"],
        "request_id": asked.json["id"],
        "check": "identity",
    }


def test_every_workbench_route_has_a_rule(embedded):
    app = Workbench(embedded["vetting"]).app
    routes = door_routes(app, "workbench")
    assert routes == {(page.endpoint, page.method) for page in PAGES}


def test_without_signing_in_every_page_and_form_goes_to_sign_in(workbench, values):
    client = workbench.app.test_client()
    check_all(
        [page for page in PAGES if not page.public],
        lambda page: unlike(workbench.send(client, page, **values), {302}, to="/workbench/login"),
    )


def test_staff_of_another_service_are_refused_at_sign_in(workbench, values):
    client, response = workbench.login("security")
    assert response.status_code == 403
    assert "does not give you access to the vetting workbench" in response.text
    check_all(
        [page for page in PAGES if not page.public],
        lambda page: unlike(workbench.send(client, page, **values), {302}, to="/workbench/login"),
    )


@pytest.mark.parametrize("who", ["officer", "manager"])
def test_each_role_gets_what_it_may_do(workbench, values, who):
    client = workbench.signed_in(who)
    token = csrf(client)
    # A form that acted sends the browser on with 303; one asking to confirm answers 200.
    allowed = {"GET": {200, 302}, "POST": {200, 302, 303, 409, 422}}
    check_all(
        [
            page
            for page in PAGES
            if not page.public and page.endpoint != "workbench.logout" and not page.manager_only
        ],
        lambda page: unlike(
            workbench.send(client, page, token, **values),
            {404} if page.endpoint == "workbench.not_found" else allowed[page.method],
        ),
    )
    manager_only = [page for page in PAGES if page.manager_only]
    check_all(
        manager_only,
        lambda page: unlike(
            workbench.send(client, page, token, **values),
            allowed[page.method] if who == "manager" else {403},
        ),
    )
    assert workbench.send(client, Page("workbench.logout", "POST"), token).status_code == 302
    assert client.get("/workbench/cases").status_code == 302  # signed out


def test_every_form_needs_a_valid_csrf_token(workbench, values):
    client = workbench.signed_in("manager")
    stranger = workbench.signed_in("officer")  # a real token, but of another session
    tokens = {"missing": None, "forged": "not-a-token", "another session's": csrf(stranger)}
    check_all(
        [page for page in PAGES if page.method == "POST"],
        lambda page: "; ".join(
            f"{name} token: {problem}"
            for name, token in tokens.items()
            if (
                problem := unlike(
                    workbench.send(client, page, token, **values), {400}, text="could not be sent"
                )
            )
        ),
    )
    assert workbench.status(values["case_id"]) == "AWAITING_DECISION"
