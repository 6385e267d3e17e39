"""On PostgreSQL the audit log belongs to a role of its own, so the service cannot rewrite it.

The triggers (shared.migrations.create_audit_log_v1) reject UPDATE, DELETE and TRUNCATE, but
a table's owner may drop its triggers, alter it, or drop it. So the migration hands
`audit_log` (and the trigger function) to `<database>_audit_owner`, a role nobody logs in as,
and the service runs as a runtime role that is granted INSERT and SELECT on it, and nothing
more: the database refuses anything else before a trigger is even asked.

Migrations run as an administrator: a superuser, or the database's owner holding membership
of the audit owner role (created beforehand by a DBA, deploy/postgres). The runtime role is
neither, and owns neither the database nor its schema (a schema's owner may drop any table in
it). `grant_runtime` gives it what the processes need; `python -m <service> migrate` calls it
for DATABASE_RUNTIME_ROLE after upgrading (shared.migrations.grant_runtime_role).

Erasure still works as the runtime role: it forgets a subject's sealing key in
`audit_subject_keys`, an ordinary table, and never touches `audit_log` rows.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

AUDIT_TABLE = "audit_log"
AUDIT_FUNCTION = "audit_log_reject_change()"
_SUFFIX = "_audit_owner"


def audit_owner_name(database: str) -> str:
    # PostgreSQL identifiers are at most 63 bytes; keep the suffix whole.
    return database[: 63 - len(_SUFFIX)] + _SUFFIX


def _quote(connection: Any, name: str) -> str:
    return connection.dialect.identifier_preparer.quote_identifier(name)


def hand_audit_log_to_owner(connection: Any) -> None:
    """The migration's step (PostgreSQL only): the audit owner role exists, owns the audit
    table and its trigger function, and nobody else holds privileges on it by default."""
    if connection.dialect.name != "postgresql":
        return
    database = connection.execute(sa.text("SELECT current_database()")).scalar_one()
    owner = audit_owner_name(database)
    quoted = _quote(connection, owner)
    exists = connection.execute(
        sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": owner}
    ).first()
    if exists is None:
        connection.execute(sa.text(f"CREATE ROLE {quoted} NOLOGIN"))
    member = connection.execute(
        sa.text("SELECT pg_has_role(current_user, :r, 'MEMBER')"), {"r": owner}
    ).scalar_one()
    if not member:
        # Handing a table to a role needs membership of it: the administrator's (a DBA may
        # have granted it already, deploy/postgres), never the runtime role's.
        connection.execute(sa.text(f"GRANT {quoted} TO CURRENT_USER"))
    # A new owner must be able to create in the schema (PostgreSQL 15 grants that to nobody
    # by default); it logs in as nobody, so only a member, the administrator, uses it.
    connection.execute(sa.text(f"GRANT USAGE, CREATE ON SCHEMA public TO {quoted}"))
    connection.execute(sa.text(f"ALTER TABLE {AUDIT_TABLE} OWNER TO {quoted}"))
    connection.execute(sa.text(f"ALTER FUNCTION {AUDIT_FUNCTION} OWNER TO {quoted}"))
    connection.execute(sa.text(f"REVOKE ALL ON {AUDIT_TABLE} FROM PUBLIC"))


def return_audit_log_to_current_user(connection: Any) -> None:
    """The downgrade: the migrating role owns the table again (the role stays: copies of a
    database made from this one may still name it)."""
    if connection.dialect.name != "postgresql":
        return
    connection.execute(sa.text(f"ALTER TABLE {AUDIT_TABLE} OWNER TO CURRENT_USER"))
    connection.execute(sa.text(f"ALTER FUNCTION {AUDIT_FUNCTION} OWNER TO CURRENT_USER"))


def grant_runtime(connection: Any, role: str) -> None:
    """What the service's processes need as `role`: every table of the schema read and
    written, the audit log only read and appended to. Run by an administrator after every
    upgrade (a new table needs its grant). Idempotent."""
    if connection.dialect.name != "postgresql":
        return
    quoted = _quote(connection, role)
    database = connection.execute(sa.text("SELECT current_database()")).scalar_one()
    connection.execute(
        sa.text(f"GRANT CONNECT ON DATABASE {_quote(connection, database)} TO {quoted}")
    )
    connection.execute(sa.text(f"GRANT USAGE ON SCHEMA public TO {quoted}"))
    connection.execute(
        sa.text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}")
    )
    connection.execute(
        sa.text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}")
    )
    connection.execute(sa.text(f"REVOKE ALL ON {AUDIT_TABLE} FROM {quoted}"))
    connection.execute(sa.text(f"GRANT SELECT, INSERT ON {AUDIT_TABLE} TO {quoted}"))
