"""The backends a test runs on: databases made from a migrated template, and what to do when a
real server is not there.

Running every migration for every service in every test was most of a short test's cost, so
each test process migrates one template per service once (a PostgreSQL database, a SQLite
file) and each test gets a copy: a PostgreSQL copy, reset for the next test when it is done
(tests/support/postgres_copies.py), or a file copy. A test that
needs an empty, unmigrated database (one that tests the migrations themselves) says so with
`@pytest.mark.unmigrated`.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path

import psycopg
import pytest
from kombu import Connection
from psycopg import sql
from sqlalchemy.engine import make_url

from shared.audit.owner import grant_runtime
from shared.config import Settings, load_settings, shared_broker_user_env
from shared.db import create_database, drop_database, make_engine
from shared.messaging.topology import SERVICES, Topology
from shared.migrations import upgrade
from tests.support.deployment_secrets import database_url
from tests.support.postgres_copies import PostgresTemplates, migrations_dir

REQUIRE_REAL = os.environ.get("REQUIRE_REAL_BACKENDS") == "1"
# With the session's generated password (the shared server trusts loopback and ignores it).
PG_ADMIN_URL = database_url(
    os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
)
# The administrator's URL: services get a user of their own (deployment_secrets.broker_url).
AMQP_URL = os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")


def unavailable(message: str) -> None:
    """Skip, or fail under REQUIRE_REAL_BACKENDS=1 (as CI runs the suite)."""
    if REQUIRE_REAL:
        pytest.fail(f"{message} (REQUIRE_REAL_BACKENDS=1)", pytrace=False)
    pytest.skip(message)


def delete_topology(settings: Settings) -> None:
    with Connection(settings.broker_url) as conn:
        Topology(settings).delete_all(conn)


def shared_user_env(amqp_url: str) -> dict[str, str]:
    """Every service trusting the one user `amqp_url` connects as (no separation: for tests
    that play several services on one connection)."""
    return shared_broker_user_env(
        load_settings("applications", {"BROKER_URL": amqp_url}).broker_connection_user
    )


def embedded_env(var_dir: Path) -> dict[str, str]:
    return {"VAR_DIR": str(var_dir), "BROKER_POLLING_INTERVAL_S": "0.01"}


class SqliteTemplates:
    """One migrated SQLite file per service for this test process."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="sqlite-templates-"))
        self.made: dict[str, Path] = {}
        self.lock = threading.Lock()
        atexit.register(shutil.rmtree, self.folder, ignore_errors=True)

    def copy_into(self, var_dir: Path) -> None:
        """Every service's migrated database, where the embedded settings look for it."""
        var_dir.mkdir(parents=True, exist_ok=True)
        for service in SERVICES:
            shutil.copyfile(self._template(service), var_dir / f"{service}.db")

    def _template(self, service: str) -> Path:
        with self.lock:
            if service not in self.made:
                work = self.folder / service
                settings = load_settings(service, embedded_env(work))
                upgrade(settings, migrations_dir(service))  # engine disposed: WAL folded in
                self.made[service] = work / f"{service}.db"
            return self.made[service]


class LazyDatabases(Mapping[str, str]):
    """One database per service, made the first time a test asks for that service's URL
    (most tests touch one service): a copy of the migrated template, or empty if `migrated`
    is false."""

    def __init__(self, admin_url: str, templates: PostgresTemplates, *, migrated: bool) -> None:
        self.admin_url = admin_url
        self.templates = templates
        self.migrated = migrated
        self.run = uuid.uuid4().hex[:10]
        self.made: dict[str, str] = {}
        self.roles: list[str] = []
        self.lock = threading.RLock()

    def __getitem__(self, service: str) -> str:
        if service not in SERVICES:
            raise KeyError(service)
        with self.lock:
            if service not in self.made:
                name = f"t_{self.run}_{service}"
                self.made[service] = (
                    self.templates.clone(service, name)
                    if self.migrated
                    else create_database(self.admin_url, name)
                )
            return self.made[service]

    def name(self, service: str) -> str:
        return self.made[service].rsplit("/", 1)[1]

    def __iter__(self) -> Iterator[str]:
        return iter(SERVICES)

    def __len__(self) -> int:
        return len(SERVICES)

    def runtime_url(self, service: str) -> str:
        """The service's database as its runtime role would reach it (shared.audit.owner): a
        login role of this test's own (roles are the whole server's, so named after the
        database), granted what `migrate` grants, dropped with the database."""
        url = self[service]
        role = f"rt_{self.run}_{service}"
        with self.lock:
            if role not in self.roles:
                with psycopg.connect(self.admin_url, autocommit=True) as conn:
                    conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
                self.roles.append(role)
                engine = make_engine(url)
                try:
                    with engine.begin() as connection:
                        grant_runtime(connection, role)
                finally:
                    engine.dispose()
        # The session's generated password, like every test URL: the shared server trusts
        # loopback and ignores it, and a process refuses to start on a URL without one.
        return make_url(url).set(username=role).render_as_string(hide_password=False)

    def close(self) -> None:
        """Done with the databases: migrated copies go back to be reset, empty ones are dropped
        (and the test's roles with them)."""
        for role in self.roles:
            # Its privileges first (in the database and on it), then the role itself.
            service = role.rsplit("_", 1)[-1]
            database_url = self.made[service]
            with psycopg.connect(database_url, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
        for service in self.made:
            if self.migrated:  # reset for the next test (tests/support/postgres_copies.py)
                self.templates.give_back(service, self.name(service))
            else:
                drop_database(self.admin_url, self.name(service))
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            for role in self.roles:
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
        self.roles.clear()


class LazyEnv(Mapping[str, dict[str, str]]):
    """Per-service environments whose databases are made on first use (see LazyDatabases)."""

    def __init__(
        self,
        databases: Mapping[str, str],
        common: dict[str, str],
        per_service: Mapping[str, dict[str, str]] | None = None,
    ) -> None:
        self.databases = databases
        self.common = common
        self.per_service = per_service or {}

    def __getitem__(self, service: str) -> dict[str, str]:
        return {
            "DATABASE_URL": self.databases[service],
            **self.common,
            **self.per_service.get(service, {}),
        }

    def __iter__(self) -> Iterator[str]:
        return iter(SERVICES)

    def __len__(self) -> int:
        return len(SERVICES)
