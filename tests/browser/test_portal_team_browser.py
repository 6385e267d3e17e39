"""The portal's team and API key pages in a real headless Chromium, by keyboard alone: an admin
invites a coordinator (the error summary first, then the invitation), asks to remove a member,
is refused leaving as the only admin, creates a key (shown once) and revokes it. Every page
passes axe-core and fits a 320 px wide phone; screenshots of each at 1280 and 320 px go to
PORTAL_SCREENSHOTS (or the test's temporary folder).

The applications app runs in this process (werkzeug, on PostgreSQL): the pages are
what is tested here, not the processes (the lead's whole-journey test runs those)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.portal_browser import Shots, expect, sign_in_at
from tests.support.portal_harness import Portal

pytestmark = [pytest.mark.browser, pytest.mark.slow]


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
    served_portal: tuple[Portal, str], page: Any, shots: Shots
) -> None:
    portal, url = served_portal
    sign_in_at(page, url, portal.username("admin_a"))

    page.goto(f"{url}/portal/team")
    expect(page.get_by_role("heading", name="Team", level=1)).to_be_visible()
    shots.check(page, "list")
    press_enter_on(page, page.get_by_role("button", name="Invite someone"))
    shots.check(page, "invite")
    # Nothing typed: the error summary, its link to the field.
    press_enter_on(page, page.get_by_role("button", name="Send invitation"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter an email address.")
    expect(page).to_have_title(re.compile(r"^Error: "))
    shots.check(page, "invite-error")
    tab_to(page, page.get_by_label("Email address"))
    page.keyboard.type(portal.email("newcomer"))
    tab_to(page, page.get_by_label("Coordinator"))
    page.keyboard.press("ArrowDown")  # radios move with the arrow keys
    expect(page.get_by_label("Admin")).to_be_checked()
    press_enter_on(page, page.get_by_role("button", name="Send invitation"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(portal.email("newcomer"))
    shots.check(page, "invited")

    # Removing is asked first; the only admin who signed in may not leave.
    remove = re.compile("Remove " + re.escape(portal.email("coord_a")))
    press_enter_on(page, page.get_by_role("link", name=remove))
    expect(page.get_by_role("heading", name="Withdraw this invitation?")).to_be_visible()
    shots.check(page, "remove")
    page.goto(f"{url}/portal/team")
    press_enter_on(
        page,
        page.get_by_role("link", name=re.compile("Remove " + re.escape(portal.email("admin_a")))),
    )
    press_enter_on(page, page.get_by_role("button", name="Leave"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("only admin")
    shots.check(page, "last-admin")

    # A key: created, shown once with its key id, then revoked after asking.
    page.goto(f"{url}/portal/api-keys")
    shots.check(page, "api-keys")
    press_enter_on(page, page.get_by_role("button", name="Create an API key"))
    key = page.locator("[data-api-key]").inner_text()
    key_id = key.split("_")[1]
    expect(page.get_by_role("heading", name="API key created")).to_be_visible()
    shots.check(page, "api-key-created")
    page.goto(f"{url}/portal/api-keys")
    assert key not in page.content()  # never shown again
    press_enter_on(page, page.get_by_role("link", name=f"Revoke key {key_id}"))
    expect(page.get_by_role("heading", name=f"Revoke API key {key_id}?")).to_be_visible()
    shots.check(page, "revoke")
    press_enter_on(page, page.get_by_role("button", name="Revoke"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"{key_id} has been revoked")
    shots.check(page, "revoked")
