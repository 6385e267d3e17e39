"""The portal's spreadsheet upload in headless Chromium: the applications app served in process
(werkzeug in a thread, on PostgreSQL), the coordinator signed in at the test identity provider.
A wrong file, a file with problems, then a clean one created by keyboard alone; axe on every
page, at 1280 and 320 px, with nothing wider than the screen.
`PORTAL_SCREENSHOTS=dir` keeps the screenshots."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from applications.models import Application
from tests.integration.applications.test_bulk_intake import BAD, SIOBHAN, TOM, csv_body
from tests.support.platforms import count
from tests.support.portal_browser import Shots, expect, sign_in
from tests.support.portal_harness import Portal


@pytest.mark.parametrize("width", [1280, 320])
def test_a_coordinator_uploads_a_spreadsheet_fixes_it_and_creates_the_drafts(
    served_portal: tuple[Portal, str], page: Any, shots: Shots, tmp_path: Path, width: int
) -> None:
    portal, base = served_portal
    files = {
        "volunteers.ods": b"not what we take",
        "bad.csv": csv_body(SIOBHAN, BAD, TOM),
        "good.csv": csv_body(SIOBHAN, TOM),
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    # Signed in on a wide screen (on a phone "Sign out" is behind the menu), then narrowed.
    sign_in(page, base + "/portal", portal.username("coord_a"))
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(base + "/portal/upload")
    page.get_by_text("What goes in each column").click()
    shots.at_width(page, "page")

    page.get_by_label("Upload your file").set_input_files(str(tmp_path / "volunteers.ods"))
    page.get_by_role("button", name="Check the file").click()
    expect(page).to_have_title(re.compile(r"^Error: Upload a spreadsheet "))
    expect(page.locator("#spreadsheet-error")).to_contain_text("must be a CSV or XLSX")
    shots.at_width(page, "wrong-type")

    page.get_by_label("Upload your file").set_input_files(str(tmp_path / "bad.csv"))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Fix the problems in your spreadsheet"
    )
    problems = page.locator("#problems tbody tr")
    expect(problems).to_have_count(3)
    expect(problems.first).to_contain_text("3")
    shots.at_width(page, "problems")

    page.get_by_label("Upload the corrected file").set_input_files(str(tmp_path / "good.csv"))
    page.get_by_role("button", name="Check the file").click()
    create = page.get_by_role("button", name="Create 2 draft applications")
    expect(create).to_be_visible()
    shots.at_width(page, "ready")
    assert count(portal.platform, Application.__table__) == 0

    # By keyboard: Tab from the page's start to "Create", then Enter.
    page.locator("body").focus()
    for _ in range(40):
        page.keyboard.press("Tab")
        if create.evaluate("button => button === document.activeElement"):
            break
    page.keyboard.press("Enter")
    expect(page.get_by_text("2 draft applications created from good.csv")).to_be_visible()
    shots.at_width(page, "created")
    assert count(portal.platform, Application.__table__) == 2
