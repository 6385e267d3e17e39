"""Fixtures for the run modes: per test, a database per service copied from a migrated
template (PostgreSQL or SQLite), and a unique name prefix on RabbitMQ (exchanges and queues
are deleted afterwards).

When PostgreSQL or RabbitMQ is unreachable the tests that need them skip, or fail under
REQUIRE_REAL_BACKENDS=1 (as CI runs them).
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, settings
from kombu import Connection
from kombu.transport import filesystem

from shared.clock import pin_test_clock
from shared.config import load_settings
from shared.messaging.topology import SERVICES
from tests.support.backends import (
    AMQP_URL,
    PG_ADMIN_URL,
    LazyDatabases,
    LazyEnv,
    PostgresTemplates,
    SqliteTemplates,
    delete_topology,
    embedded_env,
    shared_user_env,
    unavailable,
)
from tests.support.deployment_secrets import DEPLOYMENT_ENV, broker_url
from tests.support.identity import CONSOLE_ENV, TEST_OIDC_ENV
from tests.support.redis_limits import redis_reachable

# Every property test: time is not what they test, and a shared two-core machine under the
# whole suite makes any example or draw slow now and then.
settings.register_profile("suite", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("suite")

# TEST_CLOCK_AT becomes one offset now, before any worker or process starts: all agree on it.
pin_test_clock()
# Every service this test process builds or starts trusts its test identity provider
# (tests/support/identity.py), which starts when the first token is asked for.
os.environ.update(TEST_OIDC_ENV)
os.environ.update(CONSOLE_ENV)


REAL_FIXTURES = frozenset(
    {"postgres_admin_url", "amqp_url", "real_env", "pg_urls", "broker_prefix", "redis_url"}
)


# What starts processes or runs long: first in the run, so that no worker is left with one of
# them at the end while the others wait.
LONG_FIRST = ("tests/e2e/", "tests/fuzz/", "tests/browser/")
# The scenarios on a run mode's shared stack (tests/e2e/conftest.py), and the workbench's and
# the portal's browser tests on theirs (tests/browser/conftest.py), name it in their id.
SHARED_STACK = re.compile(r"\[(?:.*-)?(stack-(?:embedded|real|workbench|portal))(?:-.*)?\]$")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark what needs PostgreSQL or RabbitMQ (`make test-fast` leaves it out), and what starts
    the system's processes; the long ones first."""
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        names = getattr(item, "fixturenames", ())
        if (
            REAL_FIXTURES.intersection(names)
            or params.get("backend_env") == "real"
            or params.get("stack_mode") == "real"
        ):
            item.add_marker(pytest.mark.real_backends)
        if "tests/e2e/" in item.nodeid or "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: not item.nodeid.startswith(LONG_FIRST))


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`--dist loadgroup`: one test at a time to whichever worker is free, except that the
    scenarios sharing a run mode's stack go together to one worker, so each mode's stack
    starts once (pytest-xdist's own grouping renames tests, which this pytest ignores)."""
    if config.getoption("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedStackGroups(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            found = SHARED_STACK.search(nodeid)
            return found.group(1) if found else nodeid

    return SharedStackGroups(config, log)


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        unavailable(f"PostgreSQL unreachable: {exc}")
    return PG_ADMIN_URL


@pytest.fixture(scope="session")
def amqp_url() -> str:
    try:
        with Connection(AMQP_URL, connect_timeout=3) as conn:
            conn.ensure_connection(max_retries=1)
    except Exception as exc:  # noqa: BLE001 - any failure to connect
        unavailable(f"RabbitMQ unreachable: {exc}")
    try:  # services refuse guest/guest: a user of this session with a generated password
        return broker_url(AMQP_URL)
    except RuntimeError as exc:
        unavailable(f"no RabbitMQ user for the tests: {exc}")
        raise


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The shared Redis the rate limiter uses (tests keep to key prefixes of their own)."""
    return redis_reachable()


@pytest.fixture(scope="session")
def postgres_templates(postgres_admin_url: str) -> Iterator[PostgresTemplates]:
    templates = PostgresTemplates(postgres_admin_url)
    yield templates
    templates.drop_all()


@pytest.fixture(scope="session")
def sqlite_templates() -> SqliteTemplates:
    return SqliteTemplates()


def _migrated(request: pytest.FixtureRequest) -> bool:
    return request.node.get_closest_marker("unmigrated") is None


@pytest.fixture
def pg_urls(
    request: pytest.FixtureRequest, postgres_admin_url: str, postgres_templates: PostgresTemplates
) -> Iterator[Mapping[str, str]]:
    databases = LazyDatabases(postgres_admin_url, postgres_templates, migrated=_migrated(request))
    yield databases
    databases.close()


@pytest.fixture
def broker_prefix(amqp_url: str) -> Iterator[str]:
    prefix = f"t{uuid.uuid4().hex[:10]}."
    yield prefix
    delete_topology(
        load_settings("applications", {"BROKER_URL": amqp_url, "BROKER_PREFIX": prefix})
    )


@pytest.fixture
def real_env(
    pg_urls: Mapping[str, str], amqp_url: str, broker_prefix: str, tmp_path: Path
) -> Mapping[str, dict[str, str]]:
    """Per-service environment for PostgreSQL + RabbitMQ, every service as the test's broker
    user (the e2e stacks and tests/integration/test_broker_principals.py use a user each)."""
    return LazyEnv(
        pg_urls,
        {
            "BROKER_URL": amqp_url,
            "BROKER_PREFIX": broker_prefix,
            "VAR_DIR": str(tmp_path / "var"),
            **shared_user_env(amqp_url),
            **DEPLOYMENT_ENV,
        },
    )


@pytest.fixture
def embedded(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_templates: SqliteTemplates
) -> dict[str, dict[str, str]]:
    """Per-service environment for the embedded default (SQLite + filesystem transport)."""
    # kombu's filesystem transport remembers declared bindings process-wide; a real process
    # has one broker folder, but this test process gets a new one per test.
    filesystem.Transport.global_state.clear()
    var_dir = tmp_path / "var"
    if _migrated(request):
        sqlite_templates.copy_into(var_dir)
    return {service: embedded_env(var_dir) for service in SERVICES}


@pytest.fixture(params=["embedded", "real"])
def backend_env(request: pytest.FixtureRequest) -> dict[str, dict[str, str]]:
    """Run a test on both run modes."""
    if request.param == "real":
        return request.getfixturevalue("real_env")
    return request.getfixturevalue("embedded")
