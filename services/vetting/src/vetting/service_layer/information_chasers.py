"""Information requests past their "by when" date, worked by the daily sweep: each is chased
once (vetting.information_chased: the coordinator is emailed), and one still unanswered the
policy's grace period later lapses to the officer's queue as overdue (the case waits on the
officer, and the queue's "information overdue" badge shows).

Safe to run twice or at once: each request is locked (skipping one another sweep holds) and
its chaser and lapse are stamped on it, so each happens once.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.clock import london_date
from shared.uow import UnitOfWork
from vetting.domain.actors import Actor
from vetting.domain.lifecycles.case import CaseState
from vetting.domain.policy import Policy
from vetting.models import InformationRequest, VettingCase
from vetting.service_layer import outgoing
from vetting.service_layer.audit_trail import audit_decision
from vetting.service_layer.case_moves import wait_on


def lapses_on(policy: Policy, chased_at: datetime) -> date:
    return london_date(chased_at) + timedelta(days=policy.information_chase_grace_days)


def _candidates(session: Session, *conditions) -> list[tuple[str, str]]:
    """(request id, case id) of the unanswered requests of cases still waiting on them."""
    return [
        (request_id, case_id)
        for request_id, case_id in session.execute(
            select(InformationRequest.id, InformationRequest.case_id)
            .join(VettingCase, VettingCase.id == InformationRequest.case_id)
            .where(
                VettingCase.status == CaseState.INFO_REQUESTED,
                InformationRequest.answered_at.is_(None),
                *conditions,
            )
            .order_by(InformationRequest.requested_at, InformationRequest.id)
        )
    ]


def _locked(
    session: Session, request_id: str, case_id: str
) -> tuple[VettingCase, InformationRequest] | None:
    """The case, then the request (the order every other writer locks them in), each skipped
    when another transaction holds it: the next sweep comes back to it."""
    case = session.execute(
        select(VettingCase).where(VettingCase.id == case_id).with_for_update(skip_locked=True)
    ).scalar_one_or_none()
    if case is None:
        return None  # never lock the request without its case: its holder needs it next
    request = session.execute(
        select(InformationRequest)
        .where(InformationRequest.id == request_id)
        .with_for_update(skip_locked=True)
    ).scalar_one_or_none()
    if request is None:
        return None
    session.refresh(case)
    session.refresh(request)
    if case.status != CaseState.INFO_REQUESTED or request.answered_at is not None:
        return None
    return case, request


def sweep(uow: UnitOfWork, policy: Policy, moment: datetime) -> dict[str, int]:
    """Chase what is past its date, lapse what was chased the grace period ago: the counts."""
    today = london_date(moment)
    found = {"chased": 0, "lapsed": 0}
    overdue = _candidates(
        uow.session,
        InformationRequest.due_by.is_not(None),
        InformationRequest.due_by < today.isoformat(),
        InformationRequest.chased_at.is_(None),
    )
    for request_id, case_id in overdue:
        locked = _locked(uow.session, request_id, case_id)
        if locked is None or locked[1].chased_at is not None:
            continue
        case, request = locked
        request.chased_at = moment
        outgoing.information_chased(uow, case, request, lapses_on(policy, moment))
        audit_decision(
            uow,
            Actor.system(),
            "case.information_chased",
            "case",
            case.id,
            detail={"request_id": request.id, "due_by": request.due_by},
        )
        found["chased"] += 1
    chased = _candidates(
        uow.session,
        InformationRequest.chased_at.is_not(None),
        InformationRequest.lapsed_at.is_(None),
    )
    for request_id, case_id in chased:
        locked = _locked(uow.session, request_id, case_id)
        if locked is None:
            continue
        case, request = locked
        if request.lapsed_at is not None or request.chased_at is None:
            continue
        if today < lapses_on(policy, request.chased_at):
            continue
        request.lapsed_at = moment
        wait_on(case, "OFFICER", moment)
        audit_decision(
            uow,
            Actor.system(),
            "case.information_lapsed",
            "case",
            case.id,
            detail={"request_id": request.id, "due_by": request.due_by},
        )
        found["lapsed"] += 1
    return found
