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
Everything is done by keyboard alone (Tab, typing, Space and the arrow keys, Enter: a control
Tab cannot reach fails the test), and every page passes axe-core and fits a 320 px screen."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from tests.support import keyboard as keys
from tests.support import wait_for
from tests.support.clock import today
from tests.support.portal_browser import PortalWorld, Shots, expect, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.real_backends, pytest.mark.slow]


def button(page: Any, name: Any) -> Any:
    return page.get_by_role("button", name=name)


def link(page: Any, name: Any) -> Any:
    return page.get_by_role("link", name=name)


def group(page: Any, legend: Any) -> Any:
    return page.get_by_role("group", name=legend)


def save(page: Any) -> None:
    keys.follow(page, button(page, "Save and continue"))


def yes_no(page: Any, legend: Any, answer: str) -> None:
    question = group(page, legend)
    keys.choose(page, question, question.get_by_label(answer, exact=True))


def no_more(page: Any) -> None:
    """ "Add another?" at the foot of a list: No."""
    yes_no(page, re.compile(r"\?$"), "No")
    keys.follow(page, button(page, "Continue"))


def address(page: Any, line1: str, postcode: str, start: Any, end: Any) -> None:
    keys.type_into(page, page.get_by_label("Address line 1"), line1)
    keys.type_into(page, page.get_by_label("Town or city"), "Leeds")
    keys.type_into(page, page.get_by_label("Postcode"), postcode)
    keys.date(page, group(page, "Moved in"), start)
    if end is not None:
        keys.date(page, group(page, "Moved out"), end)
    save(page)


def build_draft(page: Any, shots: Shots, surname: str, email: str) -> str:
    """The coordinator's draft, page by page by keyboard, with a gap in the address history;
    its id."""
    keys.follow(page, link(page, "Start a new application"))
    shots.check(page, "start")
    keys.follow(page, button(page, "Start now"))
    # The type-ahead: type part of the name, the arrow to the suggestion, Enter.
    keys.type_into(page, page.get_by_role("combobox"), "Wands")
    expect(page.get_by_role("option", name="Wandsworth (HMP & YOI)")).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.get_by_role("combobox")).to_have_value("Wandsworth (HMP & YOI)")
    shots.check(page, "prison")
    save(page)
    no_more(page)
    for label in ("Escorted", "Regularly"):
        radios = page.locator("main fieldset").first
        keys.choose(page, radios, radios.get_by_label(label, exact=False).first)
        save(page)
    radios = page.locator("main fieldset").first
    keys.choose(page, radios, radios.get_by_label("Group facilitator"))
    save(page)
    keys.type_into(page, page.get_by_label("First names"), "Robin")
    keys.tick(page, page.get_by_label("They have no middle name"))
    keys.type_into(page, page.get_by_label("Last name"), surname)
    shots.check(page, "name")
    save(page)
    keys.date(page, group(page, "What is their date of birth?"), today().replace(year=1984, day=7))
    save(page)
    keys.type_into(page, page.get_by_label("Town or city"), "York")
    keys.type_into(page, page.get_by_label("Country"), "England")
    save(page)
    save(page)  # no National Insurance number: it is optional
    keys.type_into(page, page.get_by_label("Email address"), email)
    channel = page.locator("main fieldset").first
    keys.choose(page, channel, channel.get_by_label("Email", exact=True))
    save(page)
    now = today()
    address(page, "1 High Street", "LS1 1AA", now - timedelta(days=300), None)
    yes_no(page, re.compile(r"\?$"), "Yes")
    keys.follow(page, button(page, "Continue"))
    address(
        page, "2 Low Street", "YO1 7HH", now - timedelta(days=6 * 365), now - timedelta(days=401)
    )
    no_more(page)
    for n in (1, 2):
        keys.type_into(page, page.get_by_label("First names"), f"Referee{n}")
        keys.type_into(page, page.get_by_label("Last name"), "Person")
        keys.type_into(page, page.get_by_label("Email address"), f"referee{n}@example.net")
        keys.type_into(page, page.get_by_label("How do they know the volunteer?"), "employer")
        keys.type_into(page, page.get_by_label("Postcode"), "LS2 9JT")
        save(page)
        if n == 1:
            yes_no(page, re.compile(r"\?$"), "Yes")
            keys.follow(page, button(page, "Continue"))
    no_more(page)
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    found = re.search(r"/applications/([0-9a-f-]{36})/check", page.url)
    assert found, page.url
    return found.group(1)


def fix_the_gap(page: Any, shots: Shots) -> None:
    """ADDRESS_GAP on check your answers, its link to the address history, explained there."""
    shots.check(page, "check-answers-gap")
    keys.follow(page, link(page, re.compile("There is a gap of")))
    expect(page.get_by_role("heading", name="Address history", level=1)).to_be_visible()
    keys.follow(page, link(page, "Explain a gap in the address history"))
    keys.date(page, group(page, "Gap starts"), today() - timedelta(days=400))
    keys.date(page, group(page, "Gap ends"), today() - timedelta(days=301))
    keys.type_into(page, page.get_by_label("Where were they living?"), "Travelling in Spain")
    save(page)
    no_more(page)
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("There is a gap of")


