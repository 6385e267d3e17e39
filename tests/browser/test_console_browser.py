"""The security console in a real browser against the real web process and the development
identity provider (a real process): an officer signs in at the provider (authorisation code
with PKCE), finds the request in the queue, approves it, records the induction and checks the
badge at the gate, and signs out, after which a copy of the old cookie opens nothing; another
establishment's officer gets the 404 page for that grant; the queue works at a tablet's width;
the sign-in pages pass axe-core; and 30 wrong passwords from one address get 429s while the
real user signs in from another. Screenshots of each step are kept (CONSOLE_SCREENSHOTS=dir to
keep them somewhere of your choosing)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.support.console_server import OFFICERS, ConsoleServer
from tests.support.identity import PROVIDER, TEST_PASSWORD, from_address

try:  # Assertions that wait for the page (a click starts a navigation; it does not await it).
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips, or fails, saying so
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.real_backends, pytest.mark.slow]

LAPTOP, TABLET = {"width": 1280, "height": 900}, {"width": 768, "height": 1024}


@pytest.fixture
def open_page(chromium: Any) -> Iterator[Any]:
    """A new browser context (its own cookies) per page opened."""
    contexts: list[Any] = []
    expect.set_options(timeout=15_000)  # a loaded CI machine is slower than the default 5 s

    def open_(viewport: dict[str, int]) -> Any:
        # bypass_csp: axe-core is injected into the pages it checks (the pages' own policy
        # refuses any script, as it should).
        context = chromium.new_context(viewport=viewport, locale="en-GB", bypass_csp=True)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


def to_the_provider(page: Any, server: ConsoleServer) -> None:
    page.goto(server.url + "/console/")
    assert page.url.startswith(server.url + "/console/login")  # not signed in yet
    page.get_by_role("button", name="Sign in with your staff account").click()
    expect(page.get_by_label("Username")).to_be_visible()
    assert page.url.startswith(PROVIDER.issuer + "/authorize?")
    assert "code_challenge=" in page.url and "code_challenge_method=S256" in page.url


def sign_in(page: Any, server: ConsoleServer, username: str) -> None:
    to_the_provider(page, server)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.locator(".frontdoor-user")).to_have_text(OFFICERS[username][0])
    assert page.url.startswith(server.url + "/console/")


def no_accessibility_violations(page: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def fits_the_width(page: Any) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_sign_in_approve_induct_and_the_gate_allows(console_server, open_page):
    surname = f"Approve-{uuid.uuid4().hex[:6]}"
    grant_id, _person = console_server.seed_request(surname)
    page = open_page(LAPTOP)
    sign_in(page, console_server, "ann")
    row = page.locator("tbody tr", has_text=surname)
    expect(row).to_contain_text("New")
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    assert fits_the_width(page)
    page.screenshot(path=console_server.shots / "1-queue-1280.png", full_page=True)

    row.get_by_role("link").click()
    expect(page).to_have_url(re.compile(f"/console/grants/{grant_id}$"))
    expect(page.get_by_role("heading", name=f"Rosa {surname}")).to_be_visible()
    page.screenshot(path=console_server.shots / "2-request-1280.png", full_page=True)

    page.get_by_label("Type of access").select_option("UNESCORTED")
    page.get_by_label("Areas (optional)").fill("Chapel\nEducation block")
    page.get_by_role("button", name="Approve access").click()
    expect(page.get_by_text("Access approved.")).to_be_visible()
    badge = f"WWI-{uuid.uuid4().hex[:6].upper()}"
    page.get_by_label("Security briefing given").check()
    page.get_by_label("ID badge number").fill(badge)
    page.get_by_role("button", name="Record induction").click()
    expect(page.get_by_text("Induction recorded.")).to_be_visible()
    expect(page.locator(".status-line")).to_have_text("Active")
    page.screenshot(path=console_server.shots / "3-active-1280.png", full_page=True)

    page.get_by_role("link", name="Gate check").click()
    page.get_by_label("Badge number").fill(badge)
    page.get_by_role("button", name="Check").click()
    expect(page.locator(".gate-result__verdict")).to_have_text("ALLOWED")
    for shown in (f"Rosa {surname}", "29 February 1980", "Unescorted", "Chapel, Education"):
        expect(page.locator(".gate-result")).to_contain_text(shown)
    page.screenshot(path=console_server.shots / "4-gate-allowed-1280.png", full_page=True)

    cookies = page.context.cookies()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.goto(f"{console_server.url}/console/grants/{grant_id}")
    assert "/console/login" in page.url  # the session is gone
    # A copy of the cookie taken before signing out opens nothing: the session was on the
    # server, and it has been deleted.
    replay = page.context.browser.new_context(locale="en-GB")
    try:
        replay.add_cookies(cookies)
        again = replay.new_page()
        again.goto(f"{console_server.url}/console/grants/{grant_id}")
        assert "/console/login" in again.url
        expect(again.get_by_text("You have been signed out")).to_be_visible()
    finally:
        replay.close()


def test_another_establishments_officer_gets_the_404_page(console_server, open_page):
    surname = f"Elsewhere-{uuid.uuid4().hex[:6]}"
    grant_id, person_id = console_server.seed_request(surname)  # at WWI
    page = open_page(LAPTOP)
    sign_in(page, console_server, "dan")  # an officer of BMI
    assert surname not in page.content()  # not in their queue
    response = page.goto(f"{console_server.url}/console/grants/{grant_id}")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    assert surname not in page.content()
    page.screenshot(path=console_server.shots / "5-other-establishment-404.png", full_page=True)
    assert page.goto(f"{console_server.url}/console/people/{person_id}").status == 404


def test_a_new_request_shows_the_earlier_revocation_and_passes_axe(console_server, open_page):
    surname = f"Reopened-{uuid.uuid4().hex[:6]}"
    grant_id = console_server.seed_reopened(surname)
    page = open_page(LAPTOP)
    sign_in(page, console_server, "ann")
    page.goto(f"{console_server.url}/console/grants/{grant_id}")
    earlier = page.get_by_role("region", name="Earlier decisions here")
    expect(earlier).to_contain_text("Revoked")
    expect(earlier).to_contain_text("Passed a package.")
    no_accessibility_violations(page)
    page.screenshot(path=console_server.shots / "5b-reopened-1280.png", full_page=True)


def test_the_queue_at_a_tablets_width(console_server, open_page):
    surname = f"Tablet-{uuid.uuid4().hex[:6]}"
    console_server.seed_request(surname)
    page = open_page(TABLET)
    sign_in(page, console_server, "ann")
    row = page.locator("tbody tr", has_text=surname)
    expect(row).to_be_visible()
    assert fits_the_width(page)
    # Each row is a card whose cells carry their own labels (the column heads are hidden).
    assert page.locator("thead").bounding_box()["height"] <= 1
    box = row.bounding_box()
    assert box["width"] <= TABLET["width"] and box["height"] > 80
    page.screenshot(path=console_server.shots / "6-queue-768.png", full_page=True)
    row.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Approve access")).to_be_visible()
    assert fits_the_width(page)
    page.screenshot(path=console_server.shots / "7-request-768.png", full_page=True)


def header_colour(page) -> str:
    return page.locator(".govuk-header").evaluate("e => getComputedStyle(e).backgroundColor")


def test_the_sign_in_pages_pass_axe_and_look_like_the_console(console_server, open_page):
    page = open_page(LAPTOP)
    page.goto(console_server.url + "/console/login")
    no_accessibility_violations(page)
    page.screenshot(path=console_server.shots / "8-console-sign-in.png", full_page=True)
    console_header = header_colour(page)
    to_the_provider(page, console_server)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    # GOV.UK Frontend on both: the same header as every console page.
    assert header_colour(page) == console_header
    no_accessibility_violations(page)
    page.screenshot(path=console_server.shots / "9-provider-sign-in.png", full_page=True)
    page.get_by_label("Username").fill("ann")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a correct username")
    no_accessibility_violations(page)
    page.screenshot(path=console_server.shots / "10-provider-wrong-password.png", full_page=True)


def test_wrong_passwords_from_one_address_slow_it_down_never_the_user(console_server, open_page):
    """30 wrong passwords from 127.0.0.2 (a socket bound to that address, not a header a
    client could forge): a few are answered 401, the rest 429 with Retry-After; meanwhile the
    real user signs in from 127.0.0.1. No account is locked."""
    attacker = from_address("127.0.0.2")
    start = attacker.get(
        console_server.url + "/console/login/start", allow_redirects=False, timeout=10
    )
    authorize = start.headers["Location"]
    answers = [
        attacker.post(
            authorize,
            data={"username": "ann", "password": f"guess-{n}"},
            allow_redirects=False,
            timeout=10,
        )
        for n in range(30)
    ]
    statuses = [answer.status_code for answer in answers]
    assert set(statuses) == {401, 429} and statuses[-1] == 429, statuses
    assert statuses.index(429) <= 10 and 401 not in statuses[statuses.index(429) :], statuses
    assert all(int(a.headers["Retry-After"]) > 0 for a in answers if a.status_code == 429)
    # Even the right password from that address waits...
    assert (
        attacker.post(
            authorize,
            data={"username": "ann", "password": TEST_PASSWORD},
            allow_redirects=False,
            timeout=10,
        ).status_code
        == 429
    )
    # ...while the real user, from another address, is not kept out.
    page = open_page(LAPTOP)
    sign_in(page, console_server, "ann")
    page.screenshot(path=console_server.shots / "11-signed-in-despite-guessing.png", full_page=True)
    assert isinstance(attacker, requests.Session)


def test_the_vetting_officers_terms_are_on_the_request_beside_the_approval(
    console_server, open_page
):
    surname = f"Terms-{uuid.uuid4().hex[:6]}"
    grant_id, _person = console_server.seed_request(
        surname,
        custom_conditions=[
            {"code": "CHAPLAINCY_PRESENT", "text": "Only with a member of the chaplaincy present"},
            {"code": "OTHER", "text": "No visits to the healthcare wing."},
        ],
        review_on="2027-06-30",
    )
    page = open_page(LAPTOP)
    sign_in(page, console_server, "ann")
    page.goto(f"{console_server.url}/console/grants/{grant_id}")
    expect(page.get_by_role("heading", name=f"Rosa {surname}")).to_be_visible()
    terms = page.locator(".govuk-summary-list__row", has_text="Vetting officer's conditions")
    expect(terms).to_contain_text("Only with a member of the chaplaincy present")
    expect(terms).to_contain_text("No visits to the healthcare wing.")
    expect(page.locator(".govuk-summary-list__row", has_text="Review by")).to_contain_text(
        "30 June 2027"
    )
    beside = page.locator("#approve-vetting-terms")
    expect(beside).to_contain_text("they apply whatever you approve")
    expect(beside).to_contain_text("30 June 2027")
    no_accessibility_violations(page)
    page.screenshot(path=console_server.shots / "9-request-with-terms-1280.png", full_page=True)
    page.set_viewport_size({"width": 320, "height": 900})
    page.reload()
    assert fits_the_width(page)
    page.screenshot(path=console_server.shots / "9-request-with-terms-320.png", full_page=True)
