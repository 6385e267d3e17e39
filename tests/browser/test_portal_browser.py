"""The coordinators' portal, the whole journey in a real browser: all four services running for
real (gunicorn, consumers, relays on PostgreSQL + RabbitMQ), the development identity provider
standing in for GOV.UK One Login, and the emails as the SMTP server receives them.

An organisation's admin signs in and invites a coordinator (who gets the email); the
coordinator builds a draft page by page, sees the address gap with its link, fixes it, and sends
the volunteer their link; the volunteer, in a browser of their own, opens the link from their
email and completes their convictions, connections and identity document; the coordinator sees
only "Complete", never what was written, and submits; vetting asks a question, the coordinator
answers it, vetting clears, and "Cleared" appears in the timeline. Another organisation's
coordinator gets 404 for every page of the first's application; the used link is refused.
Every page passes axe-core and fits a 320 px screen."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from tests.support import wait_for
from tests.support.clock import today
from tests.support.portal_browser import PortalWorld, expect, sign_in
from tests.support.workbench_browser import LAPTOP, PHONE, passes_axe, scroll_width

pytestmark = [pytest.mark.browser, pytest.mark.real_backends, pytest.mark.slow]


class Checked:
    """Each page as it is reached: axe-core, a phone's width, a screenshot."""

    def __init__(self, world: PortalWorld) -> None:
        self.world, self.count = world, 0

    def __call__(self, page: Any, name: str) -> None:
        passes_axe(page)
        self.count += 1
        shot = self.world.shots / f"portal-{self.count:02d}-{name}.png"
        page.screenshot(path=str(shot), full_page=True)
        page.set_viewport_size(PHONE)
        try:
            assert scroll_width(page) <= PHONE["width"], (page.url, name)
        finally:
            page.set_viewport_size(LAPTOP)


def click(page: Any, role: str, name: Any) -> None:
    with page.expect_navigation():
        page.get_by_role(role, name=name).click()


def save(page: Any) -> None:
    click(page, "button", "Save and continue")


def no_more(page: Any) -> None:
    page.get_by_label("No").check()
    click(page, "button", "Continue")


def date(page: Any, legend: str, day: Any) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def answer(page: Any, question: str, yes: bool) -> None:
    page.get_by_role("group", name=question).get_by_label("Yes" if yes else "No").check()


def address(page: Any, line1: str, postcode: str, start: Any, end: Any) -> None:
    page.get_by_label("Address line 1").fill(line1)
    page.get_by_label("Town or city").fill("Leeds")
    page.get_by_label("Postcode").fill(postcode)
    date(page, "Moved in", start)
    if end is not None:
        date(page, "Moved out", end)
    save(page)


def build_draft(page: Any, check: Checked, surname: str, email: str) -> str:
    """The coordinator's draft, page by page, with a gap in the address history; its id."""
    click(page, "link", "Start a new application")
    check(page, "start")
    click(page, "button", "Start now")
    page.get_by_role("combobox").fill("Wands")
    page.get_by_role("option", name="Wandsworth (HMP & YOI)").click()
    check(page, "prison")
    save(page)
    no_more(page)
    for label in ("Escorted", "Regularly"):
        page.get_by_label(label, exact=False).first.check()
        save(page)
    page.get_by_label("Group facilitator").check()
    save(page)
    page.get_by_label("First names").fill("Robin")
    page.get_by_label("They have no middle name").check()
    page.get_by_label("Last name").fill(surname)
    check(page, "name")
    save(page)
    date(page, "What is their date of birth?", today().replace(year=1984, day=7))
    save(page)
    page.get_by_label("Town or city").fill("York")
    page.get_by_label("Country").fill("England")
    save(page)
    save(page)  # no National Insurance number: it is optional
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Email", exact=True).check()
    save(page)
    now = today()
    address(page, "1 High Street", "LS1 1AA", now - timedelta(days=300), None)
    page.get_by_label("Yes").check()
    click(page, "button", "Continue")
    address(
        page, "2 Low Street", "YO1 7HH", now - timedelta(days=6 * 365), now - timedelta(days=401)
    )
    no_more(page)
    for n in (1, 2):
        page.get_by_label("First names").fill(f"Referee{n}")
        page.get_by_label("Last name").fill("Person")
        page.get_by_label("Email address").fill(f"referee{n}@example.net")
        page.get_by_label("How do they know the volunteer?").fill("employer")
        page.get_by_label("Postcode").fill("LS2 9JT")
        save(page)
        if n == 1:
            page.get_by_label("Yes").check()
            click(page, "button", "Continue")
    no_more(page)
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    found = re.search(r"/applications/([0-9a-f-]{36})/check", page.url)
    assert found, page.url
    return found.group(1)


def fix_the_gap(page: Any, check: Checked) -> None:
    """ADDRESS_GAP on check your answers, its link to the address history, explained there."""
    check(page, "check-answers-gap")
    click(page, "link", re.compile("There is a gap of"))
    expect(page.get_by_role("heading", name="Address history", level=1)).to_be_visible()
    click(page, "link", "Explain a gap in the address history")
    date(page, "Gap starts", today() - timedelta(days=400))
    date(page, "Gap ends", today() - timedelta(days=301))
    page.get_by_label("Where were they living?").fill("Travelling in Spain")
    save(page)
    no_more(page)
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("There is a gap of")


