"""The volunteer's own pages, in a real headless Chromium: the coordinator sends the link; the
volunteer, in a browser context of their own, opens it, continues, and completes their
convictions and cautions, connections and identity documents by keyboard and mouse; the
coordinator's page then shows each part "Complete" and none of it. Every page passes axe-core
and fits a 320 px wide phone; screenshots at 1280 and 320 px go to PORTAL_SCREENSHOTS (or the
test's temporary folder).

The applications app runs in this process (werkzeug, on PostgreSQL), as in the drafts' browser
test."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from applications.schemas.examples import sample_application
from tests.support.applications_api import deliver, published
from tests.support.clock import now
from tests.support.portal_browser import Shots, expect, sign_in_at
from tests.support.portal_harness import Portal

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _click(page: Any, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def _date(page: Any, legend: str, day: int, month: int, year: int) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day))
    group.get_by_label("Month").fill(str(month))
    group.get_by_label("Year").fill(str(year))


def _answer(page: Any, question: str, yes: bool) -> None:
    page.get_by_role("group", name=question).get_by_label("Yes" if yes else "No").check()


def test_the_volunteer_completes_their_part_in_the_browser(
    served_portal: tuple[Portal, str], new_page: Callable[[], Any], shots: Shots
) -> None:
    portal, url = served_portal
    body = sample_application(f"vol-{portal.tag}@example.org")
    for name in ("declarations", "connections", "identity_documents"):
        body["applicant"].pop(name)
    app_id = portal.api.draft(body)["id"]

    coordinator = new_page()
    sign_in_at(coordinator, url, portal.username("coord_a"))
    coordinator.goto(f"{url}/portal/applications/{app_id}/volunteer-link")
    shots.check(coordinator, "send-link")
    _click(coordinator, "Send the link")  # no channel chosen: the error summary
    expect(coordinator.locator(".govuk-error-summary")).to_be_visible()
    shots.check(coordinator, "send-link-error")
    coordinator.get_by_label("By email", exact=False).check()
    _click(coordinator, "Send the link")
    expect(coordinator.locator("main")).to_contain_text("The link has been sent")
    shots.check(coordinator, "link-sent")
    link = str(published(portal.platform, "application.volunteer_link_sent")[-1]["link"])
    token = link.rsplit("/", 1)[1]

    volunteer = new_page()
    volunteer.goto(f"{url}/portal/volunteer/{token}")
    shots.check(volunteer, "volunteer-start")
    _click(volunteer, "Continue")
    expect(volunteer.get_by_role("heading", name="Your application", level=1)).to_be_visible()
    shots.check(volunteer, "volunteer-home")

    volunteer.get_by_role("link", name="Convictions and cautions").click()
    volunteer.get_by_text("What you do not need to declare").click()
    shots.check(volunteer, "declarations")
    _answer(volunteer, "Do you have a conviction or caution to declare?", yes=True)
    _click(volunteer, "Continue")
    _click(volunteer, "Add")  # nothing filled in: the error summary
    expect(volunteer.locator(".govuk-error-summary")).to_be_visible()
    shots.check(volunteer, "declaration-errors")
    volunteer.get_by_label("Conviction", exact=True).check()
    volunteer.get_by_label("What was the offence?").fill("Theft from a shop")
    _date(volunteer, "Date of the conviction or caution", 1, 3, 2010)
    volunteer.get_by_label("What was the sentence or outcome?").select_option("FINE")
    volunteer.get_by_label("What kind of offence was it? (optional)").select_option("THEFT")
    _answer(volunteer, "Is it spent? (optional)", yes=True)
    shots.check(volunteer, "declaration-add")
    _click(volunteer, "Add")
    _answer(volunteer, "Do you have another conviction or caution to declare?", yes=False)
    _answer(volunteer, "Are you on licence or under supervision now?", yes=False)
    # A single adult conviction with a fine, over 11 years old: the page says it is protected.
    expect(volunteer.get_by_text("It can stay or be removed", exact=False)).to_be_visible()
    shots.check(volunteer, "declarations-list")
    _click(volunteer, "Continue")

    volunteer.get_by_role("link", name="People you know in prison").click()
    shots.check(volunteer, "connections")
    _answer(volunteer, "Do you know anyone who is in prison now?", yes=False)
    _click(volunteer, "Continue")

    volunteer.get_by_role("link", name="Identity documents").click()
    _answer(volunteer, "Do you want to add an identity document?", yes=True)
    _click(volunteer, "Continue")
    volunteer.get_by_label("Passport").check()
    volunteer.get_by_label("Document number").fill("534791234")
    _date(volunteer, "Expiry date (if it has one)", 1, 1, 2035)
    shots.check(volunteer, "document-add")
    _click(volunteer, "Add")
    _answer(volunteer, "Do you want to add another identity document?", yes=False)
    _click(volunteer, "Continue")
    expect(volunteer.locator(".govuk-task-list").first).not_to_contain_text("Not yet started")
    shots.check(volunteer, "volunteer-done")

    # A private question from vetting, on its own page (answered after submission).
    deliver(
        portal.platform,
        "vetting.info_request_announced",
        case_id=str(uuid.uuid4()),
        application_id=app_id,
        request_id=f"req-{portal.tag}",
        items=[],
        volunteer_items=[
            {"question": "Tell us about the caution you received in 2019.", "field": None}
        ],
        due_by=None,
        requested_at=now().isoformat(),
        sensitive=True,
    )
    volunteer.reload()
    volunteer.get_by_role("link", name=re.compile("Question sent on")).click()
    expect(
        volunteer.get_by_label("Tell us about the caution you received in 2019.")
    ).to_be_visible()
    shots.check(volunteer, "volunteer-question")
    volunteer.goto(f"{url}/portal/volunteer")
    _click(volunteer, "Sign out")
    shots.check(volunteer, "volunteer-signed-out")

    # A used link is refused.
    volunteer.goto(f"{url}/portal/volunteer/{token}")
    shots.check(volunteer, "link-refused")

    coordinator.reload()
    main = coordinator.locator("main")
    expect(main).to_contain_text("Complete")
    expect(main).not_to_contain_text("Needs attention")
    for secret in ("Theft", "534791234"):
        expect(main).not_to_contain_text(secret)
    shots.check(coordinator, "sections-complete")
