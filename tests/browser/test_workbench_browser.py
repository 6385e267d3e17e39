"""The vetting workbench in a real browser, with all four services running for real (gunicorn
web processes, consumers and relays on PostgreSQL + RabbitMQ) and the development identity
provider (a real process).

An officer signs in, opens the oldest case awaiting a decision, reads its risk summary and asks
for information; the organisation answers through the applications API; the officer proposes a
refusal, which they cannot countersign, and a manager does; the organisation asks for
reconsideration; another officer clears the case, escorted only, against the risk summary, and
another manager countersigns; the organisation's application is CLEARED. A second case is
cleared against its REFER recommendation with the keyboard alone, and countersigned. Every page
visited passes axe-core (no serious or critical violation); the queue and the case page fit a
320 px screen without sideways scrolling. Screenshots are kept (WORKBENCH_SCREENSHOTS=dir to
keep them somewhere of your choosing)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.workbench_browser import (
    LAPTOP,
    PHONE,
    Workbench,
    passes_axe,
    scroll_width,
    sign_in,
    sign_out,
)

try:  # Assertions that wait for the page (a click starts a navigation; it does not await it).
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips, or fails, saying so
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.real_backends, pytest.mark.slow]


@pytest.fixture
def open_page(chromium: Any) -> Iterator[Any]:
    """A new browser context (its own cookies: one member of staff) per page opened."""
    contexts: list[Any] = []
    expect.set_options(timeout=15_000)  # a loaded CI machine is slower than the default 5 s

    def open_(viewport: dict[str, int] = LAPTOP) -> Any:
        # bypass_csp: axe-core is injected into the pages it checks (the pages' own policy
        # refuses any script, as it should).
        context = chromium.new_context(viewport=viewport, locale="en-GB", bypass_csp=True)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


def fits_a_phone(page: Any) -> None:
    """At 320 px wide the page scrolls only downwards (wide tables scroll inside themselves)."""
    page.set_viewport_size(PHONE)
    try:
        page.reload()
        assert scroll_width(page) <= PHONE["width"], (page.url, scroll_width(page))
    finally:
        page.set_viewport_size(LAPTOP)
        page.reload()


def open_case(page: Any, workbench: Workbench, case_id: str) -> None:
    page.goto(f"{workbench.url}/cases/{case_id}")
    expect(page.get_by_role("heading", name="Risk summary")).to_be_visible()


def act(page: Any, link: str, fill: Any, button: str, done: str) -> None:
    """From the case page: open a decision form, check it, fill it in, send it; the case page
    again with the banner saying it is done."""
    # The case's forms are links drawn as buttons (GOV.UK's secondary buttons). Each click
    # awaits the page it leads to: what is checked next must be on that page.
    with page.expect_navigation():
        page.get_by_role("button", name=link, exact=True).click()
    passes_axe(page)
    fill(page)
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()
    if page.get_by_role("button", name="Confirm", exact=True).count():
        passes_axe(page)  # the confirmation page of an act that cannot be undone
        with page.expect_navigation():
            page.get_by_role("button", name="Confirm", exact=True).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(done)
    expect(page.get_by_role("heading", name="Risk summary")).to_be_visible()


def countersign(page: Any, what: str, note: str, done: str) -> None:
    def fill(form: Any) -> None:
        form.get_by_label("Confirm", exact=True).check()
        form.get_by_label("Note").fill(note)

    act(page, f"Countersign the {what}", fill, "Continue", done)


def test_refused_reconsidered_and_cleared_escorted_through_the_workbench(
    workbench_stack: Workbench, open_page
):
    wb = workbench_stack
    surname = f"Journey-{uuid.uuid4().hex[:6]}"
    application_id = wb.apply(surname, undeclared=True)
    # Two more after it, so that it is the oldest of a queue.
    later = [wb.apply(f"{name}-{uuid.uuid4().hex[:4]}") for name in ("Nowak", "Okafor")]
    case_id = wb.case_when(application_id, "AWAITING_DECISION")["id"]
    for other in later:
        wb.case_when(other, "AWAITING_DECISION")

    officer = open_page()
    passes_axe_signed_out(officer, wb)
    sign_in(officer, wb, "vic")
    # The queue, the cases awaiting a decision oldest first: this one is the oldest.
    expect(officer.get_by_role("heading", name="Cases", exact=True)).to_be_visible()
    officer.get_by_label("State").select_option("AWAITING_DECISION")
    with officer.expect_navigation():
        officer.get_by_role("button", name="Filter").click()
    first = officer.locator("#cases tbody tr").first
    expect(first).to_contain_text(surname)
    passes_axe(officer)
    officer.screenshot(path=wb.shots / "workbench-queue.png", full_page=True)
    fits_a_phone(officer)

    first.get_by_role("link", name=re.compile("^Case ")).click()
    expect(officer).to_have_url(re.compile(f"/workbench/cases/{case_id}$"))
    expect(officer.get_by_role("heading", name="Risk summary")).to_be_visible()
    expect(officer.locator("#risk ~ p").first).to_contain_text("Refer")
    passes_axe(officer)
    officer.screenshot(path=wb.shots / "workbench-case.png")  # its first screen
    fits_a_phone(officer)

    def ask(form: Any) -> None:
        form.get_by_label("What do you need?").fill("Tell us about the 2022 conviction.")
        form.get_by_label("Why do you need it?").fill("A record was found, not declared.")

    act(officer, "Ask for information", ask, "Send request", "Information requested")
    wb.application_when(application_id, "INFO_REQUESTED")
    wb.answer(application_id, "I forgot it; it was a fine, and I have been clean since.")
    wb.case_when(application_id, "AWAITING_DECISION")

    officer.reload()

    def refuse(form: Any) -> None:
        form.get_by_label("Reasons for refusal").fill("Undeclared drugs conviction.")

    act(officer, "Propose a refusal", refuse, "Continue", "Refusal proposed")
    # Not the officer's to countersign: no form offered, and the address refuses them.
    expect(officer.get_by_role("button", name="Countersign the refusal")).to_have_count(0)
    refused = officer.goto(f"{wb.url}/cases/{case_id}/refusal/countersignature")
    assert refused.status == 403
    passes_axe(officer)
    sign_out(officer)

    manager = open_page()
    sign_in(manager, wb, "meg")
    open_case(manager, wb, case_id)
    countersign(manager, "refusal", "Agreed: honesty matters here.", "Refusal countersigned")
    wb.application_when(application_id, "REFUSED")

    wb.ask_reconsideration(application_id, "A first offence; the form's wording misled them.")
    wb.case_when(application_id, "RECONSIDERATION")
    second_officer = open_page()
    sign_in(second_officer, wb, "val")
    open_case(second_officer, wb, case_id)

    def clear_escorted(form: Any) -> None:
        form.get_by_label("Escorted only").check()
        form.get_by_label("Why you are clearing the case").fill("Candid; old, minor; escorted.")

    act(second_officer, "Clear", clear_escorted, "Clear", "Clearance proposed")
    assert wb.application(application_id)["status"] != "CLEARED"

    second_manager = open_page()
    sign_in(second_manager, wb, "max")
    open_case(second_manager, wb, case_id)
    countersign(
        second_manager, "clearance", "Agreed on reconsideration.", "Clearance countersigned"
    )
    view = wb.application_when(application_id, "CLEARED")
    assert view["outcome"]["conditions"] == ["ESCORTED_ONLY"]
    trail = wb.audit(case_id)
    assert "case.refusal_countersigned" in trail and "case.override_countersigned" in trail

    # The service levels, the clearances, the clearance: each passes axe.
    second_manager.get_by_role("link", name="Service levels").click()
    expect(second_manager.get_by_role("heading", name="Service levels")).to_be_visible()
    expect(second_manager.locator("#by-state")).to_contain_text("Cleared")
    expect(second_manager.locator("svg[role=img][aria-describedby^=chart-]")).to_have_count(2)
    passes_axe(second_manager)
    second_manager.screenshot(path=wb.shots / "workbench-report.png", full_page=True)
    second_manager.get_by_role("link", name="Clearances").click()
    expect(second_manager.get_by_role("heading", name="Clearances", level=1)).to_be_visible()
    passes_axe(second_manager)
    second_manager.get_by_label("Surname").fill(surname)
    with second_manager.expect_navigation():
        second_manager.get_by_role("button", name="Search").click()
    second_manager.locator("main table a").first.click()
    expect(second_manager.get_by_role("heading", level=1)).to_contain_text(surname)
    expect(second_manager.locator("main")).to_contain_text("Escorted only")
    passes_axe(second_manager)


def passes_axe_signed_out(page: Any, workbench: Workbench) -> None:
    page.goto(workbench.url + "/login")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    passes_axe(page)


def tab_to(page: Any, matches: str, limit: int = 150) -> None:
    """Press Tab until the focused element satisfies `matches` (JavaScript of `el`)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => Boolean(el && ({matches})))(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached {matches} on {page.url}")


def test_an_override_of_refer_is_countersigned_and_the_keyboard_alone_will_do(
    workbench_stack: Workbench, open_page
):
    wb = workbench_stack
    surname = f"Override-{uuid.uuid4().hex[:6]}"
    application_id = wb.apply(surname, undeclared=True)
    case_id = wb.case_when(application_id, "AWAITING_DECISION")["id"]

    officer = open_page()
    sign_in(officer, wb, "vic")
    passes_axe(officer)  # the whole queue, unfiltered
    # With the keyboard alone: the case's link in the queue, its Clear form, the form itself.
    tab_to(officer, f"el.href && el.href.endsWith('/cases/{case_id}')")
    officer.keyboard.press("Enter")
    expect(officer.get_by_role("heading", name="Risk summary")).to_be_visible()
    passes_axe(officer)
    tab_to(officer, "el.textContent.trim() === 'Clear' && el.href")
    officer.keyboard.press("Enter")
    expect(officer.get_by_role("heading", name="Clear the case")).to_be_visible()
    expect(officer.get_by_text("The risk summary recommends refer")).to_be_visible()
    passes_axe(officer)
    tab_to(officer, "el.name === 'reason'")
    officer.keyboard.type("Old and minor; the applicant was candid when asked.")
    tab_to(officer, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Clear'")
    officer.keyboard.press("Enter")
    expect(officer.locator(".govuk-notification-banner")).to_contain_text("Clearance proposed")
    assert wb.application(application_id)["status"] != "CLEARED"
    expect(officer.get_by_role("button", name="Countersign the clearance")).to_have_count(0)
    assert officer.goto(f"{wb.url}/cases/{case_id}/clearance/countersignature").status == 403

    manager = open_page()
    sign_in(manager, wb, "meg")
    open_case(manager, wb, case_id)
    countersign(manager, "clearance", "Agreed: old and minor.", "Clearance countersigned")
    wb.application_when(application_id, "CLEARED")
    assert "case.override_countersigned" in wb.audit(case_id)


def test_records_found_beside_declarations_pass_axe_and_fit_a_phone(
    workbench_stack: Workbench, open_page
):
    wb = workbench_stack
    application_id = wb.apply(
        f"Records-{uuid.uuid4().hex[:6]}", undeclared=True, markers="+sim-protected-caution"
    )
    case_id = wb.case_when(application_id, "AWAITING_DECISION")["id"]
    officer = open_page()
    sign_in(officer, wb, "vic")
    open_case(officer, wb, case_id)
    records = officer.locator("#records")
    expect(records.get_by_text("Not declared", exact=True)).to_be_visible()
    expect(records.get_by_text(re.compile(r"need not be: protected"))).to_be_visible()
    expect(records.locator(".govuk-tag--green", has_text="Declared")).to_be_visible()
    passes_axe(officer)
    records.screenshot(path=wb.shots / "workbench-records.png")
    fits_a_phone(officer)
    officer.set_viewport_size(PHONE)
    officer.reload()
    officer.locator("#records").screenshot(path=wb.shots / "workbench-records-phone.png")