def volunteer_completes(page: Any, check: Checked, link: str, passport: str) -> None:
    page.goto(link)
    check(page, "volunteer-start")
    click(page, "button", "Continue")
    expect(page.get_by_role("heading", name="Your application", level=1)).to_be_visible()
    click(page, "link", "Convictions and cautions")
    check(page, "volunteer-declarations")
    answer(page, "Do you have a conviction or caution to declare?", yes=False)
    answer(page, "Are you on licence or under supervision now?", yes=False)
    click(page, "button", "Continue")
    click(page, "link", "People you know in prison")
    answer(page, "Do you know anyone who is in prison now?", yes=False)
    click(page, "button", "Continue")
    click(page, "link", "Identity documents")
    answer(page, "Do you want to add an identity document?", yes=True)
    click(page, "button", "Continue")
    page.get_by_label("Passport").check()
    page.get_by_label("Document number").fill(passport)
    check(page, "volunteer-document")
    click(page, "button", "Add")
    answer(page, "Do you want to add another identity document?", yes=False)
    click(page, "button", "Continue")
    expect(page.locator(".govuk-task-list").first).not_to_contain_text("Not yet started")
    check(page, "volunteer-done")
    click(page, "button", "Sign out")


def test_the_whole_journey_in_the_portal(
    portal_stack: PortalWorld, new_page: Callable[[], Any]
) -> None:
    world, check = portal_stack, Checked(portal_stack)
    surname = f"Ashby-{world.tag}"
    volunteer_email = world.email("volunteer")
    passport = f"P{world.tag.upper()}7"
    world.organisation("Portal Intergroup", "ada")
    world.organisation("Other Fellowship", "bea")

    # The admin signs in (the operator registered the organisation with her address) and
    # invites a coordinator, who gets the email with the way in.
    admin = new_page()
    sign_in(admin, world.url, world.username("ada"))
    check(admin, "applications-empty")
    click(admin, "link", "Team")
    click(admin, "button", "Invite someone")
    admin.get_by_label("Email address").fill(world.email("cole"))
    admin.get_by_label("Coordinator").check()
    check(admin, "invite")
    click(admin, "button", "Send invitation")
    expect(admin.locator(".govuk-notification-banner")).to_contain_text(world.email("cole"))
    check(admin, "team")
    assert world.link_sent_to(world.email("cole"), "/portal").endswith("/portal")

    # The coordinator: a draft, the gap fixed, the volunteer's link sent.
    coordinator = new_page()
    sign_in(coordinator, world.url, world.person("cole"))
    application_id = build_draft(coordinator, check, surname, volunteer_email)
    fix_the_gap(coordinator, check)
    click(coordinator, "link", "Send the volunteer their link")
    coordinator.get_by_label("By email", exact=False).check()
    check(coordinator, "send-link")
    click(coordinator, "button", "Send the link")
    expect(coordinator.locator("main")).to_contain_text("The link has been sent")

    # The volunteer, in a browser of their own, from the email.
    link = world.link_sent_to(volunteer_email, "/portal/volunteer/")
    volunteer = new_page()
    volunteer_completes(volunteer, check, link, passport)
    volunteer.goto(link)  # used once: refused
    expect(volunteer.locator("main")).to_contain_text(re.compile("already been used|used"))
    check(volunteer, "volunteer-link-used")

    # The coordinator sees "Complete" and nothing the volunteer wrote; submits.
    coordinator.goto(f"{world.url}/applications/{application_id}/check")
    main = coordinator.locator("main")
    expect(main).to_contain_text("Complete")
    expect(main).not_to_contain_text("Needs attention")
    expect(main).not_to_contain_text(passport)
    check(coordinator, "check-answers-ready")
    click(coordinator, "button", "Submit application")

    # Vetting asks a question; the coordinator answers it on the application's page.
    case = world.case_when(application_id, "AWAITING_DECISION", "OPEN")
    question = "Which group will Robin run at Wandsworth?"
    world.ask(case["id"], question)
    answer_button = coordinator.get_by_role("button", name="Answer this request")

    def asked() -> bool:  # the question comes through the broker
        coordinator.goto(f"{world.url}/applications/{application_id}")
        return answer_button.count() > 0

    wait_for(asked, timeout=90, message="vetting's question on the application's page")
    check(coordinator, "asked")
    click(coordinator, "button", "Answer this request")
    coordinator.get_by_label(question).fill("The Tuesday evening NA meeting.")
    check(coordinator, "answer")
    click(coordinator, "button", "Send answers")
    expect(coordinator.locator("main")).to_contain_text("Your answers have been sent to vetting.")

    # Vetting clears; the timeline says so.
    world.clear(world.case_when(application_id, "AWAITING_DECISION")["id"])

    def cleared() -> bool:
        coordinator.reload()
        timeline = coordinator.get_by_role("table", name=re.compile("What has happened"))
        return "Cleared" in timeline.inner_text()

    wait_for(cleared, timeout=90, message="Cleared in the timeline")
    expect(coordinator.locator("main")).not_to_contain_text(passport)
    check(coordinator, "cleared")

    # Another organisation's coordinator: 404 for every page of the first's application.
    other = new_page()
    sign_in(other, world.url, world.username("bea"))
    for path in (
        f"/applications/{application_id}",
        f"/applications/{application_id}/check",
        f"/applications/{application_id}/draft/prisons",
        f"/applications/{application_id}/volunteer-link",
        f"/applications/{application_id}/withdraw",
        f"/applications/{application_id}/changes",
        f"/applications/{application_id}/reconsideration",
    ):
        answer_ = other.goto(world.url + path)
        assert answer_ is not None and answer_.status == 404, (path, answer_ and answer_.status)
    check(other, "not-found")
