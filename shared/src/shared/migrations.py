"""Alembic, once: each service keeps its own migration scripts and calls these."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from alembic import command, context, op
from alembic.autogenerate.api import AutogenContext
from alembic.config import Config
from sqlalchemy import MetaData

# Imported for its side effect: it puts audit_log on PLATFORM_METADATA, which `alembic check`
# compares against the database (a table missing from the metadata would read as "drop it").
from shared.audit.log import audit_log_table  # noqa: F401
from shared.audit.owner import grant_runtime
from shared.config import Settings
from shared.crypto.at_rest import EncryptedJSON, EncryptedText
from shared.db import PLATFORM_METADATA, UTCDateTime, make_engine
from shared.startup_secrets import require_production_secrets


def alembic_config(settings: Settings, migrations_dir: Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", settings.database_url.replace("%", "%%"))
    config.attributes["database_url"] = settings.database_url
    # Data migrations that encrypt or decrypt existing rows take the key set from here.
    config.attributes["settings"] = settings
    return config


def upgrade(settings: Settings, migrations_dir: Path, revision: str = "head") -> None:
    require_production_secrets(settings)  # migrations encrypt: never under a default key
    command.upgrade(alembic_config(settings, migrations_dir), revision)


def grant_runtime_role(settings: Settings, role: str) -> None:
    """`grant_runtime` on the settings' database, in a transaction of its own (`migrate` runs
    it after upgrading, as the administrator that upgraded)."""
    engine = make_engine(settings.database_url)
    try:
        with engine.begin() as connection:
            grant_runtime(connection, role)
    finally:
        engine.dispose()


def run_env(service_metadata: MetaData, *more: MetaData) -> None:
    """The body of every service's `env.py` (online mode only: we always have a database).
    `more`: tables some services have, e.g. shared.frontdoor's staff_sessions."""
    url = context.config.attributes.get("database_url") or context.config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise RuntimeError("no database URL: alembic_config(settings) passes the service's")
    engine = make_engine(url)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A batch alteration copies the table and drops the old one, which the foreign keys
            # pointing at it would refuse; the keys are checked as a whole once done.
            # (On the driver's connection: outside a transaction, where SQLite honours it.)
            _sqlite_foreign_keys(connection, on=False)
        context.configure(
            connection=connection,
            target_metadata=[service_metadata, PLATFORM_METADATA, *more],
            render_as_batch=True,  # SQLite alters tables by copy
            compare_type=_compare_type,
            render_item=_render_item,
        )
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.commit()
            _sqlite_foreign_keys(connection, on=True)
            if broken:
                raise RuntimeError(
                    f"migration left {len(broken)} rows breaking a foreign key: "
                    f"{sorted({row[0] for row in broken})}"
                )
    engine.dispose()


def _sqlite_foreign_keys(connection: Any, *, on: bool) -> None:
    cursor = connection.connection.dbapi_connection.cursor()
    cursor.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    cursor.close()


def _compare_type(
    context: Any, _inspected: Any, _column: Any, _inspected_type: Any, metadata_type: Any
) -> bool | None:
    # On SQLite encrypted columns keep their first declared type (see shared.crypto.migrations).
    if (
        isinstance(metadata_type, EncryptedJSON | EncryptedText)
        and context.dialect.name == "sqlite"
    ):
        return False
    return None  # Alembic's own comparison


def _render_item(type_: str, obj: Any, _autogen_context: AutogenContext) -> str | Literal[False]:
    # Migrations stay plain SQLAlchemy: the UTC handling is Python-side only.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, EncryptedJSON | EncryptedText):
        return "sa.Text()"  # a Fernet token; shared.crypto.migrations fills it
    return False


def create_platform_tables_v1() -> None:
    """The platform tables (outbox, inbox, dead letters) as first shipped; every service's first
    migration calls this. A later change is a new function in a new migration, never an edit
    here: migrations are history.
    """
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    stamp = sa.DateTime(timezone=True)
    op.create_table(
        "dead_letters",
        sa.Column("id", big_id, autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=True),
        sa.Column("event_type", sa.String(length=100), nullable=True),
        sa.Column("handler", sa.String(length=200), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", stamp, nullable=False),
        sa.Column("replayed_at", stamp, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dead_letters")),
    )
    op.create_table(
        "inbox",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("handler", sa.String(length=200), nullable=False),
        sa.Column("processed_at", stamp, nullable=False),
        sa.PrimaryKeyConstraint("event_id", "handler", name=op.f("pk_inbox")),
    )
    op.create_table(
        "outbox",
        sa.Column("id", big_id, autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("exchange", sa.String(length=200), nullable=False),
        sa.Column("routing_key", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("correlation_id", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", stamp, nullable=False),
        sa.Column("published_at", stamp, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("event_id", name=op.f("uq_outbox_event_id")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_created_at", ["created_at"], unique=False)
        batch_op.create_index(
            "ix_outbox_unpublished",
            ["id"],
            unique=False,
            postgresql_where=sa.text("published_at IS NULL"),
            sqlite_where=sa.text("published_at IS NULL"),
        )


def drop_platform_tables_v1() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_outbox_unpublished",
            postgresql_where=sa.text("published_at IS NULL"),
            sqlite_where=sa.text("published_at IS NULL"),
        )
        batch_op.drop_index("ix_outbox_created_at")
    op.drop_table("outbox")
    op.drop_table("inbox")
    op.drop_table("dead_letters")


# The message both backends raise; tests and operators can match on it.
AUDIT_LOG_APPEND_ONLY = "audit_log is append-only"


def create_audit_log_v1() -> None:
    """The audit log (shared.audit.log) as first shipped, with triggers that reject UPDATE and
    DELETE, so append-only holds in the database and not merely by convention.

    The triggers stop the application and anyone using its connection; the table's owner can
    still drop them, which takes a deliberate, visible migration. On SQLite a later batch
    ("move and copy") alteration of audit_log drops the triggers with the old table: such a
    migration must create them again.
    """
    op.create_table(
        "audit_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("service", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("actor_kind", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("subject_type", sa.String(length=50), nullable=False),
        sa.Column("subject_id", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("correlation_id", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"], unique=False)
    op.create_index(
        "ix_audit_log_subject", "audit_log", ["subject_type", "subject_id"], unique=False
    )
    if op.get_bind().dialect.name == "postgresql":
        # Concatenation, not RAISE's % placeholders: the SQL passes through a pyformat driver.
        op.execute(f"""
            CREATE FUNCTION audit_log_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION USING MESSAGE = '{AUDIT_LOG_APPEND_ONLY} (' || TG_OP || ')';
            END
            $$
        """)
        op.execute("""
            CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_log
            FOR EACH ROW EXECUTE FUNCTION audit_log_reject_change()
        """)
        # TRUNCATE skips row triggers, so it gets its own.
        op.execute("""
            CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
            FOR EACH STATEMENT EXECUTE FUNCTION audit_log_reject_change()
        """)
    else:
        # SQLite has no TRUNCATE; an unqualified DELETE fires these triggers like any other.
        for event in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log
                BEGIN SELECT RAISE(ABORT, '{AUDIT_LOG_APPEND_ONLY}'); END
            """)


def drop_audit_log_v1() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update_or_delete ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_reject_change()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    op.drop_index("ix_audit_log_subject", table_name="audit_log")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
