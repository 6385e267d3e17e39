"""An officer's answer to a possible match, as a use case: link (and let the person's
clearance serve the case if it covers the request) or separate; either way the case goes on."""

from __future__ import annotations

from sqlalchemy import select

from shared.errors import Conflict
from shared.uow import UnitOfWork
from vetting.domain.actors import Actor
from vetting.domain.lifecycles.case import CLOSED, CaseState
from vetting.domain.policy import Policy
from vetting.models import Check
from vetting.service_layer import checks, clearances, history, identity
from vetting.service_layer.lookups import case_for_update


def link(
    uow: UnitOfWork, policy: Policy, case_id: str, person_id: str, actor: Actor, reason: str
) -> None:
    case = case_for_update(uow.session, case_id)
    if case.status in CLOSED:
        raise Conflict(f"This case is {case.status.lower()}: there is nothing to link.")
    identity.link(uow, case, person_id, actor, reason)
    moment = uow.now()
    # The person's history now shows on the case: with any a manager has not acknowledged,
    # their clearance does not serve it (service_layer.history).
    flagged = history.unacknowledged(uow.session, case)
    existing = (
        None
        if case.renewal_of or flagged
        else clearances.covering(uow.session, policy, case, moment)
    )
    if existing is not None and case.status in (CaseState.OPEN, CaseState.AWAITING_DECISION):
        # Served by the person's clearance: the checks still due are not needed.
        for check in uow.session.execute(
            select(Check).where(Check.case_id == case.id, Check.next_attempt_at.is_not(None))
        ).scalars():
            check.next_attempt_at = None
        clearances.serve_from_existing(uow, policy, case, existing, moment)
    else:
        checks.refresh(uow.session, case, policy, moment)


def separate(
    uow: UnitOfWork, policy: Policy, case_id: str, person_id: str, actor: Actor, reason: str
) -> None:
    case = case_for_update(uow.session, case_id)
    if case.status in CLOSED:
        raise Conflict(f"This case is {case.status.lower()}: there is nothing to separate.")
    identity.separate(uow, case, person_id, actor, reason)
    checks.refresh(uow.session, case, policy, uow.now())
