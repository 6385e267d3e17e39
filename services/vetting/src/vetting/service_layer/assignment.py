"""Taking and releasing a case, so two officers never work one: a case has at most one holder
(`assigned_to`, the staff subject) since `assigned_at`. Taking one's own is a no-op; taking
another's is a 409 naming the holder; only the holder or a manager releases. Closing a case
releases it (case_moves.move). Each take and release is audited."""

from __future__ import annotations

from datetime import datetime

from shared.errors import Conflict
from shared.uow import UnitOfWork
from vetting.domain.actors import MANAGER_ROLE, Actor
from vetting.domain.lifecycles.case import CLOSED
from vetting.models import VettingCase
from vetting.service_layer.audit_trail import audit_decision
from vetting.service_layer.lookups import case_for_update


def _held_by_another(case: VettingCase) -> Conflict:
    return Conflict(
        f"{case.assigned_to} is working this case: they or a manager must release it first.",
        {"assigned_to": [str(case.assigned_to)]},
    )


def take(uow: UnitOfWork, case_id: str, actor: Actor, moment: datetime) -> VettingCase:
    """`actor` works the case from `moment` (locked, so two officers taking it at once
    cannot both succeed)."""
    case = case_for_update(uow.session, case_id)
    if case.assigned_to == actor.subject:
        return case
    if case.assigned_to:
        raise _held_by_another(case)
    if case.status in CLOSED:
        raise Conflict(
            f"This case cannot be taken: it is {case.status}.",
            {"status": [f"The case is {case.status}."]},
        )
    case.assigned_to, case.assigned_at = actor.subject, moment
    audit_decision(uow, actor, "case.taken", "case", case.id, detail={"status": case.status})
    return case


def release(uow: UnitOfWork, case_id: str, actor: Actor, moment: datetime) -> VettingCase:
    """Nobody works the case from now: its holder lets it go, or a manager frees it (a holder
    away, say). Releasing a case nobody holds changes nothing."""
    case = case_for_update(uow.session, case_id)
    if not case.assigned_to:
        return case
    holder = case.assigned_to
    if holder != actor.subject and MANAGER_ROLE not in actor.roles:
        raise _held_by_another(case)
    held_s = (moment - case.assigned_at).total_seconds() if case.assigned_at else None
    case.assigned_to = case.assigned_at = None
    audit_decision(
        uow,
        actor,
        "case.released",
        "case",
        case.id,
        detail={"holder": holder, "held_s": held_s, "by_holder": holder == actor.subject},
    )
    return case
