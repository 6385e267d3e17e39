"""The access service's web process for real (gunicorn, PostgreSQL, RabbitMQ), the whole stack
for the vetting workbench, and a real headless Chromium driven by Playwright.

No browser is downloaded: the tests use the system's Chromium (/usr/bin/chromium, or
CONSOLE_CHROMIUM). Without it, or without the playwright package, they skip; under
REQUIRE_REAL_BACKENDS=1 (as CI runs) they fail instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.error import URLError
from urllib.request import urlopen

import pytest
from werkzeug.serving import make_server

from devstack.stack import Stack
from shared.config import load_settings
from shared.db import create_database, drop_database
from tests.support.access_harness import Access
from tests.support.backends import SqliteTemplates, delete_topology, unavailable
from tests.support.console_server import CHROMIUM, CHROMIUM_ARGS, OFFICERS, ConsoleServer
from tests.support.deployment_secrets import SECRETS
from tests.support.identity import CONSOLE_ENV, PORTAL_ENV, PROVIDER, WORKBENCH_ENV
from tests.support.network import free_port
from tests.support.portal_browser import PortalWorld, Shots, screenshots_folder
from tests.support.portal_harness import Portal
from tests.support.running_stacks import running_stack
from tests.support.stack_client import organisation_key
from tests.support.workbench_browser import LAPTOP, STAFF, Workbench


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        unavailable(f"the playwright package is not installed ({exc}); `make install`")
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "access", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _wait_ready(url: str, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urlopen(url + "/health/readiness", timeout=2) as response:
                if response.status == 200:
                    return
        except (URLError, OSError):
            pass
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-3000:] if log.exists() else "(no log)"
    raise TimeoutError(f"access web not ready at {url}:\n{tail}")


@pytest.fixture(scope="module")
def console_server(
    chromium: Any, postgres_admin_url: str, amqp_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ConsoleServer]:
    """`python -m access web` (gunicorn) on a fresh PostgreSQL database, its console a client
    of the test identity provider (a real process too), where the officers are users. (After
    `chromium`: without a browser there is no point starting a server.)"""
    var_dir = tmp_path_factory.mktemp("console") / "var"
    (var_dir / "logs").mkdir(parents=True)
    name = f"t_{uuid.uuid4().hex[:10]}_access_console"
    prefix = f"t{uuid.uuid4().hex[:10]}."
    env = {
        "DATABASE_URL": create_database(postgres_admin_url, name),
        "BROKER_URL": amqp_url,
        "BROKER_PREFIX": prefix,
        "VAR_DIR": str(var_dir),
        **SECRETS,
        **CONSOLE_ENV,
    }
    # The production default stays on (Secure cookies): Chromium takes them from
    # http://127.0.0.1, a "potentially trustworthy" origin.
    port = free_port()
    stack = Stack(
        var_dir=var_dir, service_env={"access": env}, ports={"access": port}, smtp_port=None
    )
    seeder = None
    try:
        process_env = stack.env_for("access")
        _cli(process_env, "migrate")
        for username, (display, role, code) in OFFICERS.items():
            PROVIDER.add_user(username, display, [role], [code])
        PROVIDER.allow_console_at(stack.url("access"))
        PROVIDER.ensure_started()
        stack.start_process("access", "web")
        _wait_ready(stack.url("access"), var_dir / "logs" / "access-web.log")
        seeder = Access(env)
        shots = Path(os.environ.get("CONSOLE_SCREENSHOTS") or var_dir.parent / "screenshots")
        shots.mkdir(parents=True, exist_ok=True)
        yield ConsoleServer(stack.url("access"), env, seeder, shots)
    finally:
        stack.stop()
        if seeder is not None:
            seeder.platform.engine.dispose()
        drop_database(postgres_admin_url, name)
        delete_topology(load_settings("access", {"BROKER_URL": amqp_url, "BROKER_PREFIX": prefix}))


# Its test ids name the stack ("[stack-workbench]"), so the scheduler keeps the module's
# tests on one test process and the stack starts once (tests/conftest.py).
@pytest.fixture(scope="module", params=["real"], ids=["stack-workbench"])
def workbench_stack(
    chromium: Any,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_templates: SqliteTemplates,
) -> Iterator[Workbench]:
    """All four services as real processes on PostgreSQL + RabbitMQ (gunicorn web, consumers
    and relays), the vetting service's workbench a client of the test identity provider,
    where the vetting staff are users; an organisation with an API key. (After `chromium`:
    without a browser there is no point starting a stack.)"""
    with running_stack(
        request, request.param, tmp_path_factory, sqlite_templates, {"vetting": WORKBENCH_ENV}
    ) as (stack, inbox):
        for username, (name, role) in STAFF.items():
            PROVIDER.add_user(username, name, [role])
        PROVIDER.allow_workbench_at(stack.url("vetting"))
        PROVIDER.ensure_started()
        shots = Path(
            os.environ.get("WORKBENCH_SCREENSHOTS") or stack.var_dir.parent / "screenshots"
        )
        shots.mkdir(parents=True, exist_ok=True)
        yield Workbench(stack, inbox, organisation_key(stack, "Workbench Intergroup"), shots)


@pytest.fixture(scope="module", params=["real"], ids=["stack-portal"])
def portal_stack(
    chromium: Any,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_templates: SqliteTemplates,
) -> Iterator[PortalWorld]:
    """All four services as real processes on PostgreSQL + RabbitMQ, the applications
    service's portal a client of the test identity provider (its public users: the
    organisations' people). (After `chromium`: without a browser there is no point.)"""
    with running_stack(
        request, request.param, tmp_path_factory, sqlite_templates, {"applications": PORTAL_ENV}
    ) as (stack, inbox):
        PROVIDER.allow_portal_at(stack.url("applications"))
        PROVIDER.ensure_started()
        shots = Path(os.environ.get("PORTAL_SCREENSHOTS") or stack.var_dir.parent / "screenshots")
        shots.mkdir(parents=True, exist_ok=True)
        yield PortalWorld(stack, inbox, shots)


