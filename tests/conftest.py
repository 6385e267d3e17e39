"""Fixtures for real backends: a fresh PostgreSQL database per service per test, and a unique
name prefix on RabbitMQ per test (exchanges and queues are deleted afterwards).

When PostgreSQL or RabbitMQ is unreachable the tests that need them skip, or fail under
REQUIRE_REAL_BACKENDS=1 (as CI runs them).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path

import psycopg
import pytest
from kombu import Connection
from kombu.transport import filesystem

from shared.config import Settings, load_settings
from shared.messaging.topology import SERVICES, Topology
from tests.support import drop_database, embedded_env, make_database

REQUIRE_REAL = os.environ.get("REQUIRE_REAL_BACKENDS") == "1"
PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_URL = os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")


def _unavailable(what: str, exc: Exception) -> None:
    message = f"{what} unreachable: {exc}"
    if REQUIRE_REAL:
        pytest.fail(f"{message} (REQUIRE_REAL_BACKENDS=1)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        _unavailable("PostgreSQL", exc)
    return PG_ADMIN_URL


@pytest.fixture(scope="session")
def amqp_url() -> str:
    try:
        with Connection(AMQP_URL, connect_timeout=3) as conn:
            conn.ensure_connection(max_retries=1)
    except Exception as exc:  # noqa: BLE001 - any failure to connect
        _unavailable("RabbitMQ", exc)
    return AMQP_URL


class LazyDatabases(Mapping[str, str]):
    """One fresh, empty database per service, made the first time a test asks for that
    service's URL: most tests touch one service, and CREATE and DROP DATABASE were most of a
    short test's cost."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.run = uuid.uuid4().hex[:10]
        self.made: dict[str, str] = {}

    def __getitem__(self, service: str) -> str:
        if service not in SERVICES:
            raise KeyError(service)
        if service not in self.made:
            self.made[service] = make_database(self.admin_url, f"t_{self.run}_{service}")
        return self.made[service]

    def __iter__(self) -> Iterator[str]:
        return iter(SERVICES)

    def __len__(self) -> int:
        return len(SERVICES)

    def drop_all(self) -> None:
        for service in self.made:
            drop_database(self.admin_url, f"t_{self.run}_{service}")


class LazyEnv(Mapping[str, dict[str, str]]):
    """Per-service environments whose databases are made on first use (see LazyDatabases)."""

    def __init__(self, databases: Mapping[str, str], common: dict[str, str]) -> None:
        self.databases = databases
        self.common = common

    def __getitem__(self, service: str) -> dict[str, str]:
        return {"DATABASE_URL": self.databases[service], **self.common}

    def __iter__(self) -> Iterator[str]:
        return iter(SERVICES)

    def __len__(self) -> int:
        return len(SERVICES)


@pytest.fixture
def pg_urls(postgres_admin_url: str) -> Iterator[Mapping[str, str]]:
    databases = LazyDatabases(postgres_admin_url)
    yield databases
    databases.drop_all()


@pytest.fixture
def broker_prefix(amqp_url: str) -> Iterator[str]:
    prefix = f"t{uuid.uuid4().hex[:10]}."
    yield prefix
    settings = load_settings("applications", {"BROKER_URL": amqp_url, "BROKER_PREFIX": prefix})
    delete_topology(settings)


def delete_topology(settings: Settings) -> None:
    with Connection(settings.broker_url) as conn:
        Topology(settings).delete_all(conn)


@pytest.fixture
def real_env(pg_urls: Mapping[str, str], amqp_url: str, broker_prefix: str,
             tmp_path: Path) -> Mapping[str, dict[str, str]]:
    """Per-service environment for PostgreSQL + RabbitMQ."""
    return LazyEnv(pg_urls, {"BROKER_URL": amqp_url, "BROKER_PREFIX": broker_prefix,
                             "VAR_DIR": str(tmp_path / "var")})


@pytest.fixture
def embedded(tmp_path: Path) -> dict[str, dict[str, str]]:
    """Per-service environment for the embedded default (SQLite + filesystem transport)."""
    # kombu's filesystem transport remembers declared bindings process-wide; a real process
    # has one broker folder, but this test process gets a new one per test.
    filesystem.Transport.global_state.clear()
    return {service: embedded_env(tmp_path / "var") for service in SERVICES}


@pytest.fixture(params=["embedded", "real"])
def backend_env(request: pytest.FixtureRequest) -> dict[str, dict[str, str]]:
    """Run a test on both run modes."""
    if request.param == "real":
        return request.getfixturevalue("real_env")
    return request.getfixturevalue("embedded")
