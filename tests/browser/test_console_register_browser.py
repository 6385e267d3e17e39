"""The on-site register in a real browser against the real web process (PostgreSQL, RabbitMQ):
an officer checks a badge at the gate and signs the person in from the ALLOWED answer; a second
sign-in while that visit is open is refused with a clear message; "On site now" lists them (and
flags a visit left open from yesterday), at a laptop's width and at 320 px; the evacuation roll
prints without the console's chrome; signing out takes them off the list and into their visit
history. Every page passes axe-core. Screenshots: CONSOLE_SCREENSHOTS=dir to keep them."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import update

from access.models import Visit
from tests.browser.test_console_browser import (
    LAPTOP,
    fits_the_width,
    no_accessibility_violations,
    open_page,
    sign_in,
)
from tests.support.clock import now

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips, or fails, saying so
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.real_backends, pytest.mark.slow]
__all__ = ["open_page"]  # a fixture, used by name

NARROW = {"width": 320, "height": 900}


def left_in_from_yesterday(server) -> str:
    """Someone signed in yesterday and never signed out: their surname."""
    surname = f"Overnight-{uuid.uuid4().hex[:6]}"
    grant_id, person_id = server.seed_request(surname)
    server.seeder.activate(grant_id, badge=f"WWI-N{uuid.uuid4().hex[:5].upper()}")
    response = server.seeder.call(
        "POST", "/establishments/WWI/visits", "officer", json={"person_id": person_id}
    )
    assert response.status_code == 201, response.json
    with server.seeder.platform.session_factory() as session:
        session.execute(
            update(Visit)
            .where(Visit.id == response.json["id"])
            .values(signed_in_at=now() - timedelta(days=1))
        )
        session.commit()
    return surname


def test_sign_in_at_the_gate_on_site_roll_and_sign_out(console_server, open_page):
    server = console_server
    surname = f"Visitor-{uuid.uuid4().hex[:6]}"
    grant_id, person_id = server.seed_request(surname)
    badge = f"WWI-V{uuid.uuid4().hex[:5].upper()}"
    server.seeder.activate(grant_id, badge=badge)
    overnight = left_in_from_yesterday(server)
    shots = server.shots

    page = open_page(LAPTOP)
    sign_in(page, server, "ann")
    page.get_by_role("link", name="Gate check").click()

    def check_badge() -> None:
        page.get_by_label("Badge number").fill(badge)
        page.get_by_role("button", name="Check").click()
        expect(page.locator(".gate-result__verdict")).to_have_text("ALLOWED")

    check_badge()
    sign_in_button = page.get_by_role("button", name=re.compile(f"^Sign in Rosa {surname}"))
    expect(sign_in_button).to_be_visible()
    no_accessibility_violations(page)
    page.screenshot(path=shots / "register-1-gate-sign-in.png", full_page=True)
    sign_in_button.click()
    expect(page.get_by_text(f"Rosa {surname} is signed in.")).to_be_visible()

    # A second sign-in while the visit is open: refused, saying why.
    check_badge()
    with page.expect_response(re.compile("/console/visits$")) as refused:
        page.get_by_role("button", name=re.compile(f"^Sign in Rosa {surname}")).click()
    assert refused.value.status == 409
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("already signed in here")
    no_accessibility_violations(page)
    page.screenshot(path=shots / "register-2-second-sign-in-refused.png", full_page=True)

    page.get_by_role("link", name="On site now").click()
    expect(page.get_by_role("heading", name="On site now")).to_be_visible()
    row = page.locator("tbody tr", has_text=surname)
    expect(row).to_contain_text(badge)
    expect(page.locator("tbody tr", has_text=overnight)).to_contain_text("Left open")
    expect(page.locator(".govuk-warning-text")).to_contain_text("left open from an earlier day")
    assert fits_the_width(page)
    no_accessibility_violations(page)
    page.screenshot(path=shots / "register-3-on-site-1280.png", full_page=True)

    page.get_by_role("button", name="Print the evacuation roll").click()
    expect(page.get_by_role("heading", name="Evacuation roll")).to_be_visible()
    roll = page.locator("tbody tr", has_text=surname)
    expect(roll).to_contain_text(badge)
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    no_accessibility_violations(page)
    page.emulate_media(media="print")
    expect(page.locator(".govuk-header")).to_be_hidden()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    expect(roll).to_be_visible()
    page.screenshot(path=shots / "register-4-roll-print.png", full_page=True)
    page.emulate_media(media="screen")
    page.get_by_role("link", name="On site now").first.click()

    page.get_by_role("button", name=f"Sign out Rosa {surname}").click()
    expect(page.get_by_text(f"Rosa {surname} is signed out.")).to_be_visible()
    expect(page.locator("tbody tr", has_text=surname)).to_have_count(0)
    expect(page.locator("tbody tr", has_text=overnight)).to_be_visible()

    page.goto(f"{server.url}/console/people/{person_id}")
    expect(page.get_by_role("heading", name="Visits")).to_be_visible()
    expect(page.locator("#visits ~ table tbody tr")).to_have_count(1)
    no_accessibility_violations(page)
    page.screenshot(path=shots / "register-5-person-visits.png", full_page=True)


def test_on_site_now_at_320_px(console_server, open_page):
    overnight = left_in_from_yesterday(console_server)
    page = open_page(LAPTOP)
    sign_in(page, console_server, "ann")
    page.set_viewport_size(NARROW)  # the menu folds away at this width: signed in first
    page.goto(f"{console_server.url}/console/on-site")
    row = page.locator("tbody tr", has_text=overnight)
    expect(row).to_be_visible()
    assert fits_the_width(page)
    no_accessibility_violations(page)
    # Keyboard: the row's sign-out button is reached by Tab and pressed with Enter.
    button = page.get_by_role("button", name=re.compile(f"^Sign out Rosa {overnight}"))
    button.focus()
    page.screenshot(path=console_server.shots / "register-6-on-site-320.png", full_page=True)
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"Rosa {overnight} is signed out.")).to_be_visible()
    assert fits_the_width(page)
