"""The coordinators' portal's application pages in a real headless Chromium: the list and its
filters, the expiring clearances and a renewal in one click, an application's page and
timeline, answering vetting's request, a change of circumstances, withdrawing (a mistake first:
the error summary links to its field), a reconsideration. Keyboard only where a coordinator
would type; every page passes axe-core and fits a 320 px wide phone; screenshots of each at
1280 and 320 px go to PORTAL_SCREENSHOTS (or the test's temporary folder).

The applications app runs in this process (werkzeug, on PostgreSQL): the pages are
what is tested here, not the processes (the lead's whole-journey test runs those)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support import portal_applications as made
from tests.support.portal_browser import Shots, expect, sign_in_at
from tests.support.portal_harness import Portal

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _press(page: Any, key: str = "Enter") -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


def _click(page: Any, role: str, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role(role, name=name).click()


def test_the_application_pages_in_the_browser(
    served_portal: tuple[Portal, str], page: Any, shots: Shots
) -> None:
    portal, url = served_portal
    expiring = made.cleared(portal, forenames="Gus", surname="Hale", days=30)
    asked, case = made.in_vetting(portal, forenames="Finn", surname="Walsh")
    made.ask(portal, asked, case)
    made.ask(portal, asked, case, sensitive=True)
    refused = made.refused(portal, forenames="Hal", surname="Ives")
    made.draft(portal, forenames="Dara", surname="Quinn")

    sign_in_at(page, url, portal.username("coord_a"))
    expect(page.get_by_role("heading", name="Applications", level=1)).to_be_visible()
    shots.check(page, "list")

    # The name filter, typed and sent with Enter: a link to share.
    page.get_by_label("Applicant's name").fill("walsh")
    _press(page)
    expect(page).to_have_url(re.compile(r"name=walsh"))
    expect(page.locator("tbody tr")).to_have_count(1)
    shots.check(page, "list-filtered")

    # Expiring within 90 days: a renewal in one click, then the draft's answers.
    _click(page, "link", "Clearances expiring within 90 days")
    expect(page.locator("main")).to_contain_text("Gus Hale")
    shots.check(page, "expiring")
    _click(page, "button", f"Start renewal for {expiring[:8].upper()}")
    expect(page.locator("main")).to_contain_text("renewal draft has been started")

    # The cleared application: its timeline, and a change of address reported.
    page.goto(f"{url}/portal/applications/{expiring}")
    expect(page.locator("main")).to_contain_text("Cleared at Level 3 (unescorted) until")
    shots.check(page, "cleared")
    _click(page, "button", "Report a change of circumstances")
    shots.check(page, "change-kind")
    page.get_by_label("A change of address").focus()
    page.keyboard.press("Space")
    _press(page)
    shots.check(page, "change-address")
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
    shots.check(page, "information-needed")
    _click(page, "button", "Answer this request")
    page.get_by_label("Where did the volunteer live in 2021?").fill("Leeds")
    _click(page, "button", "Send answers")
    expect(page).to_have_title(re.compile(r"^Error: "))
    shots.check(page, "answer-error")
    page.get_by_role("link", name="Enter an answer to question 2.").click()
    expect(page.get_by_label("Who can vouch for that?")).to_be_focused()
    page.keyboard.type("Her landlord")
    _click(page, "button", "Send answers")
    expect(page.locator("main")).to_contain_text("Your answers have been sent to vetting.")

    # Withdrawn, a mistake first: the summary's link puts the cursor in the field.
    _click(page, "button", "Withdraw application")
    shots.check(page, "withdraw")
    _click(page, "button", "Withdraw application")
    expect(page).to_have_title(re.compile(r"^Error: "))
    shots.check(page, "withdraw-error")
    page.get_by_role("link", name="Enter why you are withdrawing the application.").click()
    expect(page.get_by_label("Why are you withdrawing this application?")).to_be_focused()
    page.keyboard.type("She moved abroad.")
    _click(page, "button", "Withdraw application")
    expect(page.locator("main")).to_contain_text("The application has been withdrawn.")
    shots.check(page, "withdrawn")

    # A refusal, reconsidered once.
    page.goto(f"{url}/portal/applications/{refused}")
    _click(page, "button", "Ask for reconsideration")
    shots.check(page, "reconsider")
    page.get_by_label("Why should the refusal be reconsidered?").fill("The caution is spent.")
    _click(page, "button", "Send request")
    expect(page.locator("main")).to_contain_text("It can be asked for only once.")
    shots.check(page, "reconsidered")
