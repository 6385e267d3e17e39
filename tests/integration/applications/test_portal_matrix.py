"""The portal's security, on both run modes: every portal route (generated from the URL map, so
a new page without a rule here fails) sends a stranger to sign in; a coordinator gets every
organisation page but the admin's (403), an admin gets them all; another organisation's people
get 404 for every page of the first organisation's applications, members and keys; the
volunteer's pages open only with a volunteer's session (401), and a volunteer's session opens no
coordinator's page; a form without a valid CSRF token gets 400."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from applications.models import ApiKey, PortalMember
from tests.support.applications_api import deliver
from tests.support.clock import now
from tests.support.door_matrix import check_all, door_routes, unlike
from tests.support.portal_harness import Portal
from tests.support.workbench_harness import token_in


@dataclass(frozen=True)
class Route:
    endpoint: str
    method: str
    # public: signing in; open: the volunteer's (their own check); member: any member of the
    # organisation; admin: its admins only; anyone: signed in, with or without an organisation
    kind: str = "member"
    # Names one of organisation A's applications, members or keys: B's people get 404.
    scoped: bool = False


def both(endpoint: str, **rule: Any) -> list[Route]:
    return [Route(endpoint, "GET", **rule), Route(endpoint, "POST", **rule)]


ROUTES = [
    Route("portal.login", "GET", "public"),
    Route("portal.login_start", "GET", "public"),
    Route("portal.auth_callback", "GET", "public"),
    Route("portal.logout", "POST", "anyone"),
    Route("portal.static", "GET", "anyone"),
    Route("portal.home", "GET", "anyone"),
    Route("portal.organisations", "GET", "anyone"),
    Route("portal.choose_organisation", "POST", "anyone"),
    *both("portal.not_found", kind="anyone"),
    # The organisation's applications
    Route("portal.applications", "GET"),
    Route("portal.expiring", "GET"),
    Route("portal.renew", "POST", scoped=True),
    Route("portal.application", "GET", scoped=True),
    *both("portal.answer_request", scoped=True),
    *both("portal.withdraw", scoped=True),
    *both("portal.report_change", scoped=True),
    *both("portal.reconsider", scoped=True),
    *both("portal.draft_start"),
    *both("portal.draft_question", scoped=True),
    *both("portal.check_answers", scoped=True),
    *both("portal.send_volunteer_link", scoped=True),
    # Spreadsheets
    *both("portal.bulk_upload"),
    Route("portal.bulk_template", "GET"),
    Route("portal.bulk_template_xlsx", "GET"),
    Route("portal.bulk_commit", "POST"),
    # The admin's
    Route("portal.members", "GET", "admin"),
    *both("portal.invite_member", kind="admin"),
    *both("portal.remove_member", kind="admin", scoped=True),
    Route("portal.api_keys", "GET", "admin"),
    Route("portal.create_api_key", "POST", "admin"),
    *both("portal.revoke_api_key", kind="admin", scoped=True),
    # The volunteer's
    Route("portal.volunteer_start", "GET", "open"),
    Route("portal.volunteer_enter", "POST", "open"),
    Route("portal.volunteer_home", "GET", "open"),
    Route("portal.volunteer_sign_out", "POST", "open"),
    *both("portal.volunteer_declarations", kind="open"),
    *both("portal.volunteer_connections", kind="open"),
    *both("portal.volunteer_documents", kind="open"),
    *both("portal.volunteer_answer", kind="open"),
]
SIGNED_IN = [route for route in ROUTES if route.kind != "public"]
# What a form posts: enough for most to pass their own validation (or fail it with a 422).
FORM = {"reason": "Moving away.", "grounds": "New evidence.", "channel": "EMAIL"}
ALLOWED = {"GET": {200, 302, 303}, "POST": {200, 302, 303, 400, 409, 410, 422}}


@pytest.fixture
def portal(backend_env: dict[str, dict[str, str]]) -> Iterator[Portal]:
    harness = Portal(backend_env["applications"])
    yield harness
    harness.close()


@pytest.fixture
def values(portal: Portal) -> dict[str, str]:
    """Organisation A's: a submitted application with an open information request, a member
    and an API key, for every page's address."""
    application_id = portal.api.draft()["id"]
    submitted = portal.api.call("POST", f"/applications/{application_id}/submit")
    assert submitted.status_code == 200, submitted.json
    request_id = f"req-{uuid.uuid4().hex[:8]}"
    deliver(
        portal.platform,
        "vetting.info_request_announced",
        case_id=str(uuid.uuid4()),
        application_id=application_id,
        request_id=request_id,
        items=[{"question": "Which group do you attend?", "field": None}],
        due_by=None,
        requested_at=now().isoformat(),
        sensitive=False,
    )
    organisation_a = portal.organisation_ids["A"]
    with portal.platform.session_factory() as db:
        member_id = db.scalars(
            select(PortalMember.id).where(
                PortalMember.organisation_id == organisation_a,
                PortalMember.email == portal.email("coord_a"),
            )
        ).one()
        key_id = db.scalars(
            select(ApiKey.key_id).where(ApiKey.organisation_id == organisation_a)
        ).first()
    return {
        "application_id": application_id,
        "request_id": request_id,
        "member_id": member_id,
        "key_id": str(key_id),
        "organisation_id": organisation_a,
        "step": "prisons",
        "token": "not-a-real-link",
        "anything": "nowhere",
        "filename": "prison-autocomplete.js",
    }


