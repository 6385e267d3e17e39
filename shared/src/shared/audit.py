"""The audit log: who decided or read what, about whom, when, and why (DESIGN §5).

One table per service database, alongside the outbox: an entry is written by `record()` in the
caller's own transaction, so a decision and its audit entry commit together or not at all (an
audit row for a decision that rolled back would be a false record; a decision without one would
be an unaccountable one). The table is append-only in the database itself: triggers installed by
`shared.migrations.create_audit_log_v1` reject UPDATE and DELETE, so not even a bug or a stray
maintenance script can rewrite history through the application's connection.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Index,
    String,
    Table,
    Text,
    insert,
    select,
)
from sqlalchemy.orm import Session

from shared.context import current_correlation_id
from shared.db import PLATFORM_METADATA, BigId, UTCDateTime

STAFF = "STAFF"
ORGANISATION = "ORGANISATION"
SYSTEM = "SYSTEM"
ACTOR_KINDS = frozenset({STAFF, ORGANISATION, SYSTEM})

# The largest page `entries()` returns, whatever the caller asks for.
MAX_PAGE = 500

audit_log_table = Table(
    "audit_log",
    PLATFORM_METADATA,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("service", String(40), nullable=False),
    # A staff id, an organisation id, or "system" (a scheduler, a consumer acting on an event).
    Column("actor", String(200), nullable=False),
    Column("actor_kind", String(20), nullable=False),
    # "<subject>.<verb>", e.g. "case.refusal_proposed": stable names that reports can group by.
    Column("action", String(100), nullable=False),
    Column("subject_type", String(50), nullable=False),
    Column("subject_id", String(100), nullable=False),
    Column("reason", Text, nullable=True),  # the "why", in the actor's words
    Column("detail", JSON, nullable=True),  # the "what": level, conditions, policy version...
    Column("correlation_id", String(100), nullable=True),
    Index("ix_audit_log_at", "at"),
    # "Everything that happened to this case": the question an auditor asks most.
    Index("ix_audit_log_subject", "subject_type", "subject_id"),
)

Executor = Session | Connection
# Built once: building the statement on every call cost more CPU than running it.
_INSERT = insert(audit_log_table)


def record(
    session_or_connection: Executor,
    *,
    service: str,
    actor: str,
    actor_kind: str,
    action: str,
    subject_type: str,
    subject_id: str,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Append one entry in the caller's transaction; the caller commits (or rolls back) it."""
    if actor_kind not in ACTOR_KINDS:
        # Checked here rather than by a CHECK constraint so a new kind needs no migration,
        # yet a typo fails at the call site instead of polluting the log.
        raise ValueError(f"actor_kind must be one of {sorted(ACTOR_KINDS)}, not {actor_kind!r}")
    session_or_connection.execute(_INSERT, {
        "at": at or datetime.now(UTC), "service": service, "actor": actor,
        "actor_kind": actor_kind, "action": action, "subject_type": subject_type,
        "subject_id": subject_id, "reason": reason, "detail": detail,
        "correlation_id": current_correlation_id(),
    })


def entries(
    session_or_connection: Executor,
    *,
    subject_type: str | None = None,
    subject_id: str | None = None,
    actor: str | None = None,
    limit: int = 100,
    before_id: int | None = None,
) -> list[dict[str, Any]]:
    """Entries newest first. For the next page pass the last entry's id as `before_id`: keyset
    paging by id stays correct while entries are being appended, where an offset would skip or
    repeat rows. (Ids, not `at`, order the log: clocks of concurrent writers can disagree.)
    """
    query = select(audit_log_table).order_by(audit_log_table.c.id.desc())
    if subject_type is not None:
        query = query.where(audit_log_table.c.subject_type == subject_type)
    if subject_id is not None:
        query = query.where(audit_log_table.c.subject_id == subject_id)
    if actor is not None:
        query = query.where(audit_log_table.c.actor == actor)
    if before_id is not None:
        query = query.where(audit_log_table.c.id < before_id)
    query = query.limit(max(1, min(limit, MAX_PAGE)))
    return [dict(row._mapping) for row in session_or_connection.execute(query)]