@pytest.fixture
def served_portal(
    real_env: Mapping[str, dict[str, str]], chromium: Any
) -> Iterator[tuple[Portal, str]]:
    """(the portal's harness, its server's root URL): the applications app served in this
    process (werkzeug in a thread) on a fresh PostgreSQL database, for tests of the pages rather
    than the processes (portal_stack runs those). Its cookies stay Secure, as in production:
    Chromium takes them from http://127.0.0.1, a "potentially trustworthy" origin."""
    portal = Portal(real_env["applications"])
    server = make_server("127.0.0.1", free_port(), portal.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    PROVIDER.allow_portal_at(url)
    PROVIDER.ensure_started()
    try:
        yield portal, url
    finally:
        server.shutdown()
        thread.join()
        portal.close()


@pytest.fixture
def new_page(chromium: Any) -> Iterator[Callable[[], Any]]:
    """Makes a page in a browser context of its own (one a person: their own cookies), on a
    laptop's screen; the contexts close when the test ends."""
    from playwright.sync_api import expect

    expect.set_options(timeout=20_000)  # a loaded CI machine is slower than the default 5 s
    contexts: list[Any] = []

    def make() -> Any:
        # bypass_csp: axe-core is injected into the pages it checks.
        context = chromium.new_context(viewport=LAPTOP, locale="en-GB", bypass_csp=True)
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[[], Any]) -> Any:
    return new_page()


@pytest.fixture
def shots(request: pytest.FixtureRequest, tmp_path: Path) -> Shots:
    """The test's page checks, its screenshots named after its module
    (test_portal_drafts_browser: drafts-01-start-1280.png, ...)."""
    module = request.module.__name__.rsplit(".", 1)[-1]
    name = module.removeprefix("test_portal_").removesuffix("_browser")
    return Shots(screenshots_folder(tmp_path), f"{name}-")
