"""The gate check: may this person come in, here, now? The hot path of the service.

One indexed read of one row (the grant carries its own copy of the clearance, kept current by
vetting's events), the rules applied in memory, and an audit entry in the same short
transaction: every check at every gate is accounted for, allowed or not.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from access.models import Grant
from access.rules import GateResult, GateView, gate_decision
from access.service_layer.common import Actor
from shared import audit

_VIEW_COLUMNS = (
    Grant.id, Grant.status, Grant.clearance_status, Grant.clearance_expires_at,
    Grant.access_type, Grant.conditions, Grant.permitted_days, Grant.permitted_areas,
    Grant.valid_until, Grant.forenames, Grant.surname, Grant.date_of_birth, Grant.badge_number,
)


def _lookup(code: str, person_id: str | None, badge: str | None) -> Select:
    query = select(*_VIEW_COLUMNS).where(Grant.establishment_code == code)
    if person_id is not None:
        return query.where(Grant.person_id == person_id)
    return query.where(Grant.badge_number == badge)


def gate_check(session: Session, actor: Actor, code: str, moment: datetime, *,
               person_id: str | None = None, badge: str | None = None) -> GateResult:
    """Exactly one of person_id / badge. The caller has checked the actor covers `code`."""
    row = session.execute(_lookup(code, person_id, badge)).first()
    result = gate_decision(GateView(*row) if row is not None else None, moment)
    audit.record(session, service="access", actor=actor.id, actor_kind=actor.kind,
                 action="gate.checked", subject_type="grant",
                 subject_id=result.grant.grant_id if result.grant else "-",
                 detail={"establishment": code, "allowed": result.allowed,
                         "reason": result.reason, "person_id": person_id, "badge": badge},
                 at=moment)
    session.commit()
    return result


def result_view(result: GateResult, moment: datetime) -> dict[str, object]:
    """What the gate officer sees: the answer, why, and the terms when there is a grant."""
    view = result.grant
    ends = None
    if view is not None:
        ends = min(filter(None, (view.valid_until, view.clearance_expires_at)))
    return {
        "allowed": result.allowed, "reason": result.reason, "message": result.message,
        "grant_id": view.grant_id if view else None,
        "forenames": view.forenames if view else None,
        "surname": view.surname if view else None,
        "date_of_birth": view.date_of_birth if view else None,
        "badge_number": view.badge_number if view else None,
        "access_type": view.access_type if view else None,
        "conditions": list(view.conditions) if view else [],
        "permitted_days": view.permitted_days if view else None,
        "permitted_areas": list(view.permitted_areas) if view else [],
        "valid_until": ends, "checked_at": moment,
    }
