"""Retention: personal data is kept no longer than its period, then purged; the
anonymised facts that statistics need stay.

Periods, from the environment (defaults in brackets):

- `RETENTION_CHECK_DETAILS_MONTHS` (6, the DBS code of practice): conviction, declaration and
  check-result details, that many months after the decision;
- `RETENTION_CLOSED_APPLICANT_MONTHS` (12): a refused or withdrawn applicant's personal data;
- `RETENTION_OUTBOX_DAYS` (30): published outbox rows and replayed dead letters (their bodies
  carry personal data; `outbox replay --since` only ever needs recent ones).

Each service describes what it purges as `Purge`s; `run` applies them, then prunes the outbox
and the dead letters. Work is done in batches, each its own transaction, so an interrupted run
loses nothing and the next one finishes the job. What is still to do is found by a query:

- a subject (a case, an application, a grant, a notification...) is due when its retention
  clock (`decided_at`, e.g. the decision time) is older than the cutoff and no audit entry of
  this purge exists for it from that time on. The purge and its audit entry commit together, so
  the entry is the mark that the subject was done; a later decision (a review, a
  reconsideration) restarts the clock and the subject is purged again once that is old enough.
  (Encrypted columns cannot be tested in SQL, which is why the mark is the audit entry and not
  the emptied columns.)
- outbox rows and dead letters are deleted, so what is left is what is due.

`python -m <service> retention run [--at ISO] [--dry-run] [--batch-size N] [--every SECONDS]`
prints one JSON object of counts; run again at the same moment, it prints zeros.
"""

from __future__ import annotations

import calendar
import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import click
from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session, sessionmaker

from shared.audit import log as audit
from shared.clock import Clock
from shared.config import Settings
from shared.db import dead_letters_table, outbox_table, rows_affected

ACTOR = "retention"
CHECK_DETAILS = "check_details"
CLOSED_APPLICANT = "closed_applicant"
DEFAULT_BATCH_SIZE = 500


class RetentionConfigError(ValueError):
    """A retention period in the environment is not a whole number of 0 or more."""


@dataclass(frozen=True)
class Periods:
    check_details_months: int = 6
    closed_applicant_months: int = 12
    outbox_days: int = 30

    @classmethod
    def from_settings(cls, settings: Settings) -> Periods:
        extra = settings.extra
        return cls(
            check_details_months=_whole(extra, "RETENTION_CHECK_DETAILS_MONTHS", 6),
            closed_applicant_months=_whole(extra, "RETENTION_CLOSED_APPLICANT_MONTHS", 12),
            outbox_days=_whole(extra, "RETENTION_OUTBOX_DAYS", 30),
        )

    def cutoffs(self, moment: datetime) -> Cutoffs:
        return Cutoffs(
            check_details=months_before(moment, self.check_details_months),
            closed_applicant=months_before(moment, self.closed_applicant_months),
            outbox=moment - timedelta(days=self.outbox_days),
        )


def _whole(extra: Mapping[str, str], name: str, default: int) -> int:
    raw = extra.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise RetentionConfigError(f"{name} must be a whole number, 0 or more, not {raw!r}")
    return value


