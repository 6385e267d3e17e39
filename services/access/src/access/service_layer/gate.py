"""The gate check: may this person come in, here, now? The hot path of the service.

One indexed read of one row (the grant carries its own copy of the clearance, kept current by
vetting's events), the rules applied in memory, and an audit entry committed before the answer
is given (the caller commits): every check at every gate is accounted for, allowed or not.

Two ways in, the same read, rules and audit entry:

- `gate_check(session, …)`: in the caller's session and transaction (the console; the API on
  SQLite), which commits before answering.
- `check_at_gate(engine, …)`: the API's path on PostgreSQL (`fast_path(engine)`), measured by
  bench/gatecheck.py. It runs the two statements on the pooled psycopg connection itself, in
  autocommit: two round trips instead of four (no BEGIN, no COMMIT), and a fraction of the
  worker's CPU of the same two statements through a session (~0.2-0.3 ms a check instead of
  ~1.5 ms, measured in process: the ORM session, SQLAlchemy's execution context and the audit
  INSERT built per call cost more than the database work). Each statement is its own
  transaction there: that is the route's choice of path, not a commit made here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from psycopg.types.json import Json
from sqlalchemy import Engine, bindparam, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql import psycopg as postgresql_psycopg
from sqlalchemy.orm import Session

from access.domain.people import normalise_badge
from access.domain.rules import GateResult, GateView, ends_at, gate_decision
from access.models import Grant
from access.service_layer.actors import Actor
from shared.audit import log as audit
from shared.context import current_correlation_id

# The audit entry's outcome (the gate's own words for it).
ALLOWED, REFUSED = "ALLOWED", "REFUSED"

_VIEW_COLUMNS = (
    Grant.id,
    Grant.status,
    Grant.clearance_status,
    Grant.clearance_expires_at,
    Grant.access_type,
    Grant.conditions,
    Grant.permitted_days,
    Grant.permitted_areas,
    Grant.valid_until,
    Grant.forenames,
    Grant.surname,
    Grant.date_of_birth,
    Grant.badge_number,
)
# Built once (building a statement per call cost more CPU than executing it). Each reads by one
# of the grant's unique indexes: (establishment, person) or (establishment, badge).
# Only the current grant: a closed one kept as history beside it answers nothing.
_BY_PERSON = select(*_VIEW_COLUMNS).where(
    Grant.establishment_code == bindparam("code"),
    Grant.person_id == bindparam("key"),
    Grant.superseded_at.is_(None),
)
_BY_BADGE = select(*_VIEW_COLUMNS).where(
    Grant.establishment_code == bindparam("code"),
    Grant.badge_number == bindparam("key"),
    Grant.superseded_at.is_(None),
)


def audit_entry(
    actor: Actor,
    code: str,
    result: GateResult,
    moment: datetime,
    person_id: str | None,
    badge: str | None,
) -> dict[str, Any]:
    """The audit entry of one check (`shared.audit.log.record`'s arguments)."""
    return {
        "service": "access",
        "actor": actor.id,
        "actor_kind": actor.kind,
        "action": "gate.checked",
        "subject_type": "grant",
        "subject_id": result.grant.grant_id if result.grant else "-",
        # The badge presented is kept only when it matched nobody (it names no one then, and
        # says what was tried); a matched badge is the grant, which the subject names.
        "detail": {
            "establishment": code,
            "allowed": result.allowed,
            "reason": result.reason,
            "person_id": person_id,
            "badge": badge if result.grant is None else None,
        },
        "outcome": ALLOWED if result.allowed else REFUSED,
        "at": moment,
    }


def gate_check(
    session: Session,
    actor: Actor,
    code: str,
    moment: datetime,
    *,
    person_id: str | None = None,
    badge: str | None = None,
) -> GateResult:
    """Exactly one of person_id / badge. The caller has checked the actor covers `code`, and
    commits the audit entry before it gives the answer."""
    badge = normalise_badge(badge)
    query = _BY_PERSON if person_id is not None else _BY_BADGE
    row = session.execute(
        query, {"code": code, "key": person_id if person_id is not None else badge}
    ).first()
    result = gate_decision(GateView(*row) if row is not None else None, moment)
    audit.record(session, **audit_entry(actor, code, result, moment, person_id, badge))
    return result


def fast_path(engine: Engine) -> bool:
    """Whether `check_at_gate` serves this database (PostgreSQL); else `gate_check`."""
    return engine.dialect.name == "postgresql"


def check_at_gate(
    engine: Engine,
    actor: Actor,
    code: str,
    moment: datetime,
    *,
    person_id: str | None = None,
    badge: str | None = None,
) -> GateResult:
    """`gate_check` for the API on PostgreSQL: the same read, rules and audit entry, with less
    overhead."""
    if not fast_path(engine):
        raise ValueError("check_at_gate runs on PostgreSQL only: elsewhere, gate_check")
    return _check_on_postgresql(engine, actor, code, moment, person_id, normalise_badge(badge))


# The audit entry as `shared.audit.log.record` writes it (the same columns and values; `detail` as
# JSON). `reason` and `sealed` stay NULL: a gate check has no "why" of its own.
_AUDIT_COLUMNS = (
    "at",
    "service",
    "actor",
    "actor_kind",
    "action",
    "subject_type",
    "subject_id",
    "reason",
    "detail",
    "correlation_id",
    "outcome",
    "sealed",
)
_AUDIT_INSERT = (
    f"INSERT INTO {audit.audit_log_table.name} ({', '.join(_AUDIT_COLUMNS)}) "
    f"VALUES ({', '.join(f'%({c})s' for c in _AUDIT_COLUMNS)})"
)
# The two reads above as psycopg runs them (SQLAlchemy compiles them once, here).
_PG_BY_PERSON = str(_BY_PERSON.compile(dialect=postgresql_psycopg.dialect()))
_PG_BY_BADGE = str(_BY_BADGE.compile(dialect=postgresql_psycopg.dialect()))


def _check_on_postgresql(
    engine: Engine,
    actor: Actor,
    code: str,
    moment: datetime,
    person_id: str | None,
    badge: str | None,
) -> GateResult:
    """The read and the audit INSERT on the pooled psycopg connection, in autocommit: each
    statement is its own transaction, so there is no BEGIN and no COMMIT round trip.

    Nothing is lost by leaving the single transaction: the read writes nothing, and under READ
    COMMITTED the two statements saw separate snapshots inside one transaction too. The INSERT
    has committed before this returns, durably (synchronous_commit is left as the server has
    it: `off` would have saved little here, and a crash could then lose the record of a check
    whose answer was already given), so an answer is never given without its audit entry; an
    INSERT that fails raises, and no answer is given at all.

    Errors come out as SQLAlchemy's, as from any other route: a lost connection is dropped with
    the pool's others and becomes a 503 with Retry-After (shared.web.errors).
    """
    dialect, dbapi_error = engine.dialect, engine.dialect.loaded_dbapi.Error
    key, read = (person_id, _PG_BY_PERSON) if person_id is not None else (badge, _PG_BY_BADGE)
    statement: str = read
    params: dict[str, Any] = {"code": code, "key": key}
    try:
        pooled = engine.raw_connection()
    except dbapi_error as exc:  # could not connect: as engine.connect() would say it
        raise sa_exc.DBAPIError.instance(None, None, exc, dbapi_error, dialect=dialect) from exc
    connection = pooled.driver_connection
    if connection is None:  # only a connection already invalidated has none
        pooled.close()
        raise RuntimeError("The pooled connection has no driver connection.")
    try:
        connection.autocommit = True
        try:
            row = connection.execute(statement, params).fetchone()
            result = gate_decision(GateView(*row) if row is not None else None, moment)
            entry = audit_entry(actor, code, result, moment, person_id, badge)
            if entry["actor_kind"] not in audit.ACTOR_KINDS:  # as audit.record checks
                raise ValueError(f"actor_kind {entry['actor_kind']!r} is not an actor kind")
            statement, params = (
                _AUDIT_INSERT,
                {
                    **entry,
                    "reason": None,
                    "sealed": None,
                    "detail": Json(entry["detail"]),
                    "correlation_id": current_correlation_id(),
                },
            )
            connection.execute(statement, params)
        finally:
            try:
                connection.autocommit = False
            except Exception:  # noqa: BLE001 - never pool a connection left in autocommit
                pooled.invalidate()
    except dbapi_error as exc:
        lost = dialect.is_disconnect(exc, connection, None)
        if lost:
            if pooled.is_valid:
                pooled.invalidate(exc)
            engine.dispose()  # the pool's other connections are as stale: connect afresh
        raise sa_exc.DBAPIError.instance(
            statement, params, exc, dbapi_error, connection_invalidated=lost, dialect=dialect
        ) from exc
    finally:
        pooled.close()
    return result


def result_view(result: GateResult, moment: datetime) -> dict[str, Any]:
    """What the gate officer sees: the answer, why, and the terms when there is a grant."""
    view = result.grant
    # Only terms an establishment set have an end: a request not yet approved has none to show.
    ends = ends_at(view) if view is not None and view.valid_until is not None else None
    return {
        "allowed": result.allowed,
        "reason": result.reason,
        "message": result.message,
        "grant_id": view.grant_id if view else None,
        "forenames": view.forenames if view else None,
        "surname": view.surname if view else None,
        "date_of_birth": view.date_of_birth if view else None,
        "badge_number": view.badge_number if view else None,
        "access_type": view.access_type if view else None,
        "conditions": list(view.conditions) if view else [],
        "permitted_days": view.permitted_days if view else None,
        "permitted_areas": list(view.permitted_areas) if view else [],
        "valid_until": ends,
        "checked_at": moment,
    }


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def result_json(result: GateResult, moment: datetime) -> dict[str, Any]:
    """`result_view` as GateResultSchema dumps it (dates ISO 8601, lists copied), built without
    marshmallow: the API answers every gate check with it. The route checks at import that
    the keys are the schema's fields."""
    view = result_view(result, moment)
    view["date_of_birth"] = _iso(view["date_of_birth"])
    view["valid_until"] = _iso(view["valid_until"])
    view["checked_at"] = moment.isoformat()
    if view["permitted_days"] is not None:
        view["permitted_days"] = list(view["permitted_days"])
    return view
