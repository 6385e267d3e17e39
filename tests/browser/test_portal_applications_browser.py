"""The coordinators' portal's application pages in a real headless Chromium: the list and its
filters, the expiring clearances and a renewal in one click, an application's page and
timeline, answering vetting's request, a change of circumstances, withdrawing (a mistake first:
the error summary links to its field), a reconsideration. Keyboard only where a coordinator
would type; every page passes axe-core and fits a 320 px wide phone; screenshots of each at
1280 and 320 px go to PORTAL_SCREENSHOTS (or the test's temporary folder).

The applications app runs in this process (werkzeug, on the embedded backends): the pages are
what is tested here, not the processes (the lead's whole-journey test runs those)."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from tests.support import portal_applications as made
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
    threading.Thread(target=server.serve_forever, daemon=True).start()
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
        path = self.folder / f"applications-{self.count:02d}-{name}"
        self.page.screenshot(path=f"{path}-1280.png", full_page=True)
        self.page.set_viewport_size(PHONE)
        try:
            assert scroll_width(self.page) <= PHONE["width"], (self.page.url, name)
            self.page.screenshot(path=f"{path}-320.png", full_page=True)
        finally:
            self.page.set_viewport_size(LAPTOP)


def _press(page: Any, key: str = "Enter") -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


def _click(page: Any, role: str, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role(role, name=name).click()


def test_the_application_pages_in_the_browser(
    portal_url: tuple[Portal, str], page: Any, tmp_path: Path
) -> None:
    portal, url = portal_url
    folder = Path(os.environ.get("PORTAL_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    shots = Shots(page, folder)
    expiring = made.cleared(portal, forenames="Gus", surname="Hale", days=30)
    asked, case = made.in_vetting(portal, forenames="Finn", surname="Walsh")
    made.ask(portal, asked, case)
    made.ask(portal, asked, case, sensitive=True)
    refused = made.refused(portal, forenames="Hal", surname="Ives")
    made.draft(portal, forenames="Dara", surname="Quinn")

    page.goto(f"{url}/portal/login/start")
    page.fill("input[name=username]", portal.username("coord_a"))
    page.fill("input[name=password]", TEST_PASSWORD)
    _press(page)
    expect(page.get_by_role("heading", name="Applications", level=1)).to_be_visible()
    shots.check("list")

    # The name filter, typed and sent with Enter: a link to share.
    page.get_by_label("Applicant's name").fill("walsh")
    _press(page)
    expect(page).to_have_url(re.compile(r"name=walsh"))
    expect(page.locator("tbody tr")).to_have_count(1)
    shots.check("list-filtered")

    # Expiring within 90 days: a renewal in one click, then the draft's answers.
    _click(page, "link", "Clearances expiring within 90 days")
    expect(page.locator("main")).to_contain_text("Gus Hale")
    shots.check("expiring")
    _click(page, "button", f"Start renewal for {expiring[:8].upper()}")
    expect(page.locator("main")).to_contain_text("renewal draft has been started")

    # The cleared application: its timeline, and a change of address reported.
    page.goto(f"{url}/portal/applications/{expiring}")
    expect(page.locator("main")).to_contain_text("Cleared (Enhanced level) until")
    shots.check("cleared")
    _click(page, "button", "Report a change of circumstances")
    shots.check("change-kind")
    page.get_by_label("A change of address").focus()
    page.keyboard.press("Space")
    _press(page)
    shots.check("change-address")
    page.get_by_label("Address line 1").fill("1 High Street")
    page.get_by_label("Town or city").fill("Leeds")
    page.get_by_label("Postcode").fill("LS1 1AA")
    group = page.get_by_role("group", name="When did the volunteer move in?")
    group.get_by_label("Day").fill("1")
    group.get_by_label("Month").fill("11")
    group.get_by_label("Year").fill("2026")
    _press(page)
    expect(page.locator("main")).to_contain_text("You reported a change of address")

    # Vetting's question answered; the sensitive one is the volunteer's.
    page.goto(f"{url}/portal/applications/{asked}")
    expect(page.locator("main")).to_contain_text("Vetting asked the volunteer directly")
    shots.check("information-needed")
    _click(page, "button", "Answer this request")
    page.get_by_label("Where did the volunteer live in 2021?").fill("Leeds")
    _click(page, "button", "Send answers")
    expect(page).to_have_title(re.compile(r"^Error: "))
    shots.check("answer-error")
    page.get_by_role("link", name="Enter an answer to question 2.").click()
    expect(page.get_by_label("Who can vouch for that?")).to_be_focused()
    page.keyboard.type("Her landlord")
    _click(page, "button", "Send answers")
    expect(page.locator("main")).to_contain_text("Your answers have been sent to vetting.")

    # Withdrawn, a mistake first: the summary's link puts the cursor in the field.
    _click(page, "button", "Withdraw application")
    shots.check("withdraw")
    _click(page, "button", "Withdraw application")
    expect(page).to_have_title(re.compile(r"^Error: "))
    shots.check("withdraw-error")
    page.get_by_role("link", name="Enter why you are withdrawing the application.").click()
    expect(page.get_by_label("Why are you withdrawing this application?")).to_be_focused()
    page.keyboard.type("She moved abroad.")
    _click(page, "button", "Withdraw application")
    expect(page.locator("main")).to_contain_text("The application has been withdrawn.")
    shots.check("withdrawn")

    # A refusal, reconsidered once.
    page.goto(f"{url}/portal/applications/{refused}")
    _click(page, "button", "Ask for reconsideration")
    shots.check("reconsider")
    page.get_by_label("Why should the refusal be reconsidered?").fill("The caution is spent.")
    _click(page, "button", "Send request")
    expect(page.locator("main")).to_contain_text("It can be asked for only once.")
    shots.check("reconsidered")
