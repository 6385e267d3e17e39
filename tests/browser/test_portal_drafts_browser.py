"""A draft in the coordinators' portal, in a real headless Chromium: the prison chosen by typing
its name (GOV.UK's accessible-autocomplete over the <select>), every question page answered,
check your answers showing the address gap linked to the address history, which fixes it.
Every page passes axe-core and fits a 320 px wide phone; screenshots of each at 1280 and 320 px
go to PORTAL_SCREENSHOTS (or the test's temporary folder).

The applications app runs in this process (werkzeug, on PostgreSQL): the pages are
what is tested here, not the processes (the lead's whole-journey test runs those)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from tests.support.clock import today
from tests.support.portal_browser import Shots, expect, sign_in_at
from tests.support.portal_harness import Portal

pytestmark = [pytest.mark.browser, pytest.mark.slow]


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
    served_portal: tuple[Portal, str], page: Any, shots: Shots
) -> None:
    portal, url = served_portal
    sign_in_at(page, url, portal.username("coord_a"))
    expect(page.get_by_role("heading", name="Applications", level=1)).to_be_visible()
    page.goto(f"{url}/portal/applications/new")
    shots.check(page, "start")
    with page.expect_navigation():
        page.get_by_role("button", name="Start now").click()

    # The prison, by typing part of its name and choosing it from the suggestions.
    expect(page.get_by_role("heading", name="Which prison will they go into?")).to_be_visible()
    page.get_by_role("combobox").fill("Wands")
    page.get_by_role("option", name="Wandsworth (HMP & YOI)").click()
    shots.check(page, "prison")
    _save(page)
    expect(page.get_by_role("heading", name="Prisons", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Wandsworth (HMP & YOI)")
    shots.check(page, "prisons")
    _no_more(page)

    for label, name in (("Escorted", "access"), ("Regularly", "frequency")):
        page.get_by_label(label, exact=False).first.check()
        shots.check(page, name)
        _save(page)
    page.get_by_label("Group facilitator").check()
    shots.check(page, "role")
    _save(page)
    page.get_by_label("First names").fill("Alex")
    page.get_by_label("They have no middle name").check()
    page.get_by_label("Last name").fill("Rowe")
    shots.check(page, "name")
    _save(page)
    _date(page, "What is their date of birth?", today().replace(year=1990, day=2))
    shots.check(page, "date-of-birth")
    _save(page)
    page.get_by_label("Town or city").fill("Leeds")
    page.get_by_label("Country").fill("England")
    shots.check(page, "place-of-birth")
    _save(page)
    shots.check(page, "national-insurance")
    _save(page)  # optional: left empty
    page.get_by_label("Email address").fill("alex.rowe@example.net")
    page.get_by_label("Email", exact=True).check()
    shots.check(page, "contact")
    _save(page)

    # Two addresses with a gap of about 100 days between them.
    now = today()
    shots.check(page, "address")
    _address(page, "1 High Street", "LS1 1AA", now - timedelta(days=300), None)
    page.get_by_label("Yes").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    _address(
        page, "2 Low Street", "YO1 7HH", now - timedelta(days=6 * 365), now - timedelta(days=401)
    )
    expect(page.locator("main")).to_contain_text("There is a gap of")
    shots.check(page, "addresses")
    _no_more(page)
    for n in (1, 2):
        page.get_by_label("First names").fill(f"Ref{n}")
        page.get_by_label("Last name").fill("Person")
        page.get_by_label("Email address").fill(f"ref{n}@example.net")
        page.get_by_label("How do they know the volunteer?").fill("employer")
        page.get_by_label("Postcode").fill("ls29jt")  # stored as LS2 9JT
        if n == 1:
            shots.check(page, "referee")
        else:
            page.get_by_label("They are not related to the volunteer").check()
        _save(page)
        if n == 1:
            page.get_by_label("Yes").check()
            with page.expect_navigation():
                page.get_by_role("button", name="Continue").click()
    shots.check(page, "referees")
    _no_more(page)

    # Check your answers: the gap, linked to the address history, which explains it.
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Not started")
    expect(page.locator("main")).to_contain_text("LS2 9JT")
    expect(page.locator("main")).to_contain_text("Not related to the volunteer")
    shots.check(page, "check-answers")
    with page.expect_navigation():
        page.get_by_role("link", name="There is a gap of").click()
    expect(page.get_by_role("heading", name="Address history", level=1)).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Explain a gap in the address history").click()
    _date(page, "Gap starts", now - timedelta(days=400))
    _date(page, "Gap ends", now - timedelta(days=301))
    page.get_by_label("Where were they living?").fill("Travelling in Spain")
    shots.check(page, "gap")
    _save(page)
    _no_more(page)
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("There is a gap of")

    # A mistake: the error summary, linked to its field; the title says so.
    page.goto(page.url.replace("/check", "/draft/contact"))
    page.get_by_label("Email address").fill("not an email")
    _save(page)
    expect(page).to_have_title(re.compile(r"^Error: "))
    shots.check(page, "contact-error")
