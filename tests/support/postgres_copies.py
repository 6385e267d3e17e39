"""Migrated PostgreSQL databases for tests: one template per service, and copies of it that are
reset and handed to the next test instead of dropped.

PostgreSQL 15 checkpoints on every DROP DATABASE (seconds each on a busy machine, with the
whole server waiting on the disk), so a test process keeps the copies it made and gives each
test a clean one: other sessions on it ended, every table emptied, the rows the migrations
seeded and the sequences put back as the template has them. A copy whose schema no longer
matches the template's (a test that migrated it and failed half-way) is dropped, not reused.
The process drops its copies and templates when it ends, side by side, so that their
checkpoints coincide.
"""

from __future__ import annotations

import atexit
import importlib
import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

from shared.config import load_settings
from shared.db import create_database, drop_database
from shared.migrations import upgrade
from tests.support.deployment_secrets import SECRETS

# The columns of every table, in order: what "the same schema as the template" means here.
SCHEMA_QUERY = """
    SELECT string_agg(table_name || '.' || column_name || ':' || data_type || ':' ||
                      is_nullable, ',' ORDER BY table_name, ordinal_position)
    FROM information_schema.columns WHERE table_schema = 'public'"""


def migrations_dir(service: str) -> Path:
    return importlib.import_module(f"{service}.service").definition().migrations_dir


@dataclass
class TemplateState:
    """What a clean copy holds beyond empty tables."""

    schema: str
    alembic_version: list[str]
    seeded: dict[str, bytes] = field(default_factory=dict)  # table -> COPY (binary)
    sequences: dict[str, tuple[int, bool]] = field(default_factory=dict)
    tables: list[str] = field(default_factory=list)


class PostgresTemplates:
    """One migrated template database per service for this test process, made on first use;
    copies of it for tests, reused once reset; all dropped when the process ends."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.prefix = f"tpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.made: dict[str, str] = {}
        self.state: dict[str, TemplateState] = {}
        self.spare: dict[str, list[str]] = {}
        self.copies: set[str] = set()
        # Alembic is not thread-safe, and a stack asks for its four databases at once.
        self.lock = threading.RLock()
        atexit.register(self.drop_all)

    def url(self, name: str) -> str:
        return self.admin_url.rsplit("/", 1)[0] + "/" + name

    def template_for(self, service: str) -> str:
        with self.lock:
            if service not in self.made:
                name = f"{self.prefix}_{service}"
                url = create_database(self.admin_url, name)
                try:
                    upgrade(
                        load_settings(service, {"DATABASE_URL": url, **SECRETS}),
                        migrations_dir(service),
                    )
                    self.state[service] = _read_state(url)
                except BaseException:
                    drop_database(self.admin_url, name)
                    raise
                self.made[service] = name
            return self.made[service]

    def clone(self, service: str, name: str) -> str:
        """A migrated database for a test: a spare copy, reset, or a new copy named `name`;
        its URL."""
        with self.lock:
            template = self.template_for(service)
            if self.spare.get(service):
                return self.url(self.spare[service].pop())
            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                # No two copies of one template at once (PostgreSQL refuses that): the lock.
                conn.execute(
                    sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                        sql.Identifier(name), sql.Identifier(template)
                    )
                )
            self.copies.add(name)
            return self.url(name)

    def give_back(self, service: str, name: str) -> None:
        """The test is done with the copy `name`: reset it for the next, or drop it."""
        try:
            _reset(self.admin_url, self.url(name), self.state[service])
        except (psycopg.Error, _NotTheTemplate):
            with self.lock:
                self.copies.discard(name)
            drop_database(self.admin_url, name)
            return
        with self.lock:
            self.spare.setdefault(service, []).append(name)

    def drop_all(self) -> None:
        with self.lock:
            names = [*self.copies, *self.made.values()]
            self.copies.clear()
            self.spare.clear()
            self.made.clear()
        if not names:
            return
        with ThreadPoolExecutor(min(8, len(names))) as pool:
            for name in names:
                pool.submit(_drop_quietly, self.admin_url, name)


class _NotTheTemplate(Exception):
    """The copy's schema is no longer the template's."""


def _read_state(url: str) -> TemplateState:
    with psycopg.connect(url, autocommit=True) as conn:
        schema = conn.execute(SCHEMA_QUERY).fetchone()[0]
        version = [row[0] for row in conn.execute("SELECT version_num FROM alembic_version")]
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version' ORDER BY tablename"
            )
        ]
        state = TemplateState(schema=schema, alembic_version=version, tables=tables)
        for table in tables:
            if conn.execute(
                sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(sql.Identifier(table))
            ).fetchone()[0]:
                with conn.cursor().copy(
                    sql.SQL("COPY {} TO STDOUT (FORMAT BINARY)").format(sql.Identifier(table))
                ) as copy:
                    state.seeded[table] = b"".join(bytes(chunk) for chunk in copy)
        for name, last, called in conn.execute(
            "SELECT sequencename, COALESCE(last_value, start_value), last_value IS NOT NULL "
            "FROM pg_sequences WHERE schemaname = 'public'"
        ):
            state.sequences[name] = (last, called)
    return state


def _reset(admin_url: str, url: str, state: TemplateState) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
    with psycopg.connect(url, autocommit=True) as conn:
        versions = [row[0] for row in conn.execute("SELECT version_num FROM alembic_version")]
        if (
            conn.execute(SCHEMA_QUERY).fetchone()[0] != state.schema
            or versions != state.alembic_version
        ):
            raise _NotTheTemplate(name)
        with conn.transaction():
            # As the superuser, past the audit log's guard against TRUNCATE (a trigger).
            conn.execute("SET LOCAL session_replication_role = replica")
            conn.execute(
                sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
                    sql.SQL(", ").join(sql.Identifier(table) for table in state.tables)
                )
            )
            for table, rows in state.seeded.items():
                with conn.cursor().copy(
                    sql.SQL("COPY {} FROM STDIN (FORMAT BINARY)").format(sql.Identifier(table))
                ) as copy:
                    copy.write(rows)
            for sequence, (value, called) in state.sequences.items():
                conn.execute(
                    "SELECT setval(%s, %s, %s)",
                    (sql.Identifier(sequence).as_string(conn), value, called),
                )


def _drop_quietly(admin_url: str, name: str) -> None:
    try:
        drop_database(admin_url, name)
    except psycopg.Error:
        pass  # the server is gone: nothing to clean
