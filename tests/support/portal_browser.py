"""The coordinators' portal as the browser tests drive it: all four services as real processes
on PostgreSQL + RabbitMQ (the applications web process serving /portal), the organisation's
people as public users of the test identity provider, vetting's side through its API, and the
emails the volunteer and the invited coordinator receive. Also what the page-by-page portal tests
share: the screenshots and checks of each page, and a quick way to sign in."""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from devstack.stack import Stack
from tests.support import cli_json, wait_for
from tests.support.identity import PROVIDER, TEST_PASSWORD
from tests.support.smtp import Inbox
from tests.support.stack_client import get, post, staff_token
from tests.support.workbench_browser import LAPTOP, PHONE, passes_axe, scroll_width

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips, or fails, saying so
    expect = None

LINK = re.compile(r"https?://[^\s\"'<>]+")


@dataclass
class PortalWorld:
    stack: Stack
    inbox: Inbox
    shots: Path
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    @property
    def url(self) -> str:
        return self.stack.url("applications") + "/portal"

    # People ----------------------------------------------------------------------------------

    def username(self, who: str) -> str:
        return f"{who}-{self.tag}"

    def email(self, who: str) -> str:
        return f"{who}-{self.tag}@example.org"

    def person(self, who: str) -> str:
        """`who` a public user at the provider (not yet a member of anything); their username."""
        PROVIDER.add_public_user(self.username(who), self.email(who))
        return self.username(who)

    def organisation(self, name: str, admin: str) -> str:
        """An organisation registered by the operator, `admin`'s email its coordinator address
        (so they are its first admin); its id."""
        self.person(admin)
        org = cli_json(
            self.stack.cli(
                "applications",
                "create-organisation",
                "--name",
                name,
                "--fellowship",
                "NA",
                "--coordinator-email",
                self.email(admin),
            )
        )
        return str(org["organisation_id"])

    # Mail ------------------------------------------------------------------------------------

    def link_sent_to(self, address: str, containing: str) -> str:
        """The link (path and query, on this stack's applications service) in the latest email
        to `address` whose link contains `containing`."""

        def found() -> str | None:
            for message in reversed(self.inbox.to(address)):
                for link in LINK.findall(_text(message)):
                    if containing in link:
                        parts = urlsplit(link)
                        return (
                            self.stack.url("applications")
                            + parts.path
                            + (f"?{parts.query}" if parts.query else "")
                        )
            return None

        return wait_for(found, timeout=60, message=f"an email to {address} with {containing}")

    # Vetting, through its API ----------------------------------------------------------------

    def officer(self) -> str:
        return staff_token(self.stack, "vetting", "vetting_officer", staff_id="portal-officer")

    def case_when(self, application_id: str, *statuses: str) -> dict[str, Any]:
        officer = self.officer()

        def found() -> dict[str, Any] | None:
            items = get(
                self.stack, "vetting", f"/cases?application_id={application_id}", officer
            ).json()["items"]
            return items[0] if items and items[0]["status"] in statuses else None

        return wait_for(found, timeout=90, message=f"the case of {application_id} {statuses}")

    def ask(self, case_id: str, question: str) -> None:
        post(
            self.stack,
            "vetting",
            f"/cases/{case_id}/information-requests",
            self.officer(),
            {"items": [{"question": question}], "reason": "We need to know more."},
            expect=(201,),
        )

    def clear(self, case_id: str) -> None:
        post(
            self.stack,
            "vetting",
            f"/cases/{case_id}/clearance",
            self.officer(),
            {"reason": "All checks passed."},
            expect=(201,),
        )


def sign_in(page: Any, portal_url: str, username: str) -> None:
    """From the portal's sign-in page (at `portal_url`, its /portal) through the provider's form
    and back, signed in."""
    page.goto(portal_url + "/")
    assert page.url.startswith(portal_url + "/login"), page.url
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_label("Username")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_in_at(page: Any, url: str, username: str) -> None:
    """Straight to the provider's form from the portal at `url` (its server's root), signed in
    with Enter."""
    page.goto(f"{url}/portal/login/start")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", TEST_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def screenshots_folder(tmp_path: Path) -> Path:
    """PORTAL_SCREENSHOTS (to keep them), or the test's temporary folder."""
    folder = Path(os.environ.get("PORTAL_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Shots:
    """Each page checked as it is shown: axe-core, and screenshots named `prefix`, then a number
    in order (a test's files sort as its pages came)."""

    def __init__(self, folder: Path, prefix: str) -> None:
        self.folder, self.prefix, self.count = folder, prefix, 0

    def check(self, page: Any, name: str) -> None:
        """axe-core at 1280 px, no sideways scrolling at 320 px, a screenshot at both widths."""
        passes_axe(page)
        self.count += 1
        path = self.folder / f"{self.prefix}{self.count:02d}-{name}"
        page.screenshot(path=f"{path}-1280.png", full_page=True)
        page.set_viewport_size(PHONE)
        try:
            assert scroll_width(page) <= PHONE["width"], (page.url, name)
            page.screenshot(path=f"{path}-320.png", full_page=True)
        finally:
            page.set_viewport_size(LAPTOP)

    def at_width(self, page: Any, name: str) -> None:
        """axe-core and a screenshot at the page's own width, nothing wider than it (for a test
        that walks the whole way at each width)."""
        width = page.viewport_size["width"]
        passes_axe(page)
        assert scroll_width(page) <= width, f"{name}: wider than {width} px"
        self.count += 1
        page.screenshot(
            path=self.folder / f"{self.prefix}{self.count:02d}-{name}-{width}.png", full_page=True
        )


def _text(message: Any) -> str:
    """A message's text, whichever parts it has."""
    parts = message.walk() if message.is_multipart() else [message]
    return "\n".join(
        str(part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8"))
        for part in parts
        if part.get_content_maintype() == "text"
    )
