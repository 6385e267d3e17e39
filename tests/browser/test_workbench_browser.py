"""The vetting workbench in a real browser, with all four services running for real
(PostgreSQL + RabbitMQ) and the development identity provider (a real process)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.workbench_browser import LAPTOP, Workbench

try:  # Assertions that wait for the page (a click starts a navigation; it does not await it).
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips, or fails, saying so
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.real_backends, pytest.mark.slow]


@pytest.fixture
def open_page(chromium: Any) -> Iterator[Any]:
    """A new browser context (its own cookies) per page opened."""
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


def test_the_stack_runs_an_application_to_a_case(workbench_stack: Workbench, open_page):
    application_id = workbench_stack.apply(f"Harness-{uuid.uuid4().hex[:6]}", undeclared=True)
    case = workbench_stack.case_when(application_id, "AWAITING_DECISION")
    assert workbench_stack.application(application_id)["status"] != "DRAFT"
    page = open_page()
    assert page.goto(workbench_stack.stack.url("vetting") + "/health/ready").status == 200
    assert case["id"]
