"""The audit log: who decided or read what, about whom, when, the outcome, and why (DESIGN §5).

One table per service database, alongside the outbox: an entry is written by `record()` in the
caller's own transaction, so a decision and its audit entry commit together or not at all (an
audit row for a decision that rolled back would be a false record; a decision without one would
be an unaccountable one). The table is append-only in the database itself: triggers installed by
`shared.migrations.create_audit_log_v1` reject UPDATE and DELETE, so not even a bug or a stray
maintenance script can rewrite history through the application's connection.

Who, what, when, subject, correlation id, outcome and `detail` are plain: `detail` holds
facts that name nobody (levels, codes, statuses, ids). The "why" (`reason`) and anything an actor
wrote about the person (`private`, e.g. a clearance's conditions) are sealed per subject
(`shared.audit.seal`), so erasure can make them unreadable without touching a row.
"""

from __future__ import annotations

from datetime import datetime
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

from shared.audit import seal
from shared.context import current_correlation_id
from shared.db import PLATFORM_METADATA, BigId, UTCDateTime

STAFF = "STAFF"
ORGANISATION = "ORGANISATION"
SYSTEM = "SYSTEM"
ACTOR_KINDS = frozenset({STAFF, ORGANISATION, SYSTEM})
SUCCESS, FAILURE, DENIED = "SUCCESS", "FAILURE", "DENIED"

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
    # Written before entries were sealed (migration 0007 sealed those): always NULL now.
    Column("reason", Text, nullable=True),
    Column("detail", JSON, nullable=True),  # facts naming nobody: level, codes, policy version
    Column("correlation_id", String(100), nullable=True),
    # SUCCESS, FAILURE, DENIED, or a check's answer (ALLOWED / REFUSED at the gate).
    Column("outcome", String(20), nullable=True),
    # The why and the private part, sealed with the subject's key (shared.audit.seal).
    Column("sealed", Text, nullable=True),
    Index("ix_audit_log_at", "at"),
    # "Everything that happened to this case": the question an auditor asks most.
    Index("ix_audit_log_subject", "subject_type", "subject_id"),
    Index("ix_audit_log_actor", "actor"),  # "everything this officer did or read"
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
    private: dict[str, Any] | None = None,
    outcome: str | None = SUCCESS,
    at: datetime,
) -> None:
    """Append one entry in the caller's transaction; the caller commits (or rolls back) it.

    `reason` (the actor's words) and `private` (what the actor set about the person) are sealed;
    `detail` must name nobody — it stays readable after erasure.
    """
    if actor_kind not in ACTOR_KINDS:
        # Checked here rather than by a CHECK constraint so a new kind needs no migration,
        # yet a typo fails at the call site instead of polluting the log.
        raise ValueError(f"actor_kind must be one of {sorted(ACTOR_KINDS)}, not {actor_kind!r}")
    sealed = None
    if reason is not None or private:
        key = seal.subject_key(session_or_connection, subject_type, subject_id, at)
        sealed = seal.seal(key, reason, private or None)
    session_or_connection.execute(
        _INSERT,
        {
            "at": at,
            "service": service,
            "actor": actor,
            "actor_kind": actor_kind,
            "action": action,
            "subject_type": subject_type,
            "subject_id": subject_id,
            "reason": None,
            "detail": detail,
            "outcome": outcome,
            "sealed": sealed,
            "correlation_id": current_correlation_id(),
        },
    )


def entries(
    session_or_connection: Executor,
    *,
    subject_type: str | None = None,
    subject_id: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    outcome: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    reads: bool = True,
    limit: int = 100,
    before_id: int | None = None,
) -> list[dict[str, Any]]:
    """Entries newest first (no `<subject>.read` entries if not `reads`), their sealed parts
    opened where the subject's key still exists.
    For the next page pass the last entry's id as `before_id`: keyset paging by id stays correct
    while entries are being appended, where an offset would skip or repeat rows. (Ids, not `at`,
    order the log: clocks of concurrent writers can disagree.)
    """
    table = audit_log_table
    query = select(table).order_by(table.c.id.desc())
    for column, wanted in (
        (table.c.subject_type, subject_type),
        (table.c.subject_id, subject_id),
        (table.c.actor, actor),
        (table.c.action, action),
        (table.c.outcome, outcome),
    ):
        if wanted is not None:
            query = query.where(column == wanted)
    if not reads:
        query = query.where(table.c.action.not_like("%.read"))
    if since is not None:
        query = query.where(table.c.at >= since)
    if until is not None:
        query = query.where(table.c.at < until)
    if before_id is not None:
        query = query.where(table.c.id < before_id)
    query = query.limit(max(1, min(limit, MAX_PAGE)))
    rows = [dict(row._mapping) for row in session_or_connection.execute(query)]
    keys = seal.keys_for(
        session_or_connection,
        ((row["subject_type"], row["subject_id"]) for row in rows if row["sealed"] is not None),
    )
    return [_opened(row, keys) for row in rows]


def _opened(row: dict[str, Any], keys: dict[tuple[str, str], str]) -> dict[str, Any]:
    sealed = row.pop("sealed")
    reason, private, erased = seal.unseal(
        keys.get((row["subject_type"], row["subject_id"])), sealed
    )
    detail = row["detail"]
    if private:
        detail = {**(detail or {}), **private}
    return {
        **row,
        "reason": reason if sealed is not None else row["reason"],
        "detail": detail,
        "erased": erased,
    }
