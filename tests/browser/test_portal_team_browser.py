"""The portal's team and API key pages in a real headless Chromium, by keyboard alone: an admin
invites a coordinator (the error summary first, then the invitation), asks to remove a member,
is refused leaving as the only admin, creates a key (shown once) and revokes it. Every page
passes axe-core and fits a 320 px wide phone; screenshots of each at 1280 and 320 px go to
PORTAL_SCREENSHOTS (or the test's temporary folder).

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


def check(page: Any, folder: Path, name: str) -> None:
    """axe-core, no sideways scrolling at 320 px, and a screenshot at both widths."""
    passes_axe(page)
    page.screenshot(path=folder / f"team-{name}-1280.png", full_page=True)
    page.set_viewport_size(PHONE)
    try:
        assert scroll_width(page) <= PHONE["width"], (page.url, name)
        page.screenshot(path=folder / f"team-{name}-320.png", full_page=True)
    finally:
        page.set_viewport_size(LAPTOP)


def tab_to(page: Any, locator: Any, limit: int = 40) -> None:
    """Press Tab until `locator` has the focus (as someone without a mouse would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {locator}")


def press_enter_on(page: Any, locator: Any) -> None:
    tab_to(page, locator)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_an_admin_manages_the_team_and_keys_by_keyboard(
    portal_url: tuple[Portal, str], page: Any, tmp_path: Path
) -> None:
    portal, url = portal_url
    folder = Path(os.environ.get("PORTAL_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    page.goto(f"{url}/portal/login/start")
    page.fill("input[name=username]", portal.username("admin_a"))
    page.fill("input[name=password]", TEST_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    page.goto(f"{url}/portal/team")
    expect(page.get_by_role("heading", name="Team", level=1)).to_be_visible()
    check(page, folder, "list")
    press_enter_on(page, page.get_by_role("button", name="Invite someone"))
    check(page, folder, "invite")
    # Nothing typed: the error summary, its link to the field.
    press_enter_on(page, page.get_by_role("button", name="Send invitation"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter an email address.")
    expect(page).to_have_title(re.compile(r"^Error: "))
    check(page, folder, "invite-error")
    tab_to(page, page.get_by_label("Email address"))
    page.keyboard.type(portal.email("newcomer"))
    tab_to(page, page.get_by_label("Coordinator"))
    page.keyboard.press("ArrowDown")  # radios move with the arrow keys
    expect(page.get_by_label("Admin")).to_be_checked()
    press_enter_on(page, page.get_by_role("button", name="Send invitation"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(portal.email("newcomer"))
    check(page, folder, "invited")

    # Removing is asked first; the only admin who signed in may not leave.
    remove = re.compile("Remove " + re.escape(portal.email("coord_a")))
    press_enter_on(page, page.get_by_role("link", name=remove))
    expect(page.get_by_role("heading", name="Withdraw this invitation?")).to_be_visible()
    check(page, folder, "remove")
    page.goto(f"{url}/portal/team")
    press_enter_on(
        page,
        page.get_by_role("link", name=re.compile("Remove " + re.escape(portal.email("admin_a")))),
    )
    press_enter_on(page, page.get_by_role("button", name="Leave"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("only admin")
    check(page, folder, "last-admin")

    # A key: created, shown once with its key id, then revoked after asking.
    page.goto(f"{url}/portal/api-keys")
    check(page, folder, "api-keys")
    press_enter_on(page, page.get_by_role("button", name="Create an API key"))
    key = page.locator("[data-api-key]").inner_text()
    key_id = key.split("_")[1]
    expect(page.get_by_role("heading", name="API key created")).to_be_visible()
    check(page, folder, "api-key-created")
    page.goto(f"{url}/portal/api-keys")
    assert key not in page.content()  # never shown again
    press_enter_on(page, page.get_by_role("link", name=f"Revoke key {key_id}"))
    expect(page.get_by_role("heading", name=f"Revoke API key {key_id}?")).to_be_visible()
    check(page, folder, "revoke")
    press_enter_on(page, page.get_by_role("button", name="Revoke"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"{key_id} has been revoked")
    check(page, folder, "revoked")
