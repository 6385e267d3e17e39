"""The on-site register: who came in at the gate and has not yet left.

A person is signed in only when the gate's rules answer ALLOWED at that moment (run again here,
on the grant locked for the purpose, never taken from the page that offered the button), and
has at most one open visit per establishment (the partial unique index `uq_visits_open_person`
holds it even against two gates at once). Every sign-in, refused sign-in and sign-out is
audited against the grant, so the grant's history and a subject access request carry it.

A visit still open from an earlier day (in London) was not signed out at the end of that day:
it is flagged for the next shift to check and close.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from access.domain.rules import GateView, gate_decision
from access.models import Grant, Visit
from access.service_layer.actors import Actor
from shared.audit import log as audit
from shared.clock import london_date
from shared.errors import Conflict, NotFound
from shared.uow import UnitOfWork

SIGNED_IN, SIGNED_OUT, SIGN_IN_REFUSED = "visit.signed_in", "visit.signed_out", "visit.refused"
HISTORY_LIMIT = 50
ALREADY_IN = "This person is already signed in here. Sign them out before signing them in again."


def _gate_view(grant: Grant) -> GateView:
    return GateView(
        grant.id,
        grant.status,
        grant.clearance_status,
        grant.clearance_expires_at,
        grant.access_type,
        grant.conditions or [],
        grant.permitted_days,
        grant.permitted_areas or [],
        grant.valid_until,
        grant.forenames,
        grant.surname,
        grant.date_of_birth,
        grant.badge_number,
    )


def _audit(
    uow: UnitOfWork,
    actor: Actor,
    action: str,
    code: str,
    subject: str,
    detail: dict[str, Any],
    outcome: str = audit.SUCCESS,
) -> None:
    audit.record(
        uow.session,
        service="access",
        actor=actor.id,
        actor_kind=actor.kind,
        action=action,
        subject_type="grant",
        subject_id=subject,
        detail={"establishment": code, **detail},
        outcome=outcome,
        at=uow.now(),
    )


def open_visit(session: Session, code: str, person_id: str) -> Visit | None:
    return session.execute(
        select(Visit).where(
            Visit.establishment_code == code,
            Visit.person_id == person_id,
            Visit.signed_out_at.is_(None),
        )
    ).scalar_one_or_none()


class NotLetIn(Conflict):
    """The gate would not let the person in now. Its audit entry is in the session: the
    entrypoint commits it before it answers."""


def sign_in(uow: UnitOfWork, actor: Actor, code: str, person_id: str) -> Visit:
    """Sign the person in, if the gate lets them in now (else NotLetIn)."""
    session, moment = uow.session, uow.now()
    grant = session.execute(
        select(Grant)
        .where(
            Grant.establishment_code == code,
            Grant.person_id == person_id,
            Grant.superseded_at.is_(None),
        )
        .with_for_update()
    ).scalar_one_or_none()
    result = gate_decision(_gate_view(grant) if grant is not None else None, moment)
    if not result.allowed:
        detail = {"reason": result.reason, "person_id": person_id}
        _audit(uow, actor, SIGN_IN_REFUSED, code, grant.id if grant else "-", detail, "REFUSED")
        raise NotLetIn(f"Not signed in: {result.message}")
    assert grant is not None  # ALLOWED needs a grant
    if open_visit(session, code, person_id) is not None:
        raise Conflict(ALREADY_IN)
    visit = Visit(
        id=str(uuid.uuid4()),
        establishment_code=code,
        person_id=person_id,
        grant_id=grant.id,
        signed_in_at=moment,
        signed_in_by=actor.id,
    )
    session.add(visit)
    try:
        session.flush()
    except IntegrityError as exc:  # another gate signed them in a moment ago
        raise Conflict(ALREADY_IN) from exc
    _audit(uow, actor, SIGNED_IN, code, grant.id, {"visit_id": visit.id})
    return visit


def sign_out(uow: UnitOfWork, actor: Actor, code: str, visit_id: str) -> Visit:
    session, moment = uow.session, uow.now()
    visit = session.execute(
        select(Visit)
        .where(Visit.id == visit_id, Visit.establishment_code == code)
        .with_for_update()
    ).scalar_one_or_none()
    if visit is None:
        raise NotFound()
    if visit.signed_out_at is not None:
        raise Conflict("This visit is already signed out.")
    visit.signed_out_at, visit.signed_out_by = moment, actor.id
    left_open = london_date(visit.signed_in_at) < london_date(moment)
    _audit(
        uow, actor, SIGNED_OUT, code, visit.grant_id, {"visit_id": visit.id, "left_open": left_open}
    )
    return visit


def _views(session: Session, statement: Any, moment: datetime) -> list[dict[str, Any]]:
    today = london_date(moment)
    return [
        visit_view(visit, grant, today)
        for visit, grant in session.execute(statement.join(Grant, Grant.id == Visit.grant_id))
    ]


def visit_view(visit: Visit, grant: Grant, today: Any) -> dict[str, Any]:
    return {
        "id": visit.id,
        "establishment_code": visit.establishment_code,
        "person_id": visit.person_id,
        "grant_id": visit.grant_id,
        "forenames": grant.forenames,
        "surname": grant.surname,
        "badge_number": grant.badge_number,
        "signed_in_at": visit.signed_in_at,
        "signed_in_by": visit.signed_in_by,
        "signed_out_at": visit.signed_out_at,
        "signed_out_by": visit.signed_out_by,
        # Still open from an earlier day: nobody signed them out at the end of it.
        "left_open": visit.signed_out_at is None and london_date(visit.signed_in_at) < today,
    }


def on_site(session: Session, code: str, moment: datetime) -> list[dict[str, Any]]:
    """Everyone signed in and not out, earliest first (those left open from before today
    come first, where the next shift sees them)."""
    statement = (
        select(Visit, Grant)
        .where(Visit.establishment_code == code, Visit.signed_out_at.is_(None))
        .order_by(Visit.signed_in_at, Visit.id)
    )
    return _views(session, statement, moment)


def person_history(
    session: Session,
    codes: list[str],
    person_id: str,
    moment: datetime,
    limit: int = HISTORY_LIMIT,
) -> list[dict[str, Any]]:
    """The person's visits at these establishments, newest first."""
    statement = (
        select(Visit, Grant)
        .where(Visit.establishment_code.in_(codes), Visit.person_id == person_id)
        .order_by(Visit.signed_in_at.desc(), Visit.id)
        .limit(limit)
    )
    return _views(session, statement, moment)


def visit_at(session: Session, code: str, visit_id: str, moment: datetime) -> dict[str, Any]:
    statement = select(Visit, Grant).where(Visit.id == visit_id, Visit.establishment_code == code)
    found = _views(session, statement, moment)
    if not found:
        raise NotFound()
    return found[0]
