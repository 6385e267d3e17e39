"""The security console's security, on both run modes: every console route (generated from the
URL map, so a new page without a case here fails) sends a stranger to sign in, answers another
establishment's staff with the 404 page, an officer on a head-only form with 403, and a form
without a valid CSRF token with 400. Staff sign in at the identity provider (the development
one, a real process) with the authorisation code flow and PKCE; the session is held on the
server: sessions expire, sign-out ends it for every copy of the cookie, an account removed at
the provider is out at the next request, and the service layer's errors come back as an error
summary, never a 500."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import url_for
from sqlalchemy import select, update

from access.models import ConsoleSession
from shared import audit
from tests.support.access_harness import Access
from tests.support.clock import now
from tests.support.identity import (
    CONSOLE_ENV,
    PROVIDER,
    TEST_PASSWORD,
    from_address,
    sign_in,
)

# Users at the identity provider: username -> (roles, establishments).
ACCOUNTS = {"officer": (["security_officer"], ["WWI"]), "head": (["head_of_security"], ["WWI"]),
            "other": (["security_officer"], ["BMI"]), "vetter": (["vetting_officer"], [])}
FORM = {"reason": "A good reason.", "review_on": "2099-01-01", "access_type": "ESCORTED",
        "establishment": "WWI", "badge": "NO-SUCH-BADGE", "security_briefing": "yes",
        "outcome": "DISMISS"}


@dataclass(frozen=True)
class Case:
    endpoint: str
    method: str
    public: bool = False
    scoped: bool = False  # another establishment's staff get the 404 page
    head_only: bool = False


CASES = [
    Case("console.static", "GET", public=True), Case("console.login", "GET", public=True),
    Case("console.login_start", "GET", public=True),
    Case("console.auth_callback", "GET", public=True), Case("console.logout", "POST"),
    Case("console.home", "GET"), Case("console.queue", "GET", scoped=True),
    Case("console.grant", "GET", scoped=True), Case("console.person", "GET", scoped=True),
    Case("console.gate_check", "GET"), Case("console.gate_check", "POST", scoped=True),
    Case("console.not_found", "GET"), Case("console.not_found", "POST"),
    *(Case(f"console.{name}", "POST", scoped=True)
      for name in ("approve", "refuse", "induction", "suspend", "reinstate", "end")),
    Case("console.exclude", "POST", scoped=True, head_only=True),
    Case("console.revoke", "POST", scoped=True, head_only=True),
    Case("console.resolve_review_item", "POST", scoped=True),
]


class Console:
    def __init__(self, env: dict[str, str], **extra: str) -> None:
        self.access = Access({**env, **CONSOLE_ENV}, **extra)
        self.app = self.access.app
        for username, (roles, codes) in ACCOUNTS.items():
            PROVIDER.add_user(username, username.title(), roles, codes)
        data = self.access.grant_clearance()
        self.person_id, self.grant_id = data["person_id"], self.access.grant_id(data["person_id"])
        # News naming someone else for the person: held in a review item.
        self.access.grant_clearance(person_id=self.person_id, surname="Someone-Else")
        [item] = self.access.call("GET", "/establishments/WWI/review-items").json
        self.item_id = item["id"]

    def login(self, who: str, password: str = TEST_PASSWORD,
              start: str = "/console/login/start"):  # type: ignore[no-untyped-def]
        client = self.app.test_client()
        # From an address of its own: this test's wrong passwords never slow another's down.
        return client, sign_in(client, who, password, start, from_address())

    def signed_in(self, who: str):  # type: ignore[no-untyped-def]
        client, response = self.login(who)
        assert response.status_code == 302, response.text
        return client

    def sessions(self, subject: str) -> list[ConsoleSession]:
        with self.access.platform.session_factory() as session:
            return list(session.execute(select(ConsoleSession).where(
                ConsoleSession.subject == subject)).scalars())

    def age_sessions(self, subject: str, **changes: object) -> None:
        with self.access.platform.session_factory() as session:
            session.execute(update(ConsoleSession).where(ConsoleSession.subject == subject)
                            .values(**changes))
            session.commit()

    def url(self, case: Case) -> str:
        rule = next(rule for rule in self.app.url_map.iter_rules()
                    if rule.endpoint == case.endpoint and case.method in rule.methods)
        values = {"grant_id": self.grant_id, "person_id": self.person_id, "item_id": self.item_id,
                  "filename": "console.css", "anything": "no-such-page"}
        with self.app.test_request_context():
            extra = {"establishment": "WWI"} if case.endpoint == "console.queue" else {}
            return url_for(case.endpoint, **{k: values[k] for k in rule.arguments}, **extra)

    def send(self, client, case: Case, csrf: str | None = None):  # type: ignore[no-untyped-def]
        if case.method == "GET":
            return client.get(self.url(case))
        return client.post(self.url(case), data={**FORM, **({"csrf_token": csrf} if csrf
                                                               else {})})

    def audit(self, action: str) -> list[dict]:
        with self.access.platform.session_factory() as session:
            return [entry for entry in audit.entries(session, subject_type="staff", limit=500)
                    if entry["action"] == action]


def token_in(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def csrf(client) -> str:  # type: ignore[no-untyped-def]
    return token_in(client.get("/console/gate").text)


@pytest.fixture
def console(backend_env):  # type: ignore[no-untyped-def]
    harness = Console(backend_env["access"])
    yield harness
    harness.access.platform.engine.dispose()


def check_all(cases, check) -> None:  # type: ignore[no-untyped-def]
    """Run `check` on each case; report every route that fails, not just the first."""
    failures = [f"{case.method} {case.endpoint}: {problem}" for case in cases
                if (problem := check(case))]
    assert not failures, "\n".join(failures)


def unlike(response, statuses, *, text: str = "", to: str = "") -> str | None:  # type: ignore[no-untyped-def]
    """None if the response is as expected; else what it was."""
    where = response.headers.get("Location", "")
    if response.status_code in statuses and text in response.text and where.startswith(to):
        return None
    return f"{response.status_code} {where}"


def test_every_console_route_has_a_case(embedded):
    app = Access(embedded["access"]).app
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith("console.")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == {(case.endpoint, case.method) for case in CASES}


def test_without_signing_in_every_page_and_form_goes_to_sign_in(console):
    client = console.app.test_client()
    check_all([case for case in CASES if not case.public], lambda case: unlike(
        console.send(client, case), {302}, to="/console/login"))


def test_another_establishments_staff_get_the_404_page(console):
    client = console.signed_in("other")
    token = csrf(client)
    check_all([case for case in CASES if case.scoped], lambda case: unlike(
        console.send(client, case, token), {404}, text="Page not found"))
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
    check_all(head_only, lambda case: unlike(  # ...and the server refuses it anyway
        console.send(client, case, token), {403}, text="There is a problem"))
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

    check_all([case for case in CASES if case.method == "POST"], lambda case: "; ".join(
        f"{name} token: {problem}" for name, token in tokens.items() if (problem := unlike(
            console.send(client, case, token), {400}, text="could not be sent"))))
    assert console.access.grant(console.grant_id)["status"] == "PENDING_REVIEW"


def test_every_page_and_form_works_for_its_own_team(console):
    client = console.signed_in("head")
    token = csrf(client)
    allowed = {"GET": {200, 302}, "POST": {200, 302, 409, 422}}
    check_all([case for case in CASES if not case.public and case.endpoint != "console.logout"],
              lambda case: unlike(console.send(client, case, token), {404} if case.endpoint
                                  == "console.not_found" else allowed[case.method]))
    assert console.send(client, Case("console.logout", "POST"), token).status_code == 302
    assert client.get("/console/queue").status_code == 302  # signed out


def test_sign_in_rotates_the_session_and_sets_safe_cookie_flags(console):
    client = console.app.test_client()
    client.get("/console/login")
    planted = client.get_cookie("access_console", path="/console")
    response = sign_in(client, "officer", TEST_PASSWORD,
                       "/console/login/start?next=https://evil.example/console/queue",
                       from_address())
    assert response.headers["Location"] == "/console/queue"  # never off-site
    cookie = response.headers["Set-Cookie"]
    for flag in ("HttpOnly", "SameSite=Lax", "Secure", "Path=/console"):
        assert flag in cookie
    page = client.get("/console/queue")
    assert page.status_code == 200 and "O&#39;Neill" in page.text and "Officer" in page.text
    for name, value in {"X-Frame-Options": "DENY", "Cache-Control": "no-store"}.items():
        assert page.headers[name] == value
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert planted is None or planted.value != client.get_cookie(
        "access_console", path="/console/").value
    [row] = console.sessions("officer")
    # Only a hash of the cookie's token is kept, and the provider's tokens are encrypted.
    assert len(row.token_hash) == 64 and row.token_hash not in cookie
    assert console.audit("staff.login_succeeded")[0]["subject_id"] == "officer"
    # The JSON API is untouched: bearer tokens, no CSRF token, JSON errors.
    assert console.access.call("GET", f"/grants/{console.grant_id}").status_code == 200
    assert console.access.decide(console.grant_id, "refusal", {"reason": "No."})


def test_a_wrong_password_at_the_provider_opens_nothing(console):
    client, response = console.login("officer", "wrong password")
    assert response.status_code == 401 and "Enter a correct username" in response.text
    assert client.get("/console/queue").status_code == 302
    assert console.sessions("officer") == []


def test_staff_without_a_security_role_are_not_let_in(console):
    client, response = console.login("vetter")
    assert response.status_code == 403 and "does not give you access" in response.text
    assert client.get("/console/queue").status_code == 302 and console.sessions("vetter") == []
    assert console.audit("staff.login_failed")[0]["outcome"] == audit.DENIED


def test_a_forged_or_replayed_callback_signs_nobody_in(console):
    client = console.app.test_client()
    client.get("/console/login/start")
    forged = client.get("/console/auth/callback?code=made-up&state=made-up")
    assert forged.status_code == 400 and "did not complete" in forged.text
    cancelled = client.get("/console/auth/callback?error=access_denied&state=x")
    assert cancelled.status_code == 400
    assert client.get("/console/queue").status_code == 302


def test_sign_out_ends_the_session_for_every_copy_of_the_cookie(console):
    client = console.signed_in("officer")
    stolen = client.get_cookie("access_console", path="/console").value
    assert client.post("/console/logout", data={"csrf_token": csrf(client)}
                       ).status_code == 302
    assert console.sessions("officer") == []
    replay = console.app.test_client()
    replay.set_cookie("access_console", stolen, path="/console")
    response = replay.get("/console/queue")
    assert response.status_code == 302 and response.headers["Location"].startswith(
        "/console/login")
    assert console.audit("staff.session_ended")[0]["reason"] == "signed_out"


def test_sign_out_also_signs_out_at_a_provider_that_offers_it(console, monkeypatch):
    # The development provider keeps no sign-in of its own; Keycloak and Entra ID do, and
    # publish an end_session_endpoint: the browser is sent there so the next person at a
    # shared terminal must sign in again.
    client = console.signed_in("officer")
    provider = console.app.extensions["console_identity_provider"]
    metadata = dict(provider._metadata())
    metadata["end_session_endpoint"] = "https://idp.example/logout"
    monkeypatch.setattr(provider, "_metadata", lambda: metadata)
    response = client.post("/console/logout", data={"csrf_token": csrf(client)})
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert (target.scheme, target.netloc, target.path) == ("https", "idp.example", "/logout")
    query = parse_qs(target.query)
    assert query["client_id"] == [provider.client.client_id]
    assert query["post_logout_redirect_uri"][0].endswith("/console/login")
    assert console.sessions("officer") == []


@pytest.mark.parametrize("column, back, message", [
    ("seen_at", 31 * 60, "after 30 minutes without activity"),
    ("created_at", 12 * 3600 + 1, "after 12 hours")])
def test_an_expired_session_goes_to_sign_in_with_a_message(console, column, back, message):
    client = console.signed_in("officer")
    console.age_sessions("officer", **{column: now() - timedelta(seconds=back)})
    response = client.get(f"/console/grants/{console.grant_id}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/console/login?next=/console/grants/")
    assert message in client.get(response.headers["Location"]).text
    assert client.get("/console/queue").status_code == 302 and console.sessions("officer") == []
    assert console.audit("staff.session_ended")[0]["reason"] in ("idle", "expired")


def test_the_idle_timeout_is_configurable(backend_env):
    console = Console(backend_env["access"], ACCESS_CONSOLE_IDLE_MINUTES="5",
                      ACCESS_CONSOLE_SECURE_COOKIE="0")
    client = console.signed_in("officer")
    console.age_sessions("officer", seen_at=now() - timedelta(minutes=6))
    assert client.get("/console/queue").status_code == 302
    _client, response = console.login("officer")
    assert "Secure" not in response.headers["Set-Cookie"]
    console.access.platform.engine.dispose()


def test_an_account_removed_at_the_provider_is_out_at_the_next_request(console):
    PROVIDER.add_user("leaver", "Lee Leaver", ["security_officer"], ["WWI"])
    client = console.signed_in("leaver")
    assert client.get("/console/queue").status_code == 200
    PROVIDER.remove_user("leaver")
    response = client.get("/console/queue")
    assert response.status_code == 302 and response.headers["Location"].startswith(
        "/console/login")
    assert "You have been signed out" in client.get(response.headers["Location"]).text
    assert console.sessions("leaver") == []
    assert console.audit("staff.session_ended")[0]["reason"] == "revoked"
    assert console.login("leaver")[1].status_code == 401  # and cannot sign in again


def test_an_expired_access_token_is_refreshed_as_the_provider_allows(console):
    client = console.signed_in("officer")
    [before] = console.sessions("officer")
    console.age_sessions("officer", access_expires_at=now() - timedelta(seconds=1))
    assert client.get("/console/queue").status_code == 200
    [after] = console.sessions("officer")
    assert after.access_token != before.access_token and after.access_expires_at > now()
    assert after.refresh_token != before.refresh_token  # the provider rotates them


def test_service_errors_come_back_as_an_error_summary(console):
    client = console.signed_in("officer")
    token, url = csrf(client), f"/console/grants/{console.grant_id}"
    response = client.post(f"{url}/approve", data={
        "csrf_token": token, "access_type": "KEY_HOLDING", "valid_until": "2099-01-01",
        "permitted_days": ["TUE"], "permitted_areas": "Chapel"})
    assert response.status_code == 422
    assert "There is a problem" in response.text and 'href="#approve-access_type"' in response.text
    assert 'href="#approve-valid_until"' in response.text and "Chapel" in response.text
    assert client.post(f"{url}/refuse", data={"csrf_token": token}).status_code == 422
    assert client.post(f"{url}/refuse", data={"csrf_token": token, "reason": "No."}
                       ).status_code == 302
    again = client.post(f"{url}/refuse", data={"csrf_token": token, "reason": "No."})
    assert again.status_code == 409 and "Cannot refuse a grant that is REFUSED" in again.text


def test_approve_induct_and_check_at_the_gate(console):
    client = console.signed_in("officer")
    token, url = csrf(client), f"/console/grants/{console.grant_id}"
    assert client.post(f"{url}/approve", data={
        "csrf_token": token, "access_type": "UNESCORTED", "permitted_areas": "Chapel\n\nGym",
        "conditions": "Escort to chapel"}).status_code == 302
    assert client.post(f"{url}/induction", data={
        "csrf_token": token, "security_briefing": "yes", "badge_number": "WWI-7"}
    ).status_code == 302
    grant = console.access.grant(console.grant_id)
    assert grant["status"] == "ACTIVE" and grant["permitted_areas"] == ["Chapel", "Gym"]
    assert grant["valid_until"] == grant["clearance"]["expires_at"]  # its default
    page = client.get(url).text
    assert "Induction recorded" in page and "Activated" in page
    result = client.post("/console/gate", data={"csrf_token": token, "badge": "WWI-7"}).text
    assert "ALLOWED" in result and "NOT ALLOWED" not in result and "Escort to chapel" in result
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
    kept = officer.post(action, data={"outcome": "DISMISS", "reason": "Not ours",
                                      "csrf_token": token})
    assert kept.status_code == 302
    assert "Someone-Else" not in officer.get("/console/queue?establishment=WWI").text
    assert console.access.grant(console.grant_id)["surname"] == "O'Neill"
    head = console.signed_in("head")
    again = head.post(action, data={"outcome": "ACCEPT", "reason": "x", "csrf_token": csrf(head)})
    assert again.status_code == 409
