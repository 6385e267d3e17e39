"""Who holds access here, in a real browser against the real web process (PostgreSQL) and the
test identity provider: the list filtered to key holders whose access ends within 30 days,
sorted by a column header, exported as CSV (a name typed as `=HYPERLINK(` arrives neutralised),
each page passing axe-core and fitting a 320 px screen. Screenshots are kept
(CONSOLE_SCREENSHOTS=dir)."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta
from typing import Any

import pytest

from tests.browser.test_console_browser import (
    LAPTOP,
    fits_the_width,
    no_accessibility_violations,
    open_page,
    sign_in,
)
from tests.browser.test_console_find_browser import PHONE
from tests.support.clock import now
from tests.support.console_server import ConsoleServer

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips, or fails, saying so
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.real_backends, pytest.mark.slow]
__all__ = ["open_page"]  # a fixture, used by name

HYPERLINK = '=HYPERLINK("http://evil.example/x","Click here")'


def holder(server: ConsoleServer, forenames: str, surname: str, kind: str, days: int | None) -> str:
    """An ACTIVE grant at WWI of that kind, valid `days` more days (else a year)."""
    seeder = server.seeder
    data = seeder.grant_clearance(
        establishments=("WWI",), forenames=forenames, surname=surname, access="KEY_HOLDING"
    )
    grant_id = seeder.grant_id(data["person_id"])
    terms = {"valid_until": (now() + timedelta(days=days)).isoformat()} if days else {}
    seeder.activate(grant_id, access_type=kind, **terms)
    return grant_id


def test_key_holders_expiring_in_30_days_exported_as_csv(console_server, open_page, tmp_path):
    shots, tag = console_server.shots, uuid.uuid4().hex[:5]
    soon = holder(console_server, "Kay", f"Keyes-{tag}", "KEY_HOLDING", 12)
    formula = holder(console_server, "Mal", f"{HYPERLINK}{tag}", "KEY_HOLDING", 25)
    later = holder(console_server, "Lou", f"Lock-{tag}", "KEY_HOLDING", None)
    visitor = holder(console_server, "Eve", f"Escott-{tag}", "ESCORTED", 5)
    page: Any = open_page(LAPTOP)
    sign_in(page, console_server, "ann")

    page.get_by_role("link", name="Who holds access").click()
    expect(page.get_by_role("heading", name="Who holds access here")).to_be_visible()
    no_accessibility_violations(page)
    page.get_by_label("Key holders only").check()
    page.get_by_label("Access ending within").fill("30")
    page.get_by_role("button", name="Apply filters").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("tbody")).to_contain_text(f"Keyes-{tag}")
    expect(page.locator("tbody")).to_contain_text(f"{HYPERLINK}{tag}")  # shown as text
    for absent in (f"Lock-{tag}", f"Escott-{tag}"):
        expect(page.locator("tbody")).not_to_contain_text(absent)
    expect(page.get_by_label("Key holders only")).to_be_checked()  # the filters stay
    page.screenshot(path=shots / "h1-1-holders-key-holders-expiring.png", full_page=True)
    assert fits_the_width(page)
    no_accessibility_violations(page)

    # Sorted by "Valid until" from its header: the sooner end first, the filters kept.
    page.get_by_role("link", name="Valid until").click()
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Valid until")
    expect(rows.first).to_contain_text(f"Keyes-{tag}")
    expect(rows).to_have_count(2)
    no_accessibility_violations(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    saved = tmp_path / "holders.csv"
    download.value.save_as(saved)
    text = saved.read_text("utf-8")
    exported = list(csv.DictReader(io.StringIO(text)))
    assert [row["Grant ID"] for row in exported] == [soon, formula]
    assert exported[1]["Surname"] == f"'{HYPERLINK}{tag}"
    assert not any(
        cell.startswith(("=", "+", "-", "@", "\t", "\r"))
        for row in exported
        for cell in row.values()
    )
    assert later not in text and visitor not in text

    # At 320 px: the table as cards, nothing wider than the screen.
    page.set_viewport_size(PHONE)
    page.screenshot(path=shots / "h1-2-holders-320.png", full_page=True)
    assert fits_the_width(page)
    no_accessibility_violations(page)

    # A number of days that is not one: the error summary, linked to the box.
    page.set_viewport_size(LAPTOP)
    page.get_by_label("Access ending within").fill("soon")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("whole number from 0 to 366")
    no_accessibility_violations(page)
    page.screenshot(path=shots / "h1-3-holders-error.png", full_page=True)
