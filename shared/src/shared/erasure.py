"""What every service does when it erases a person, whatever its own tables hold.

- It remembers the erased ids (vetting's person id, the application ids) in `erased_subjects`:
  pseudonymous ids only, so that news about the person arriving later (a redelivered or delayed
  event, a retry) is dropped by the consumer instead of bringing their data back.
- It deletes its outbox rows and dead letters that mention those ids: their bodies are copies
  of events that may carry the person's details (application.submitted carries the applicant).
- It forgets the audit log's sealing keys of the person's subjects (shared.audit.seal): their
  entries stay, their reasons become unreadable.
- It reports with `<prefix>.person_erased` and the counts of what it erased.
- On SQLite, once the erasure commits, it checkpoints the write-ahead log and truncates it: the
  old pages (the erased text) would otherwise stay in `<db>-wal` until SQLite reuses it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Engine, String, Table, delete, event, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from shared.audit import seal
from shared.db import (
    PLATFORM_METADATA,
    UTCDateTime,
    checkpoint_sqlite,
    dead_letters_table,
    outbox_table,
)
from shared.uow import UnitOfWork

log = logging.getLogger(__name__)

# Event types that must reach their handlers even about an erased person.
ERASURE_EVENTS = frozenset(
    {
        "application.erasure_requested",
        "vetting.person_erased",
        "vetting.applications_erased",
        "access.person_erased",
        "notification.person_erased",
    }
)

erased_subjects_table = Table(
    "erased_subjects",
    PLATFORM_METADATA,
    Column("subject_id", String(100), primary_key=True),
    Column("erasure_id", String(36), nullable=False),
    Column("erased_at", UTCDateTime(), nullable=False),
)


def remember_erased(
    session: Session, ids: Iterable[str], erasure_id: str, moment: datetime
) -> None:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    rows = [
        {"subject_id": str(i), "erasure_id": erasure_id, "erased_at": moment}
        for i in sorted({str(i) for i in ids if i})
    ]
    if rows:
        session.execute(
            dialect.insert(erased_subjects_table).on_conflict_do_nothing(
                index_elements=["subject_id"]
            ),
            rows,
        )
    _checkpoint_after_commit(session)


def _checkpoint_after_commit(session: Session) -> None:
    """Every service's erasure remembers the erased ids, so every erasure passes here: the
    checkpoint is set up once per transaction, to run when (and only if) it commits."""
    bind = session.get_bind()
    if bind.dialect.name != "sqlite" or session.info.get("erasure_checkpoint"):
        return
    session.info["erasure_checkpoint"] = True
    engine = bind if isinstance(bind, Engine) else bind.engine
    event.listen(session, "after_commit", lambda _session: _checkpoint(engine), once=True)


def _checkpoint(engine: Engine) -> None:
    # The erasure is committed whatever happens here: a failed or blocked checkpoint is left
    # to SQLite's own (the next erasure tries again), and said in the log.
    try:
        result = checkpoint_sqlite(engine)
    except Exception:
        log.warning("the write-ahead log could not be checkpointed after an erasure", exc_info=True)
        return
    if result is not None and result[0]:
        log.warning(
            "the write-ahead log was busy after an erasure: checkpointed %s of %s "
            "frames, not truncated",
            result[2],
            result[1],
        )


def any_erased(session: Session, ids: Iterable[str | None]) -> bool:
    wanted = sorted({str(i) for i in ids if i})
    if not wanted:
        return False
    return (
        session.execute(
            select(erased_subjects_table.c.subject_id)
            .where(erased_subjects_table.c.subject_id.in_(wanted))
            .limit(1)
        ).first()
        is not None
    )


def ids_of(event_subject: str | None, data: Mapping[str, Any]) -> list[str | None]:
    """The ids an event is about, as the tombstones know them."""
    return [event_subject, _text(data.get("application_id")), _text(data.get("person_id"))]


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def purge_copies(session: Session, ids: Iterable[str]) -> dict[str, int]:
    """Outbox rows and dead letters whose bodies mention any of the ids (event copies): the
    bodies are encrypted, so by the ids kept beside them (shared.event_copies)."""
    wanted = sorted({str(i) for i in ids if i})
    if not wanted:
        return {"outbox_rows": 0, "dead_letters": 0}
    # Erasure's own events name nobody but by ids, and must survive: a report not yet
    # published, a request dead-lettered and waiting to be replayed.
    outbox = session.execute(
        delete(outbox_table).where(
            outbox_table.c.event_type.not_in(sorted(ERASURE_EVENTS)),
            or_(
                outbox_table.c.subject.in_(wanted),
                *(outbox_table.c.mentions.contains(i.lower(), autoescape=True) for i in wanted),
            ),
        )
    )
    dead = session.execute(
        delete(dead_letters_table).where(
            or_(
                dead_letters_table.c.event_type.is_(None),
                dead_letters_table.c.event_type.not_in(sorted(ERASURE_EVENTS)),
            ),
            or_(
                *(
                    dead_letters_table.c.mentions.contains(i.lower(), autoescape=True)
                    for i in wanted
                )
            ),
        )
    )
    return {"outbox_rows": outbox.rowcount or 0, "dead_letters": dead.rowcount or 0}


def forget_audit_subjects(session: Session, subjects: Mapping[str, Iterable[str]]) -> int:
    """subject_type -> ids whose audit reasons become unreadable."""
    return sum(seal.forget(session, subject_type, ids) for subject_type, ids in subjects.items())


def report(
    uow: UnitOfWork,
    event_type: str,
    *,
    erasure_id: str,
    person_id: str | None,
    application_ids: Iterable[str],
    counts: Mapping[str, int],
    moment: datetime,
) -> None:
    """Emit this service's `<prefix>.person_erased` (after the purge: the report itself stays)."""
    ids = sorted({str(i) for i in application_ids})
    uow.emit(
        event_type,
        subject=ids[0] if ids else erasure_id,
        data={
            "erasure_id": erasure_id,
            "person_id": person_id,
            "application_ids": ids,
            "counts": dict(counts),
            "erased_at": moment.isoformat(),
        },
    )
