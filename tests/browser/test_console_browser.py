"""The security console in a real browser against the real web process: an officer signs in,
finds the request in the queue, approves it, records the induction and checks the badge at
the gate; another establishment's officer gets the 404 page for that grant; and the queue
works at a tablet's width. Screenshots of each step are kept (CONSOLE_SCREENSHOTS=dir to keep
them somewhere of your choosing)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.console_server import OFFICERS, PASSWORD, ConsoleServer

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
        context = chromium.new_context(viewport=viewport, locale="en-GB")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


def sign_in(page: Any, server: ConsoleServer, username: str) -> None:
    page.goto(server.url + "/console/")
    assert page.url.startswith(server.url + "/console/login")  # not signed in yet
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.locator(".header__name")).to_have_text(OFFICERS[username][0])


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

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.goto(f"{console_server.url}/console/grants/{grant_id}")
    assert "/console/login" in page.url  # the session is gone


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
    page.screenshot(path=console_server.shots / "5-other-establishment-404.png",
                    full_page=True)
    assert page.goto(f"{console_server.url}/console/people/{person_id}").status == 404


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
