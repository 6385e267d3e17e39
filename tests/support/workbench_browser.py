"""The vetting workbench as the browser tests drive it: all four services as real processes on
PostgreSQL + RabbitMQ (the vetting web process serving /workbench), the vetting staff as users
of the test identity provider, an organisation that applies, answers and asks for
reconsideration through the applications API, and what a page must pass (axe-core, a phone's
width)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devstack.stack import Stack
from tests.support import wait_for
from tests.support.identity import PROVIDER, TEST_PASSWORD
from tests.support.smtp import Inbox
from tests.support.stack_client import get, post, staff_token, submit
from tests.support.stack_world import person

# Users at the test identity provider: username -> (name, role).
STAFF = {
    "vic": ("Vic Amos", "vetting_officer"),
    "val": ("Val Hart", "vetting_officer"),
    "meg": ("Meg Ives", "vetting_manager"),
    "max": ("Max Dunn", "vetting_manager"),
    "ann": ("Ann Shaw", "security_officer"),  # staff, but not of vetting: refused
}
# axe-core's impacts that fail a page; "moderate" and "minor" are reported, not failed.
FAILING_IMPACTS = frozenset({"serious", "critical"})
PHONE = {"width": 320, "height": 640}
LAPTOP = {"width": 1280, "height": 900}


@dataclass
class Workbench:
    stack: Stack
    inbox: Inbox
    key: str  # the organisation's API key
    shots: Path

    @property
    def url(self) -> str:
        return self.stack.url("vetting") + "/workbench"

    def _officer(self) -> str:
        return staff_token(self.stack, "vetting", "vetting_officer", staff_id="harness")

    # The organisation, through the applications API ----------------------------------------

    def apply(self, surname: str, *, undeclared: bool = False, markers: str = "") -> str:
        """Submit an application; its id. `undeclared`: the checks find a record the applicant
        did not declare, so the risk summary recommends REFER; `markers`: more sim- tags,
        e.g. "+sim-protected-caution"."""
        tag = uuid.uuid4().hex[:8]
        email = f"wb-{tag}{'+sim-undeclared' if undeclared else ''}{markers}@example.org"
        body = person(surname, passport=f"WB{tag}", email=email)
        created = submit(self.stack, self.key, body)
        assert created.status_code == 200, created.text
        return str(created.json()["id"])

    def application(self, application_id: str) -> dict[str, Any]:
        response = get(self.stack, "applications", f"/applications/{application_id}", self.key)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def application_when(self, application_id: str, status: str) -> dict[str, Any]:
        def found() -> dict[str, Any] | None:
            view = self.application(application_id)
            return view if view["status"] == status else None

        return wait_for(found, timeout=60, message=f"application {application_id} {status}")

    def answer(self, application_id: str, answer: str) -> None:
        """Answer the open information request, as the organisation would."""

        def open_request() -> dict[str, Any] | None:
            requests = self.application(application_id).get("information_requests") or []
            return next((r for r in requests if r.get("answered_at") is None), None)

        request = wait_for(open_request, timeout=60, message="the information request")
        post(
            self.stack,
            "applications",
            f"/applications/{application_id}/responses",
            self.key,
            {"request_id": request["id"], "answers": [{"answer": answer}]},
        )

    def ask_reconsideration(self, application_id: str, grounds: str) -> None:
        post(
            self.stack,
            "applications",
            f"/applications/{application_id}/reconsideration",
            self.key,
            {"grounds": grounds},
        )

    # Vetting, as its API reports ----------------------------------------------------------

    def case_when(self, application_id: str, status: str) -> dict[str, Any]:
        """The application's case once it is in `status` (the checks run in vetting's worker)."""
        officer = self._officer()

        def found() -> dict[str, Any] | None:
            items = get(
                self.stack, "vetting", f"/cases?application_id={application_id}", officer
            ).json()["items"]
            return items[0] if items and items[0]["status"] == status else None

        return wait_for(found, timeout=90, message=f"the case of {application_id} {status}")

    def audit(self, case_id: str) -> list[str]:
        trail = get(self.stack, "vetting", f"/cases/{case_id}/audit", self._officer()).json()
        return [entry["action"] for entry in trail]


# Pages ---------------------------------------------------------------------------------------


def sign_in(page: Any, workbench: Workbench, username: str) -> None:
    """From the workbench's sign-in page through the provider's form and back, signed in."""
    from playwright.sync_api import expect

    page.goto(workbench.url + "/")
    assert page.url.startswith(workbench.url + "/login"), page.url  # not signed in yet
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_label("Username")).to_be_visible()
    assert page.url.startswith(PROVIDER.issuer + "/authorize?"), page.url
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert page.url.startswith(workbench.url + "/"), page.url


def sign_out(page: Any) -> None:
    from playwright.sync_api import expect

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def serious_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it stands."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [v for v in results.response["violations"] if v.get("impact") in FAILING_IMPACTS]


def passes_axe(page: Any) -> None:
    found = serious_violations(page)
    assert not found, f"{page.url}:\n" + "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(n["target"]) for n in v["nodes"][:5])
        for v in found
    )


def scroll_width(page: Any) -> int:
    """How wide the page's content is: no wider than the viewport means no sideways scroll."""
    return int(page.evaluate("document.scrollingElement.scrollWidth"))
