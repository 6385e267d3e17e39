"""The approval page in a real browser against the real web process (PostgreSQL) and the test
identity provider: a person who declared a connection with someone held at Wandsworth is
flagged in a notification banner at the top of Wandsworth's page (never who), beside the
organisation, role, group and area and the clearance's conditions; the page passes axe-core,
fits a 320 px screen, and the flag comes before the person's details and the decision forms. Another
person without a declared connection has no flag. Screenshots are kept (CONSOLE_SCREENSHOTS)."""

from __future__ import annotations

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
from tests.support.clock import now
from tests.support.console_server import ConsoleServer

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


def seed(server: ConsoleServer, surname: str, connections: list[str]) -> str:
    application_id = str(uuid.uuid4())
    server.seeder.event(
        "application.placement_announced",
        {
            "application_id": application_id,
            "organisation_id": str(uuid.uuid4()),
            "organisation_name": "Fellowship of Hope",
            "role": "GROUP_FACILITATOR",
            "group_name": "Tuesday evening meeting",
            "area": "Chapel",
            "announced_at": now().isoformat(),
        },
    )
    data = server.seeder.grant_clearance(
        application_id=application_id,
        establishments=("WWI",),
        forenames="Rosa",
        surname=surname,
        conditions=("NO_LONE_WORKING",),
        connection_establishments=connections,
    )
    return server.seeder.grant_id(data["person_id"])


def test_the_connection_flag_on_the_approval_page(console_server: ConsoleServer, open_page):
    tag = uuid.uuid4().hex[:5]
    flagged = seed(console_server, f"Connected-{tag}", ["WWI"])
    plain = seed(console_server, f"Unconnected-{tag}", [])
    page = open_page(LAPTOP)
    sign_in(page, console_server, "ann")
    page.goto(f"{console_server.url}/console/grants/{flagged}")
    banner = page.locator('[data-flag="declared-connection"]')
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Declared connection with someone held here")
    expect(banner.get_by_role("heading", name="Important")).to_be_visible()
    # Above the person's details and the decision forms: the first thing read after the name.
    banner_top = banner.bounding_box()["y"]
    assert banner_top < page.get_by_role("heading", name="Person").bounding_box()["y"]
    for shown in ("Fellowship of Hope", "Group facilitator", "Tuesday evening meeting", "Chapel"):
        expect(page.get_by_text(shown, exact=True).first).to_be_visible()
    expect(page.get_by_text("NO_LONE_WORKING").first).to_be_visible()
    no_accessibility_violations(page)
    page.screenshot(path=console_server.shots / "h5-1-approval-connection-flag.png", full_page=True)

    page.set_viewport_size(PHONE)
    expect(banner).to_be_visible()
    assert fits_the_width(page)
    no_accessibility_violations(page)
    page.screenshot(path=console_server.shots / "h5-2-approval-320.png", full_page=True)
    page.set_viewport_size(LAPTOP)

    page.goto(f"{console_server.url}/console/grants/{plain}")
    expect(page.get_by_role("heading", name="What they will do here")).to_be_visible()
    expect(page.locator('[data-flag="declared-connection"]')).to_have_count(0)
    no_accessibility_violations(page)