@dataclass(frozen=True)
class Cutoffs:
    """What was decided (or published) before these moments is due."""

    check_details: datetime
    closed_applicant: datetime
    outbox: datetime

    def for_period(self, period: str) -> datetime:
        return {CHECK_DETAILS: self.check_details, CLOSED_APPLICANT: self.closed_applicant}[period]


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier; the month's last day when that
    month is shorter (31 August less 6 months is 28 or 29 February)."""
    index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


@dataclass(frozen=True)
class Purge:
    """One kind of purge a service does: which rows, from when, and what emptying one means.

    `model` is the ORM class of the subjects (a string primary key `id`); `decided_at` is a SQL
    expression on it for when the row's retention clock started (NULL: not started); `where`
    gives further conditions, given the cutoff; `purge` empties what this purge removes from one
    (locked) row and its dependants, writing through the ORM so encrypted columns stay
    encrypted, and returns the audit detail: field names and counts, never personal data.
    """

    name: str
    action: str
    subject_type: str
    model: Any
    period: str
    decided_at: ColumnElement[Any]
    purge: Callable[[Session, Any], dict[str, Any]]
    where: Callable[[datetime], Sequence[ColumnElement[bool]]] = field(default=lambda _cutoff: ())

    def due(self, cutoff: datetime) -> Any:
        """The subjects due at `cutoff`: clock started before it, not purged since."""
        entries = audit.audit_log_table.c
        done = (
            select(entries.id)
            .where(
                entries.subject_type == self.subject_type,
                entries.subject_id == self.model.id,
                entries.action == self.action,
                entries.at >= self.decided_at,
            )
            .exists()
        )
        return select(self.model).where(self.decided_at < cutoff, ~done, *self.where(cutoff))


Batch = Callable[[Session, Any, int], tuple[int, Any]]


def in_batches(session_factory: sessionmaker, batch: Batch, batch_size: int, dry_run: bool) -> int:
    """Run `batch(session, after, limit)` -> (count, last key; None when there was nothing),
    each call in its own transaction, committed (rolled back on a dry run), until nothing is
    left. Keyset paging on the key: a dry run, which changes nothing, still moves on."""
    total, after = 0, None
    while True:
        with session_factory() as session:
            count, last = batch(session, after, batch_size)
            if dry_run:
                session.rollback()
            else:
                session.commit()
        if last is None:
            return total
        total, after = total + count, last


def purge_batch(purge: Purge, cutoff: datetime, service: str, clock: Clock) -> Batch:
    def batch(session: Session, after: Any, limit: int) -> tuple[int, Any]:
        query = purge.due(cutoff).order_by(purge.model.id).limit(limit)
        if after is not None:
            query = query.where(purge.model.id > after)
        # A row someone is changing right now is left for the next run (SKIP LOCKED; SQLite
        # takes the database's write lock at BEGIN instead).
        rows = list(
            session.execute(query.with_for_update(skip_locked=True, of=purge.model)).scalars()
        )
        for row in rows:
            detail = purge.purge(session, row)
            audit.record(
                session,
                service=service,
                actor=ACTOR,
                actor_kind=audit.SYSTEM,
                action=purge.action,
                subject_type=purge.subject_type,
                subject_id=row.id,
                detail={**detail, "cutoff": cutoff.isoformat()},
                at=clock.now(),
            )
        session.flush()
        return len(rows), rows[-1].id if rows else None

    return batch


def _delete_batch(
    table: Any, column: Any, cutoff: datetime, service: str, action: str, clock: Clock
) -> Batch:
    """Delete rows whose `column` is before the cutoff (NULL never is), by id; one audit entry
    per batch (the rows are events, not people: the entry says how many, which ids)."""

    def batch(session: Session, after: Any, limit: int) -> tuple[int, Any]:
        query = select(table.c.id).where(column < cutoff).order_by(table.c.id).limit(limit)
        if after is not None:
            query = query.where(table.c.id > after)
        ids = list(session.execute(query.with_for_update(skip_locked=True)).scalars())
        if not ids:
            return 0, None
        deleted = rows_affected(session.execute(delete(table).where(table.c.id.in_(ids))))
        audit.record(
            session,
            service=service,
            actor=ACTOR,
            actor_kind=audit.SYSTEM,
            action=action,
            subject_type=table.name,
            subject_id=f"{ids[0]}-{ids[-1]}",
            detail={"rows": deleted, "cutoff": cutoff.isoformat()},
            at=clock.now(),
        )
        return deleted, ids[-1]

    return batch


def run(
    session_factory: sessionmaker,
    settings: Settings,
    purges: Iterable[Purge],
    moment: datetime,
    *,
    clock: Clock,
    batch_size: int = DEFAULT_BATCH_SIZE,
    dry_run: bool = False,
) -> dict[str, int]:
    """Every purge of the service, then the outbox and the dead letters; counts by name.
    `moment` sets the cutoffs (an operator may run as of another time); the audit entries
    say when the purge really happened, by `clock`."""
    cutoffs = Periods.from_settings(settings).cutoffs(moment)
    service = settings.service
    counts: dict[str, int] = {}
    for purge in purges:
        cutoff = cutoffs.for_period(purge.period)
        counts[purge.name] = in_batches(
            session_factory, purge_batch(purge, cutoff, service, clock), batch_size, dry_run
        )
    counts["outbox"] = in_batches(
        session_factory,
        _delete_batch(
            outbox_table,
            outbox_table.c.published_at,
            cutoffs.outbox,
            service,
            "retention.outbox_pruned",
            clock,
        ),
        batch_size,
        dry_run,
    )
    counts["dead_letters"] = in_batches(
        session_factory,
        _delete_batch(
            dead_letters_table,
            dead_letters_table.c.replayed_at,
            cutoffs.outbox,
            service,
            "retention.dead_letters_pruned",
            clock,
        ),
        batch_size,
        dry_run,
    )
    return counts


# -- helpers for the services' purge functions ----------------------------------------------


def only(document: Mapping[str, Any] | None, keep: Iterable[str]) -> dict[str, Any] | None:
    """`document` with only the `keep` keys (None stays None)."""
    if document is None:
        return None
    kept = set(keep)
    return {key: value for key, value in document.items() if key in kept}


def without(document: Mapping[str, Any], drop: Iterable[str]) -> dict[str, Any]:
    dropped = set(drop)
    return {key: value for key, value in document.items() if key not in dropped}


def dropped_keys(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> list[str]:
    return sorted(set(before or {}) - set(after or {}))


def empty_information_request(request: Any) -> bool:
    """An information request (applications and vetting each keep one) loses its questions,
    reason and answers, which talk about the applicant's record; each item's field path, the
    dates and the status stay. True if anything was left to empty."""
    items = [{"field": item.get("field")} for item in request.items or ()]
    changed = request.answers is not None or bool(request.reason) or items != request.items
    request.answers, request.reason, request.items = None, "", items
    # The applications service's copy also keeps a sensitive request's questions for the
    # volunteer alone.
    if getattr(request, "volunteer_items", None):
        request.volunteer_items, changed = None, True
    return changed


# -- the operator command ---------------------------------------------------------------------


def parse_moment(value: str | None, clock: Clock) -> datetime:
    if not value:
        return clock.now()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not an ISO time: {value!r}", param_hint="--at") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def retention_group(purges: Sequence[Purge]) -> click.Group:
    """`retention run`, for a service whose purges are `purges`."""

    @click.group("retention", help="Purge personal data past its retention period.")
    def retention() -> None:
        pass

    @retention.command(
        "run",
        help="Purge what is due (run daily; safe to interrupt and run "
        "again). Prints the counts as JSON.",
    )
    @click.option("--at", "at", default=None, help="ISO time to purge as of (default: now).")
    @click.option("--dry-run", is_flag=True, help="Count what is due; change nothing.")
    @click.option(
        "--batch-size",
        default=DEFAULT_BATCH_SIZE,
        show_default=True,
        type=click.IntRange(min=1),
        help="Rows per transaction.",
    )
    @click.option(
        "--every",
        "every_s",
        default=None,
        type=click.FloatRange(min=1),
        help="Keep running, purging every this many seconds (a container's scheduler).",
    )
    @click.pass_obj
    def run_command(
        state: Any, at: str | None, dry_run: bool, batch_size: int, every_s: float | None
    ) -> None:
        platform = state.platform
        try:
            Periods.from_settings(platform.settings)
        except RetentionConfigError as exc:
            raise click.UsageError(str(exc)) from None
        while True:
            counts = run(
                platform.session_factory,
                platform.settings,
                purges,
                parse_moment(at, platform.clock),
                clock=platform.clock,
                batch_size=batch_size,
                dry_run=dry_run,
            )
            click.echo(json.dumps(counts))
            if every_s is None:
                return
            time.sleep(every_s)

    return retention
