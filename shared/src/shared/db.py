"""Database engine and session factory, and the platform tables every service owns.

SQLite (embedded mode) gets WAL and a busy timeout so the web, consumer and relay processes can
share one file; PostgreSQL gets psycopg 3 with a pool. A restarted server is noticed by the first
statement that fails on a stale connection: SQLAlchemy then discards every older pooled
connection, that one request gets a 503 with Retry-After, and the next one connects afresh. (A
pre-ping on every checkout would spare that one 503 at the price of a round trip per request.)
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    TypeDecorator,
    create_engine,
    event,
    text,
)
from sqlalchemy.orm import sessionmaker

from shared.crypto.at_rest import EncryptedText

# BIGINT on PostgreSQL; INTEGER on SQLite, where only INTEGER PRIMARY KEY autoincrements.
BigId = BigInteger().with_variant(Integer(), "sqlite")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Timestamps are stored and returned in UTC, aware, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: timestamps must carry a time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def make_engine(database_url: str, *, pool_size: int = 5) -> Engine:
    url = database_url
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        # Take the write lock at BEGIN: a WAL read transaction that later writes fails with
        # SQLITE_BUSY_SNAPSHOT instead of waiting, and embedded mode values safety over speed.
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=5,
        connect_args={"connect_timeout": 2},
    )


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # A deleted or overwritten row is zeroed where it lay, not left in the page's free space:
    # an erasure must not leave the erased text readable in the file.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def checkpoint_sqlite(engine: Engine) -> tuple[int, int, int] | None:
    """Move the write-ahead log into the database file and truncate it to nothing, so that
    text just erased (deleted or zeroed rows) does not linger in `<db>-wal` until SQLite's
    own checkpoint gets to it. None on PostgreSQL (its WAL ages out by itself: see
    docs/operations.md). SQLite's answer: (busy, frames in the log, frames checkpointed); busy
    1 means a reader held the log and it could not be truncated this time."""
    if engine.dialect.name != "sqlite":
        return None
    # On the driver's connection: SQLAlchemy's would BEGIN IMMEDIATE first (see make_engine),
    # and a checkpoint inside a transaction is refused.
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        row = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        cursor.close()
    finally:
        connection.close()
    return int(row[0]), int(row[1]), int(row[2])


def make_session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, expire_on_commit=False)


# The platform tables every service owns in its own database. Services pass
# [their metadata, PLATFORM_METADATA] to Alembic as target_metadata.
PLATFORM_METADATA = MetaData(naming_convention=NAMING_CONVENTION)

outbox_table = Table(
    "outbox",
    PLATFORM_METADATA,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("event_type", String(100), nullable=False),
    Column("exchange", String(200), nullable=False),
    Column("routing_key", String(200), nullable=False),
    Column("subject", String(100), nullable=False),
    Column("correlation_id", String(100), nullable=False),
    # The event, encrypted (it may carry special-category data); `mentions`: its ids in the
    # clear, for erasure (shared.event_copies).
    Column("body", EncryptedText(), nullable=False),
    Column("mentions", Text, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("published_at", UTCDateTime(), nullable=True),
    # The relay's query: WHERE published_at IS NULL ORDER BY id. Partial, so it stays small.
    Index(
        "ix_outbox_unpublished",
        "id",
        postgresql_where=text("published_at IS NULL"),
        sqlite_where=text("published_at IS NULL"),
    ),
    Index("ix_outbox_created_at", "created_at"),
)

inbox_table = Table(
    "inbox",
    PLATFORM_METADATA,
    Column("event_id", String(36), nullable=False),
    Column("handler", String(200), nullable=False),
    Column("processed_at", UTCDateTime(), nullable=False),
    PrimaryKeyConstraint("event_id", "handler"),
)

dead_letters_table = Table(
    "dead_letters",
    PLATFORM_METADATA,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=True),
    Column("event_type", String(100), nullable=True),
    Column("handler", String(200), nullable=True),
    # Encrypted like the outbox's (the error may echo the event's values).
    Column("body", EncryptedText(), nullable=False),
    Column("error", EncryptedText(), nullable=False),
    Column("mentions", Text, nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("replayed_at", UTCDateTime(), nullable=True),
)


def ping(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def create_database(admin_url: str, name: str) -> str:
    """Create a PostgreSQL database; its URL. (Tests, benchmarks and operators use this.)"""
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return admin_url.rsplit("/", 1)[0] + "/" + name


def drop_database(admin_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    from shared.audit.owner import audit_owner_name

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        # Its audit log's owner (shared.audit.owner): roles are the whole server's. Copies of
        # the database (CREATE DATABASE … TEMPLATE) share it, so it may still be in use.
        try:
            conn.execute(
                sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(audit_owner_name(name)))
            )
        except psycopg.errors.DependentObjectsStillRemain:
            pass
