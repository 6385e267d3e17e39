"""Sealing the "why" of audit entries so that erasure can forget it without rewriting history.

An audit entry's who, what, when, subject, correlation id and outcome are plain columns: an
auditor filters on them and they name people only by ids. What an actor wrote or chose about a
person — a refusal's reasons, the conditions of a clearance — may be criminal-offence or health
data, so it is sealed with a key of its own per audited subject (a case, a grant, an
application...). The key lives in `audit_subject_keys`, itself encrypted with the service's key
set (so `keys rotate` covers it). Erasure deletes a subject's key: its entries stay, append-only,
with their sealed part unreadable by anyone ("crypto-shredding"), which is what lets the log be
both append-only and erasable.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import (
    Column,
    Connection,
    String,
    Table,
    UniqueConstraint,
    delete,
    select,
    tuple_,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from shared.crypto.at_rest import EncryptedText
from shared.db import PLATFORM_METADATA, BigId, UTCDateTime

Executor = Session | Connection

audit_subject_keys_table = Table(
    "audit_subject_keys",
    PLATFORM_METADATA,
    # A one-column key, as every encrypted table has, so `keys rotate` pages through it.
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("subject_type", String(50), nullable=False),
    Column("subject_id", String(100), nullable=False),
    Column("key", EncryptedText(), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("subject_type", "subject_id", name="uq_audit_subject_keys_subject"),
)

_KEYS = audit_subject_keys_table


def _insert_if_absent(executor: Executor) -> Any:
    # Two writers sealing for the same new subject at once: the second waits for the first's
    # commit and inserts nothing, then reads the first's key, instead of failing its transaction.
    dialect = (
        executor.get_bind().dialect.name if isinstance(executor, Session) else executor.dialect.name
    )
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(_KEYS).on_conflict_do_nothing(
        index_elements=["subject_type", "subject_id"]
    )


def subject_key(executor: Executor, subject_type: str, subject_id: str, at: datetime) -> str:
    """The subject's sealing key, created on first use (in the caller's transaction)."""
    where = (_KEYS.c.subject_type == subject_type) & (_KEYS.c.subject_id == subject_id)
    found = executor.execute(select(_KEYS.c.key).where(where)).scalar()
    if found is not None:
        return found
    executor.execute(
        _insert_if_absent(executor),
        {
            "subject_type": subject_type,
            "subject_id": subject_id,
            "key": Fernet.generate_key().decode(),
            "created_at": at,
        },
    )
    return executor.execute(select(_KEYS.c.key).where(where)).scalar_one()


def seal(key: str, reason: str | None, private: dict[str, Any] | None) -> str:
    body = json.dumps(
        {"reason": reason, "private": private}, separators=(",", ":"), sort_keys=True, default=str
    )
    return Fernet(key.encode()).encrypt(body.encode()).decode()


def unseal(key: str | None, sealed: str | None) -> tuple[str | None, dict[str, Any] | None, bool]:
    """(reason, private, erased): `erased` when the entry had a sealed part whose key is gone."""
    if sealed is None:
        return None, None, False
    if key is None:
        return None, None, True
    try:
        body = json.loads(Fernet(key.encode()).decrypt(sealed.encode()))
    except InvalidToken:  # a key replaced by erasure then a later entry: the old part is gone
        return None, None, True
    return body.get("reason"), body.get("private"), False


def keys_for(executor: Executor, subjects: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    wanted = list(set(subjects))
    if not wanted:
        return {}
    rows = executor.execute(
        select(_KEYS.c.subject_type, _KEYS.c.subject_id, _KEYS.c.key).where(
            tuple_(_KEYS.c.subject_type, _KEYS.c.subject_id).in_(wanted)
        )
    )
    return {(row.subject_type, row.subject_id): row.key for row in rows}


def forget(executor: Executor, subject_type: str, subject_ids: Iterable[str]) -> int:
    """Erasure: the sealed parts of these subjects' entries become unreadable, for good.
    Returns how many keys were destroyed (0 on a rerun)."""
    ids = sorted(set(subject_ids))
    if not ids:
        return 0
    result = executor.execute(
        delete(_KEYS).where(_KEYS.c.subject_type == subject_type, _KEYS.c.subject_id.in_(ids))
    )
    return result.rowcount or 0