def send(portal: Portal, client: Any, route: Route, values: dict[str, str], token: str | None):
    with portal.app.test_request_context():
        from flask import url_for

        rule = next(r for r in portal.app.url_map.iter_rules() if r.endpoint == route.endpoint)
        url = url_for(route.endpoint, **{name: values[name] for name in rule.arguments})
    if route.method == "GET":
        return client.get(url)
    return client.post(url, data={**FORM, **({"csrf_token": token} if token else {})})


def csrf(client: Any) -> str:
    return token_in(client.get("/portal/organisations").text)


def test_every_portal_route_has_a_rule(portal):
    assert door_routes(portal.app, "portal") == {(r.endpoint, r.method) for r in ROUTES}


def test_without_signing_in_every_page_goes_to_sign_in_and_the_volunteers_need_a_session(
    portal, values
):
    client = portal.app.test_client()

    def check(route: Route) -> str | None:
        answer = send(portal, client, route, values, None)
        if route.kind != "open":
            return unlike(answer, {302}, to="/portal/login")
        if route.endpoint in ("portal.volunteer_start", "portal.volunteer_enter"):
            return unlike(answer, {404, 400})  # no such link (POST: no CSRF token)
        if route.endpoint == "portal.volunteer_sign_out":
            return unlike(answer, {200, 400})  # nothing to sign out of
        return unlike(answer, {401, 400})

    check_all(SIGNED_IN, check)


@pytest.mark.parametrize("who", ["coord_a", "admin_a"])
def test_each_role_gets_what_it_may_do(portal, values, who):
    client = portal.signed_in(who)
    token = csrf(client)

    def check(route: Route) -> str | None:
        answer = send(portal, client, route, values, token)
        if route.endpoint == "portal.volunteer_sign_out":
            return unlike(answer, {200})  # nothing to sign out of
        if route.kind == "open":
            # A coordinator is not the volunteer: the link's pages need the volunteer's session.
            return unlike(answer, {401, 404, 410})
        if route.endpoint == "portal.not_found":
            return unlike(answer, {404})
        if route.kind == "admin" and who == "coord_a":
            return unlike(answer, {403})
        return unlike(answer, ALLOWED[route.method])

    check_all([r for r in SIGNED_IN if r.endpoint != "portal.logout"], check)
    logout = send(portal, client, Route("portal.logout", "POST"), values, token)
    assert logout.status_code == 302
    assert client.get("/portal/applications").status_code == 302  # signed out


@pytest.mark.parametrize("who", ["coord_b", "admin_b"])
def test_another_organisations_people_get_404_for_every_page_of_the_first(portal, values, who):
    client = portal.signed_in(who)
    token = csrf(client)
    check_all(
        [r for r in SIGNED_IN if r.scoped],
        lambda route: unlike(send(portal, client, route, values, token), {404}),
    )


def test_every_form_needs_a_valid_csrf_token(portal, values):
    client = portal.signed_in("admin_a")
    stranger = portal.signed_in("coord_a")  # a real token, but of another session
    tokens = {"missing": None, "forged": "not-a-token", "another session's": csrf(stranger)}
    check_all(
        [r for r in SIGNED_IN if r.method == "POST"],
        lambda route: "; ".join(
            f"{name} token: {problem}"
            for name, token in tokens.items()
            if (problem := unlike(send(portal, client, route, values, token), {400}))
        ),
    )


def test_a_volunteers_session_opens_no_coordinators_page(portal, values):
    from tests.support.applications_api import published

    coordinator = portal.signed_in("coord_a")
    draft = portal.api.draft()["id"]
    path = f"/portal/applications/{draft}/volunteer-link"
    sent = coordinator.post(path, data={"csrf_token": csrf(coordinator), "channel": "EMAIL"})
    assert sent.status_code == 302, sent.text
    link = str(published(portal.platform, "application.volunteer_link_sent")[-1]["link"])
    volunteer = portal.app.test_client()
    start = volunteer.get(f"/portal/volunteer/{link.rsplit('/', 1)[1]}")
    entered = volunteer.post(start.request.path, data={"csrf_token": token_in(start.text)})
    assert entered.status_code == 302 and volunteer.get("/portal/volunteer").status_code == 200
    check_all(
        [r for r in SIGNED_IN if r.kind not in ("open", "anyone") and r.method == "GET"],
        lambda route: unlike(
            send(portal, volunteer, route, values, None), {302}, to="/portal/login"
        ),
    )