def volunteer_completes(page: Any, shots: Shots, link_url: str, passport: str) -> None:
    """The volunteer's part, by keyboard: their convictions, connections, identity document."""
    page.goto(link_url)
    shots.check(page, "volunteer-start")
    keys.follow(page, button(page, "Continue"))
    expect(page.get_by_role("heading", name="Your application", level=1)).to_be_visible()
    keys.follow(page, link(page, "Convictions and cautions"))
    shots.check(page, "volunteer-declarations")
    yes_no(page, "Do you have a conviction or caution to declare?", "No")
    yes_no(page, "Are you on licence or under supervision now?", "No")
    keys.follow(page, button(page, "Continue"))
    keys.follow(page, link(page, "People you know in prison"))
    yes_no(page, "Do you know anyone who is in prison now?", "No")
    keys.follow(page, button(page, "Continue"))
    keys.follow(page, link(page, "Identity documents"))
    yes_no(page, "Do you want to add an identity document?", "Yes")
    keys.follow(page, button(page, "Continue"))
    documents = group(page, "Type of document")
    keys.choose(page, documents, documents.get_by_label("Passport"))
    keys.type_into(page, page.get_by_label("Document number"), passport)
    shots.check(page, "volunteer-document")
    keys.follow(page, button(page, "Add"))
    yes_no(page, "Do you want to add another identity document?", "No")
    keys.follow(page, button(page, "Continue"))
    expect(page.locator(".govuk-task-list").first).not_to_contain_text("Not yet started")
    shots.check(page, "volunteer-done")
    keys.follow(page, button(page, "Sign out"))


def test_the_whole_journey_in_the_portal(
    portal_stack: PortalWorld, new_page: Callable[[], Any], shots: Shots
) -> None:
    world = portal_stack
    surname = f"Ashby-{world.tag}"
    volunteer_email = world.email("volunteer")
    passport = f"P{world.tag.upper()}7"
    world.organisation("Portal Intergroup", "ada")
    world.organisation("Other Fellowship", "bea")

    # The admin signs in (the operator registered the organisation with her address) and
    # invites a coordinator, who gets the email with the way in.
    admin = new_page()
    sign_in(admin, world.url, world.username("ada"))
    shots.check(admin, "applications-empty")
    keys.follow(admin, link(admin, "Team"))
    keys.follow(admin, button(admin, "Invite someone"))
    keys.type_into(admin, admin.get_by_label("Email address"), world.email("cole"))
    role = group(admin, re.compile("role", re.IGNORECASE))
    keys.choose(admin, role, role.get_by_label("Coordinator"))
    shots.check(admin, "invite")
    keys.follow(admin, button(admin, "Send invitation"))
    expect(admin.locator(".govuk-notification-banner")).to_contain_text(world.email("cole"))
    shots.check(admin, "team")
    assert world.link_sent_to(world.email("cole"), "/portal").endswith("/portal")

    # The coordinator: a draft, the gap fixed, the volunteer's link sent.
    coordinator = new_page()
    sign_in(coordinator, world.url, world.person("cole"))
    application_id = build_draft(coordinator, shots, surname, volunteer_email)
    fix_the_gap(coordinator, shots)
    keys.follow(coordinator, link(coordinator, "Send the volunteer their link"))
    how = coordinator.locator("main fieldset").first
    keys.choose(coordinator, how, how.get_by_label("By email", exact=False))
    shots.check(coordinator, "send-link")
    keys.follow(coordinator, button(coordinator, "Send the link"))
    expect(coordinator.locator("main")).to_contain_text("The link has been sent")

    # The volunteer, in a browser of their own, from the email.
    link_url = world.link_sent_to(volunteer_email, "/portal/volunteer/")
    volunteer = new_page()
    volunteer_completes(volunteer, shots, link_url, passport)
    volunteer.goto(link_url)  # used once: refused
    expect(volunteer.locator("main")).to_contain_text(re.compile("already been used|used"))
    shots.check(volunteer, "volunteer-link-used")

    # The coordinator sees "Complete" and nothing the volunteer wrote; submits.
    coordinator.goto(f"{world.url}/applications/{application_id}/check")
    main = coordinator.locator("main")
    expect(main).to_contain_text("Complete")
    expect(main).not_to_contain_text("Needs attention")
    expect(main).not_to_contain_text(passport)
    shots.check(coordinator, "check-answers-ready")
    keys.follow(coordinator, button(coordinator, "Submit application"))

    # Vetting asks a question; the coordinator answers it on the application's page.
    case = world.case_when(application_id, "AWAITING_DECISION", "OPEN")
    question = "Which group will Robin run at Wandsworth?"
    world.ask(case["id"], question)
    answer_button = coordinator.get_by_role("button", name="Answer this request")

    def asked() -> bool:  # the question comes through the broker
        coordinator.goto(f"{world.url}/applications/{application_id}")
        return answer_button.count() > 0

    wait_for(asked, timeout=90, message="vetting's question on the application's page")
    shots.check(coordinator, "asked")
    keys.follow(coordinator, answer_button)
    keys.type_into(coordinator, coordinator.get_by_label(question), "The Tuesday NA meeting.")
    shots.check(coordinator, "answer")
    keys.follow(coordinator, button(coordinator, "Send answers"))
    expect(coordinator.locator("main")).to_contain_text("Your answers have been sent to vetting.")

    # Vetting clears; the timeline says so.
    world.clear(world.case_when(application_id, "AWAITING_DECISION")["id"])

    def cleared() -> bool:
        coordinator.reload()
        timeline = coordinator.get_by_role("table", name=re.compile("What has happened"))
        return "Cleared" in timeline.inner_text()

    wait_for(cleared, timeout=90, message="Cleared in the timeline")
    expect(coordinator.locator("main")).not_to_contain_text(passport)
    shots.check(coordinator, "cleared")

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
    shots.check(other, "not-found")
