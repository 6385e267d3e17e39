"""shared.frontdoor's mechanics, on both run modes, through a made-up door ("testdoor") in the
vetting service's app: sign-in at the development identity provider (a real process), the
session row and its limits, the re-check at the provider, CSRF, the security headers and CSP
nonce, the GOV.UK layout, the forms' error summary, and the GOV.UK Frontend assets."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest
from flask import render_template_string, request
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from sqlalchemy import select, update
from wtforms import StringField, SubmitField
from wtforms.validators import InputRequired

from shared.audit import log as audit
from shared.frontdoor import FrontDoor, signed_in
from shared.frontdoor.sessions import staff_sessions_table as SESSIONS
from shared.web.app import create_web_app
from tests.support.clock import now
from tests.support.identity import PROVIDER, TEST_PASSWORD, from_address, sign_in
from tests.support.platforms import platform_for

CLIENT, SECRET = "frontdoor-test", "frontdoor-test-secret-only"
START = "/testdoor/login/start"
DASH = "\N{EN DASH}"  # in page titles

door = FrontDoor(
    name="testdoor",
    service="vetting",
    title="Test door",
    home="testdoor.home",
    may_enter=lambda identity: identity.has_role("vetting_officer"),
    refused="Your account does not give you access to the test door.",
    env_prefix="VETTING_TESTDOOR",
    import_name=__name__,
    template_folder=None,
    navigation=(("Home", "testdoor.home"), ("Name", "testdoor.name")),
)


class NameForm(FlaskForm):
    name = StringField("Name", widget=GovTextInput(), validators=[InputRequired("Enter a name")])
    submit = SubmitField("Save", widget=GovSubmitInput())


PAGE = """{% extends "frontdoor/layout.html" %}
{% from "frontdoor/forms.html" import error_summary %}
{% block page_title %}{{ heading }}{% endblock %}
{% block content %}{% if form %}{{ error_summary(form) }}{% endif %}
<h1 class="govuk-heading-l">{{ heading }}</h1><p class="govuk-body">{{ who.display_name }}
{{ who.roles | join(",") }}</p>
{% if form %}<form method="post" novalidate>{{ form.csrf_token }}
{{ form.name(params={"label": {"text": "Name"}}) }}{{ form.submit }}</form>{% endif %}
{% endblock %}"""


@door.blueprint.get("/")
def home():
    return _page("Home")


@door.blueprint.route("/name", methods=["GET", "POST"])
def name():
    form = NameForm()
    if form.validate_on_submit():
        return "saved"
    return _page("Your name", form), 422 if request.method == "POST" else 200


def _page(heading: str, form: NameForm | None = None) -> str:
    return render_template_string(PAGE, heading=heading, who=signed_in(), form=form)


@pytest.fixture(scope="module", autouse=True)
def _client_at_the_provider():
    PROVIDER.add_client(
        CLIENT,
        secret=SECRET,
        audiences=["vetting"],
        grant_types=["authorization_code", "refresh_token"],
        redirect_uris=["http://localhost/testdoor/auth/callback"],
    )
    PROVIDER.add_user("ofelia", "Ofelia Officer", ["vetting_officer"])
    PROVIDER.add_user("sam", "Sam Security", ["security_officer"], ["WWI"])


@pytest.fixture
def app(backend_env):
    env = {
        **backend_env["vetting"],
        "VETTING_TESTDOOR_OIDC_CLIENT_ID": CLIENT,
        "VETTING_TESTDOOR_OIDC_CLIENT_SECRET": SECRET,
        "VETTING_TESTDOOR_SESSION_CHECK_S": "0",
        "VETTING_TESTDOOR_IDLE_MINUTES": "20",
    }
    platform = platform_for("vetting", env)
    definition = __import__("vetting.service", fromlist=["definition"]).definition()
    app = create_web_app(replace(definition, configure_app=door.configure), platform)
    yield app
    platform.engine.dispose()


def _signed_in(app, who: str = "ofelia"):
    client = app.test_client()
    response = sign_in(client, who, TEST_PASSWORD, START, from_address())
    assert response.status_code == 302, response.text
    return client


def _rows(app, subject: str):
    with app.extensions["platform"].session_factory() as db:
        return list(db.execute(select(SESSIONS).where(SESSIONS.c.subject == subject)))


def _age(app, subject: str, **changes):
    with app.extensions["platform"].session_factory() as db:
        db.execute(update(SESSIONS).where(SESSIONS.c.subject == subject).values(**changes))
        db.commit()


def _audit(app, action: str) -> list[dict]:
    with app.extensions["platform"].session_factory() as db:
        entries = audit.entries(db, subject_type="staff", limit=500)
    return [entry for entry in entries if entry["action"] == action]


def test_signing_in_opens_a_session_row_for_this_door_and_a_govuk_page(app):
    client = app.test_client()
    assert client.get("/testdoor/").headers["Location"].startswith("/testdoor/login")
    login = client.get("/testdoor/login")
    assert login.status_code == 200 and "Sign in with your staff account" in login.text
    response = sign_in(
        client, "ofelia", TEST_PASSWORD, f"{START}?next=/testdoor/name", from_address()
    )
    assert response.headers["Location"] == "/testdoor/name"
    cookie = response.headers["Set-Cookie"]
    for flag in ("vetting_testdoor=", "HttpOnly", "SameSite=Lax", "Secure", "Path=/testdoor"):
        assert flag in cookie
    [row] = _rows(app, "ofelia")
    assert row.door == "testdoor" and row.display_name == "Ofelia Officer"
    assert [entry["service"] for entry in _audit(app, "staff.login_succeeded")] == ["vetting"]

    page = client.get("/testdoor/")
    assert page.status_code == 200
    html = page.text
    assert f"<title>Home {DASH} Test door {DASH} GOV.UK</title>" in html
    assert 'class="govuk-template"' in html and "govuk-header" in html
    assert "Ofelia Officer" in html and "vetting_officer" in html
    # The current page is marked in the service navigation; "Sign out" is a POST with CSRF.
    assert re.search(r'href="/testdoor/"\s+aria-current="page"', html)
    assert re.search(r'<form method="post" action="/testdoor/logout"[^>]*>\s*<input[^>]+csrf', html)
    # Every inline script runs by this response's nonce, and nothing else does.
    policy = page.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all(f'nonce="{nonce}"' in attributes for attributes in scripts)
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Cache-Control"] == "no-store"
    other = client.get("/testdoor/").headers["Content-Security-Policy"]
    assert other != policy  # a nonce per response


def test_staff_the_door_does_not_let_in_are_refused_and_audited(app):
    client = app.test_client()
    response = sign_in(client, "sam", TEST_PASSWORD, START, from_address())
    assert response.status_code == 403 and "access to the test door" in response.text
    assert f"<title>Error: Sign in {DASH} Test door {DASH} GOV.UK</title>" in response.text
    assert _rows(app, "sam") == []
    [entry] = _audit(app, "staff.login_failed")
    assert entry["outcome"] == audit.DENIED and entry["service"] == "vetting"
    assert client.get("/testdoor/").status_code == 302


def test_a_post_needs_the_csrf_token_and_a_form_shows_the_govuk_error_summary(app):
    client = _signed_in(app)
    assert client.post("/testdoor/name", data={"name": "Ann"}).status_code == 400
    page = client.get("/testdoor/name")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    wrong = client.post("/testdoor/name", data={"name": "", "csrf_token": token})
    assert wrong.status_code == 422
    assert f"<title>Error: Your name {DASH} Test door {DASH} GOV.UK</title>" in wrong.text
    assert "govuk-error-summary" in wrong.text and 'href="#name"' in wrong.text
    assert "Enter a name" in wrong.text and 'id="name"' in wrong.text
    assert client.post("/testdoor/name", data={"name": "Ann", "csrf_token": token}).text == "saved"


@pytest.mark.parametrize(
    "column, back, message",
    [
        ("seen_at", timedelta(minutes=21), "after 20 minutes without activity"),
        ("created_at", timedelta(hours=12, minutes=1), "ended after 12 hours"),
    ],
)
def test_an_idle_or_old_session_ends_with_a_banner_saying_why(app, column, back, message):
    client = _signed_in(app)
    _age(app, "ofelia", **{column: now() - back})
    response = client.get("/testdoor/name")
    assert response.headers["Location"] == "/testdoor/login?next=/testdoor/name"
    assert _rows(app, "ofelia") == []
    login = client.get(response.headers["Location"])
    assert message in login.text and "govuk-notification-banner" in login.text


def test_an_account_removed_at_the_provider_is_out_at_the_next_request(app):
    PROVIDER.add_user("rita", "Rita Removed", ["vetting_officer"])
    client = _signed_in(app, "rita")
    assert client.get("/testdoor/").status_code == 200
    PROVIDER.remove_user("rita")
    _age(app, "rita", access_expires_at=now() - timedelta(seconds=1))
    assert client.get("/testdoor/").status_code == 302
    assert _rows(app, "rita") == []
    assert _audit(app, "staff.session_ended")[-1]["reason"] == "revoked"


def test_signing_out_deletes_the_row_so_a_copied_cookie_opens_nothing(app):
    client = _signed_in(app)
    stolen = client.get_cookie("vetting_testdoor", path="/testdoor").value
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/testdoor/").text)
    answer = client.post("/testdoor/logout", data={"csrf_token": token.group(1)})
    assert answer.status_code == 302 and answer.headers["Location"] == "/testdoor/login"
    assert _rows(app, "ofelia") == []
    replay = app.test_client()
    replay.set_cookie("vetting_testdoor", stolen, path="/testdoor")
    assert replay.get("/testdoor/").status_code == 302


def test_the_sign_in_page_never_sends_the_browser_off_site(app):
    client = _signed_in(app)
    for target in ("https://evil.example/testdoor/", "//evil.example/testdoor/", "/console/"):
        response = client.get("/testdoor/login", query_string={"next": target})
        assert response.headers["Location"] == "/testdoor/"


def test_govuk_frontend_assets_are_served_cacheable_and_nothing_outside_them(app):
    client = app.test_client()
    css = client.get("/assets/govuk-frontend.min.css")
    assert css.status_code == 200 and "govuk-header" in css.text
    assert "public" in css.headers["Cache-Control"]
    js = client.get("/assets/govuk-frontend.min.js")
    assert js.status_code == 200 and "initAll" in js.text
    font = re.search(r"url\((/assets/fonts/[^)]+\.woff2)\)", css.text).group(1)
    assert client.get(font).status_code == 200
    assert client.get("/assets/images/favicon.ico").status_code == 200
    assert client.get("/assets/manifest.json").status_code == 200
    assert client.get("/assets/frontdoor/frontdoor.css").status_code == 200
    for path in (
        "/assets/../package.json",
        "/assets/%2e%2e/%2e%2e/package.json",
        "/assets/..%2f..%2fpackage.json",
        "/assets/fonts/../../../../../package.json",
        "/assets//etc/passwd",
        "/assets/nothing-here.css",
    ):
        assert client.get(path, follow_redirects=True).status_code == 404, path
