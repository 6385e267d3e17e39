"""Finding a person and the gate without a badge, in a real browser against the real web process
(PostgreSQL) and the test identity provider: the badge issued with a photo taken from a file
(a JPEG carrying a camera, a GPS position and an orientation), a lower-case badge at the gate
ALLOWED with the photo (its EXIF gone), the gate check by name and date of birth (one match
answers; two are a choice), "Find a person" by name with and without accents, each page
passing axe-core and fitting a 320 px screen. Screenshots are kept (CONSOLE_SCREENSHOTS=dir)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.test_console_browser import (
    LAPTOP,
    fits_the_width,
    no_accessibility_violations,
    sign_in,
)
from tests.support.console_server import ConsoleServer
from tests.support.photos import CAMERA, jpeg_with_exif, opened

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips, or fails, saying so
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.real_backends, pytest.mark.slow]

PHONE = {"width": 320, "height": 640}


@pytest.fixture
def open_page(chromium: Any) -> Iterator[Any]:
    contexts: list[Any] = []
    expect.set_options(timeout=15_000)

    def open_(viewport: dict[str, int]) -> Any:
        context = chromium.new_context(viewport=viewport, locale="en-GB", bypass_csp=True)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


def seed(server: ConsoleServer, forenames: str, surname: str, born: str = "1980-02-29") -> str:
    data = server.seeder.grant_clearance(
        establishments=("WWI",), forenames=forenames, surname=surname, date_of_birth=born
    )
    return server.seeder.grant_id(data["person_id"])


def gate_by_name(page: Any, name: str, day: str, month: str, year: str) -> None:
    page.get_by_role("link", name="Gate check").click()
    page.locator("summary", has_text="No badge?").click()
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Day").fill(day)
    page.get_by_label("Month").fill(month)
    page.get_by_label("Year").fill(year)
    page.get_by_role("button", name="Check", exact=True).click()


def test_badge_with_a_photo_the_gate_by_badge_and_by_name_and_find(
    console_server, open_page, tmp_path
):
    shots, tag = console_server.shots, uuid.uuid4().hex[:5]
    surname = f"Ó Briain-{tag}"
    grant_id = seed(console_server, "Siobhán", surname)
    photo = tmp_path / "camera.jpg"
    photo.write_bytes(jpeg_with_exif(width=1200, height=800))
    page = open_page(LAPTOP)
    sign_in(page, console_server, "ann")

    # Approve, then the badge issued with its photo.
    page.goto(f"{console_server.url}/console/grants/{grant_id}")
    page.get_by_role("button", name="Approve access").click()
    expect(page.get_by_text("Access approved.")).to_be_visible()
    badge = f"WWI-{tag.upper()}"
    page.get_by_label("Security briefing given").check()
    page.get_by_label("ID badge number").fill(badge)
    page.get_by_label("Photo for the badge (optional)").set_input_files(str(photo))
    no_accessibility_violations(page)
    page.screenshot(path=shots / "h2-1-induction-with-photo.png", full_page=True)
    page.get_by_role("button", name="Record induction").click()
    expect(page.get_by_text("Induction recorded.")).to_be_visible()
    expect(page.locator(".status-line")).to_have_text("Active")
    expect(page.get_by_role("img", name=re.compile("^Photo of Siobhán"))).to_be_visible()
    no_accessibility_violations(page)
    page.screenshot(path=shots / "h2-2-grant-with-photo.png", full_page=True)

    # A lower-case badge at the gate: ALLOWED, with the photo, its EXIF gone.
    page.get_by_role("link", name="Gate check").click()
    page.get_by_label("Badge number").fill(f" {badge.lower()} ")
    page.get_by_role("button", name="Check", exact=True).click()
    expect(page.locator(".gate-result__verdict")).to_have_text("ALLOWED")
    shown = page.locator(".gate-result img")
    expect(shown).to_be_visible()
    assert shown.evaluate("img => img.complete && img.naturalWidth > 0")
    served = page.request.get(console_server.url + shown.get_attribute("src"))
    assert served.status == 200 and served.headers["cache-control"] == "no-store"
    kept = opened(served.body())
    assert kept.format == "JPEG" and not kept.getexif() and CAMERA.encode() not in served.body()
    assert kept.height > kept.width  # turned upright as its EXIF said, before the EXIF went
    no_accessibility_violations(page)
    page.screenshot(path=shots / "h2-3-gate-lower-case-badge-photo.png", full_page=True)

    # By name and date of birth, without the accents: one person, ALLOWED.
    gate_by_name(page, f"siobhan o briain-{tag}", "29", "2", "1980")
    expect(page.locator(".gate-result__verdict")).to_have_text("ALLOWED")
    expect(page.locator(".gate-result")).to_contain_text(f"Siobhán {surname}")
    expect(page.locator(".gate-result img")).to_be_visible()
    no_accessibility_violations(page)
    page.screenshot(path=shots / "h2-4-gate-by-name.png", full_page=True)

    # The wrong birthday: nobody, NOT ALLOWED.
    gate_by_name(page, f"siobhan o briain-{tag}", "28", "2", "1980")
    expect(page.locator(".gate-result__verdict")).to_have_text("NOT ALLOWED")
    expect(page.locator(".gate-result")).to_contain_text("No access at this establishment.")

    # Two of one name and birthday: a choice; the one chosen is checked by their id.
    seed(console_server, "Siobhan", f"O Briain {tag}")
    gate_by_name(page, f"Siobhan O Briain {tag}", "29", "2", "1980")
    choices = page.get_by_role("region", name="2 people match")
    expect(choices).to_be_visible()
    no_accessibility_violations(page)
    page.screenshot(path=shots / "h2-5-gate-choose.png", full_page=True)
    choices.get_by_role("button", name=re.compile(f"Siobhán {surname}")).click()
    expect(page.locator(".gate-result__verdict")).to_have_text("ALLOWED")

    # Find a person by name, with and without accents (both of that name: the hyphen is a
    # space to the search), then narrowed by the badge: linked to their page.
    for typed in (f"Siobhán Ó Briain-{tag}", f"SIOBHAN o briain {tag}"):
        page.get_by_role("link", name="Find a person").click()
        page.get_by_label("Name", exact=True).fill(typed)
        page.get_by_role("button", name="Search").click()
        expect(page.get_by_role("heading", name="2 people found")).to_be_visible()
    page.get_by_label("Badge number").fill(badge.lower())
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 person found")).to_be_visible()
    no_accessibility_violations(page)
    page.screenshot(path=shots / "h2-6-find-by-name.png", full_page=True)
    page.get_by_role("link", name=f"Siobhán {surname}").click()
    expect(page.get_by_role("heading", name=f"Siobhán {surname}")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("^Photo of Siobhán"))).to_be_visible()
    no_accessibility_violations(page)
    page.screenshot(path=shots / "h2-7-person-with-photo.png", full_page=True)

    # Nothing typed: an error summary, linked to the field.
    page.get_by_role("link", name="Find a person").click()
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a name")
    no_accessibility_violations(page)


def test_find_and_the_gate_at_320_px(console_server, open_page):
    tag = uuid.uuid4().hex[:5]
    seed(console_server, "Zoë", f"Narrow-{tag}")
    page = open_page(LAPTOP)
    sign_in(page, console_server, "ann")
    page.set_viewport_size(PHONE)  # signed in: the header's menu folds away at this width
    page.goto(f"{console_server.url}/console/find?name=zoe+narrow-{tag}&search=1")
    expect(page.get_by_role("heading", name="1 person found")).to_be_visible()
    assert fits_the_width(page)
    no_accessibility_violations(page)
    page.screenshot(path=console_server.shots / "h2-8-find-320.png", full_page=True)
    page.goto(f"{console_server.url}/console/gate")
    page.locator("summary", has_text="No badge?").click()
    page.get_by_label("Name", exact=True).fill(f"Zoe Narrow-{tag}")
    page.get_by_label("Day").fill("29")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("1980")
    page.get_by_role("button", name="Check", exact=True).click()
    expect(page.locator(".gate-result__verdict")).to_have_text("NOT ALLOWED")
    expect(page.locator(".gate-result")).to_contain_text("not yet decided")
    assert fits_the_width(page)
    no_accessibility_violations(page)
    page.screenshot(path=console_server.shots / "h2-9-gate-by-name-320.png", full_page=True)
