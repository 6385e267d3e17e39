"""A draft in the coordinators' portal, in a real headless Chromium: the prison chosen by typing
its name (GOV.UK's accessible-autocomplete over the <select>), every question page answered,
check your answers showing the address gap linked to the address history, which fixes it.
Every page passes axe-core and fits a 320 px wide phone; screenshots of each at 1280 and 320 px
go to PORTAL_SCREENSHOTS (or the test's temporary folder).

The applications app runs in this process (werkzeug, on the embedded backends): the pages are
what is tested here, not the processes (the lead's whole-journey test runs those)."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from tests.support.clock import today
from tests.support.identity import PROVIDER, TEST_PASSWORD
from tests.support.network import free_port
from tests.support.portal_harness import Portal
from tests.support.workbench_browser import LAPTOP, PHONE, passes_axe, scroll_width

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips, or fails, saying so
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def portal_url(embedded: dict[str, dict[str, str]], chromium: Any) -> Iterator[tuple[Portal, str]]:
    portal = Portal(embedded["applications"])
    port = free_port()
    server = make_server("127.0.0.1", port, portal.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    PROVIDER.allow_portal_at(url)
    PROVIDER.ensure_started()
    try:
        yield portal, url
    finally:
        server.shutdown()
        portal.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    # bypass_csp: axe-core is injected into the pages it checks.
    context = chromium.new_context(viewport=LAPTOP, locale="en-GB", bypass_csp=True)
    context.set_default_timeout(15_000)
    expect.set_options(timeout=15_000)
    yield context.new_page()
    context.close()


class Shots:
    """Each page: axe-core, a phone's width, and a screenshot at both widths."""

    def __init__(self, page: Any, folder: Path) -> None:
        self.page, self.folder, self.count = page, folder, 0

    def check(self, name: str) -> None:
        passes_axe(self.page)
        self.count += 1
        self.page.screenshot(path=self.folder / f"{self.count:02d}-{name}-1280.png", full_page=True)
        self.page.set_viewport_size(PHONE)
        try:
            assert scroll_width(self.page) <= PHONE["width"], (self.page.url, name)
            self.page.screenshot(
                path=self.folder / f"{self.count:02d}-{name}-320.png", full_page=True
            )
        finally:
            self.page.set_viewport_size(LAPTOP)


def _sign_in(page: Any, portal: Portal, url: str, who: str) -> None:
    page.goto(f"{url}/portal/login/start")
    page.fill("input[name=username]", portal.username(who))
    page.fill("input[name=password]", TEST_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Applications", level=1)).to_be_visible()


def _save(page: Any) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue").click()


def _date(page: Any, legend: str, day: Any) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def _address(page: Any, line1: str, postcode: str, start: Any, end: Any) -> None:
    page.get_by_label("Address line 1").fill(line1)
    page.get_by_label("Town or city").fill("Leeds")
    page.get_by_label("Postcode").fill(postcode)
    _date(page, "Moved in", start)
    if end is not None:
        _date(page, "Moved out", end)
    _save(page)


def _no_more(page: Any) -> None:
    page.get_by_label("No").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()


def test_a_draft_page_by_page_in_the_browser(
    portal_url: tuple[Portal, str], page: Any, tmp_path: Path
) -> None:
    portal, url = portal_url
    folder = Path(os.environ.get("PORTAL_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    shots = Shots(page, folder)
    _sign_in(page, portal, url, "coord_a")
    page.goto(f"{url}/portal/applications/new")
    shots.check("start")
    with page.expect_navigation():
        page.get_by_role("button", name="Start now").click()

    # The prison, by typing part of its name and choosing it from the suggestions.
    expect(page.get_by_role("heading", name="Which prison will they go into?")).to_be_visible()
    page.get_by_role("combobox").fill("Wands")
    page.get_by_role("option", name="Wandsworth (HMP & YOI)").click()
    shots.check("prison")
    _save(page)
    expect(page.get_by_role("heading", name="Prisons", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Wandsworth (HMP & YOI)")
    shots.check("prisons")
    _no_more(page)

    for label, name in (("Escorted", "access"), ("Regularly", "frequency")):
        page.get_by_label(label, exact=False).first.check()
        shots.check(name)
        _save(page)
    page.get_by_label("Group facilitator").check()
    shots.check("role")
    _save(page)
    page.get_by_label("First names").fill("Alex")
    page.get_by_label("They have no middle name").check()
    page.get_by_label("Last name").fill("Rowe")
    shots.check("name")
    _save(page)
    _date(page, "What is their date of birth?", today().replace(year=1990, day=2))
    shots.check("date-of-birth")
    _save(page)
    page.get_by_label("Town or city").fill("Leeds")
    page.get_by_label("Country").fill("England")
    shots.check("place-of-birth")
    _save(page)
    shots.check("national-insurance")
    _save(page)  # optional: left empty
    page.get_by_label("Email address").fill("alex.rowe@example.net")
    page.get_by_label("Email", exact=True).check()
    shots.check("contact")
    _save(page)

    # Two addresses with a gap of about 100 days between them.
    now = today()
    shots.check("address")
    _address(page, "1 High Street", "LS1 1AA", now - timedelta(days=300), None)
    page.get_by_label("Yes").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    _address(
        page, "2 Low Street", "YO1 7HH", now - timedelta(days=6 * 365), now - timedelta(days=401)
    )
    expect(page.locator("main")).to_contain_text("There is a gap of")
    shots.check("addresses")
    _no_more(page)
    for n in (1, 2):
        page.get_by_label("First names").fill(f"Ref{n}")
        page.get_by_label("Last name").fill("Person")
        page.get_by_label("Email address").fill(f"ref{n}@example.net")
        page.get_by_label("How do they know the volunteer?").fill("employer")
        page.get_by_label("Postcode").fill("LS2 9JT")
        if n == 1:
            shots.check("referee")
        _save(page)
        if n == 1:
            page.get_by_label("Yes").check()
            with page.expect_navigation():
                page.get_by_role("button", name="Continue").click()
    shots.check("referees")
    _no_more(page)

    # Check your answers: the gap, linked to the address history, which explains it.
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Not started")
    shots.check("check-answers")
    with page.expect_navigation():
        page.get_by_role("link", name="There is a gap of").click()
    expect(page.get_by_role("heading", name="Address history", level=1)).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Explain a gap in the address history").click()
    _date(page, "Gap starts", now - timedelta(days=400))
    _date(page, "Gap ends", now - timedelta(days=301))
    page.get_by_label("Where were they living?").fill("Travelling in Spain")
    shots.check("gap")
    _save(page)
    _no_more(page)
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("There is a gap of")

    # A mistake: the error summary, linked to its field; the title says so.
    page.goto(page.url.replace("/check", "/draft/contact"))
    page.get_by_label("Email address").fill("not an email")
    _save(page)
    expect(page).to_have_title(re.compile(r"^Error: "))
    shots.check("contact-error")
