"""The security console in a real browser against the real web process: an officer signs in,
finds the request in the queue, approves it, records the induction and checks the badge at
the gate; another establishment's officer gets the 404 page for that grant; and the queue
works at a tablet's width. Screenshots of each step are kept (CONSOLE_SCREENSHOTS=dir to keep
them somewhere of your choosing)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import OFFICERS, PASSWORD, ConsoleServer

pytestmark = [pytest.mark.browser, pytest.mark.real_backends, pytest.mark.slow]

LAPTOP, TABLET = {"width": 1280, "height": 900}, {"width": 768, "height": 1024}


@pytest.fixture
def open_page(chromium: Any) -> Iterator[Any]:
    """A new browser context (its own cookies) per page opened."""
    contexts: list[Any] = []

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
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert OFFICERS[username][0] in page.locator(".header__name").inner_text()


def fits_the_width(page: Any) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_sign_in_approve_induct_and_the_gate_allows(console_server, open_page):
    surname = f"Approve-{uuid.uuid4().hex[:6]}"
    grant_id, _person = console_server.seed_request(surname)
    page = open_page(LAPTOP)
    sign_in(page, console_server, "ann")
    row = page.locator("tbody tr", has_text=surname)
    assert row.is_visible() and "New" in row.inner_text()
    assert page.get_by_role("heading", name="Review queue").is_visible() and fits_the_width(page)
    page.screenshot(path=console_server.shots / "1-queue-1280.png", full_page=True)

    row.get_by_role("link").click()
    assert page.url.endswith(f"/console/grants/{grant_id}")
    assert page.get_by_role("heading", name=f"Rosa {surname}").is_visible()
    page.screenshot(path=console_server.shots / "2-request-1280.png", full_page=True)

    page.get_by_label("Type of access").select_option("UNESCORTED")
    page.get_by_label("Areas (optional)").fill("Chapel\nEducation block")
    page.get_by_role("button", name="Approve access").click()
    assert page.get_by_text("Access approved.").is_visible()
    badge = f"WWI-{uuid.uuid4().hex[:6].upper()}"
    page.get_by_label("Security briefing given").check()
    page.get_by_label("ID badge number").fill(badge)
    page.get_by_role("button", name="Record induction").click()
    assert page.get_by_text("Induction recorded.").is_visible()
    assert page.locator(".status-line").inner_text().strip() == "Active"
    page.screenshot(path=console_server.shots / "3-active-1280.png", full_page=True)

    page.get_by_role("link", name="Gate check").click()
    page.get_by_label("Badge number").fill(badge)
    page.get_by_role("button", name="Check").click()
    assert page.locator(".gate-result__verdict").inner_text() == "ALLOWED"
    result = page.locator(".gate-result").inner_text()
    assert f"Rosa {surname}" in result and "Unescorted" in result and "Chapel" in result
    page.screenshot(path=console_server.shots / "4-gate-allowed-1280.png", full_page=True)

    page.get_by_role("button", name="Sign out").click()
    assert page.get_by_text("You have signed out.").is_visible()
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
    assert page.get_by_role("heading", name="Page not found").is_visible()
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
    assert row.is_visible() and fits_the_width(page)
    # Each row is a card whose cells carry their own labels (the column heads are hidden).
    assert page.locator("thead").bounding_box()["height"] <= 1
    box = row.bounding_box()
    assert box["width"] <= TABLET["width"] and box["height"] > 80
    page.screenshot(path=console_server.shots / "6-queue-768.png", full_page=True)
    row.get_by_role("link").click()
    assert fits_the_width(page)
    page.screenshot(path=console_server.shots / "7-request-768.png", full_page=True)
