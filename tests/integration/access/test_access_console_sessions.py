"""Signing in to the security console and its session, on both run modes: staff sign in at the
identity provider (the development one, a real process) with the authorisation code flow and
PKCE; the session is held on the server: sessions expire, sign-out ends it for every copy of
the cookie (and at a provider that keeps its own sign-in), an account removed at the provider
is out at the next request, and the provider's tokens are refreshed as it allows."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from shared.audit import log as audit
from tests.support.clock import now
from tests.support.console_harness import Console, csrf
from tests.support.identity import PROVIDER, TEST_PASSWORD, from_address, sign_in


def test_sign_in_rotates_the_session_and_sets_safe_cookie_flags(console):
    client = console.app.test_client()
    client.get("/console/login")
    planted = client.get_cookie("access_console", path="/console")
    response = sign_in(
        client,
        "officer",
        TEST_PASSWORD,
        "/console/login/start?next=https://evil.example/console/queue",
        from_address(),
    )
    assert response.headers["Location"] == "/console/queue"  # never off-site
    cookie = response.headers["Set-Cookie"]
    for flag in ("HttpOnly", "SameSite=Lax", "Secure", "Path=/console"):
        assert flag in cookie
    page = client.get("/console/queue")
    assert page.status_code == 200 and "O&#39;Neill" in page.text and "Officer" in page.text
    for name, value in {"X-Frame-Options": "DENY", "Cache-Control": "no-store"}.items():
        assert page.headers[name] == value
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert (
        planted is None
        or planted.value != client.get_cookie("access_console", path="/console/").value
    )
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
    assert client.post("/console/logout", data={"csrf_token": csrf(client)}).status_code == 302
    assert console.sessions("officer") == []
    replay = console.app.test_client()
    replay.set_cookie("access_console", stolen, path="/console")
    response = replay.get("/console/queue")
    assert response.status_code == 302 and response.headers["Location"].startswith("/console/login")
    assert console.audit("staff.session_ended")[0]["reason"] == "signed_out"


def test_sign_out_also_signs_out_at_a_provider_that_offers_it(console, monkeypatch):
    # The development provider keeps no sign-in of its own; Keycloak and Entra ID do, and
    # publish an end_session_endpoint: the browser is sent there so the next person at a
    # shared terminal must sign in again.
    client = console.signed_in("officer")
    provider = console.app.extensions["frontdoor"].provider
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


@pytest.mark.parametrize(
    "column, back, message",
    [
        ("seen_at", 31 * 60, "after 30 minutes without activity"),
        ("created_at", 12 * 3600 + 1, "after 12 hours"),
    ],
)
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
    console = Console(
        backend_env["access"], ACCESS_CONSOLE_IDLE_MINUTES="5", ACCESS_CONSOLE_SECURE_COOKIE="0"
    )
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
    assert response.status_code == 302 and response.headers["Location"].startswith("/console/login")
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
