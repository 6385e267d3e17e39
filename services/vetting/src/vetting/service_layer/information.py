"""Answers to information requests. The organisation answers through the applications service
(application.info_provided: service_layer.intake); a sensitive request went to the volunteer
alone, who answers vetting directly, and an officer records that answer here. Either way, once
every request is answered the case goes back to where the first one interrupted it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.errors import Conflict, NotFound
from shared.uow import UnitOfWork
from vetting.domain.actors import Actor
from vetting.domain.lifecycles.case import CaseState
from vetting.domain.policy import Policy
from vetting.models import InformationRequest, VettingCase
from vetting.service_layer import checks
from vetting.service_layer.audit_trail import audit_decision
from vetting.service_layer.case_moves import move, take
from vetting.service_layer.lookups import case_for_update


def _unanswered(session: Session, case_id: str, besides: str = "") -> bool:
    return (
        session.execute(
            select(InformationRequest.id).where(
                InformationRequest.case_id == case_id,
                InformationRequest.id != besides,
                InformationRequest.answered_at.is_(None),
            )
        ).first()
        is not None
    )


def _resume_to(case: VettingCase) -> str:
    return case.resume_status or CaseState.AWAITING_DECISION


def resume_when_answered(
    session: Session, case: VettingCase, policy: Policy, moment: datetime
) -> None:
    """With every request answered, the case goes back to where the request interrupted it
    (and its checks say who it waits on there)."""
    if case.status != CaseState.INFO_REQUESTED or _unanswered(session, case.id):
        return
    move(case, _resume_to(case), moment)
    case.resume_status = None
    checks.refresh(session, case, policy, moment)


def record_answer(
    uow: UnitOfWork,
    policy: Policy,
    case_id: str,
    request_id: str,
    actor: Actor,
    answers: list[dict[str, Any]],
) -> VettingCase:
    """An officer records the volunteer's answer to a sensitive request, received directly
    (the organisation was never shown the request, so it cannot answer it)."""
    case = case_for_update(uow.session, case_id)
    request = uow.session.get(InformationRequest, request_id, with_for_update=True)
    if request is None or request.case_id != case.id:
        raise NotFound()
    if request.answered_at is not None:
        raise Conflict(
            f"This information request was answered on "
            f"{request.answered_at.date().isoformat()}: it is ANSWERED.",
            {"status": ["The information request is ANSWERED."]},
        )
    if request.sensitive is False:
        # Vetting cannot close the organisation's copy of it: the organisation answers there
        # (a request from before sensitivity was kept, None, may be either: allowed).
        raise Conflict(
            "This request went to the organisation: its answer comes through the "
            "applications service.",
            {"sensitive": ["Only a sensitive request (sent to the volunteer) is answered here."]},
        )
    others = _unanswered(uow.session, case.id, besides=request.id)
    take(
        case,
        "information_received",
        actor,
        CaseState.INFO_REQUESTED if others else _resume_to(case),
    )
    moment = uow.now()
    request.answers, request.answered_at = answers, moment
    case.updated_at = moment
    uow.session.flush()
    resume_when_answered(uow.session, case, policy, moment)
    audit_decision(
        uow,
        actor,
        "case.information_received",
        "case",
        case.id,
        detail={
            "request_id": request.id,
            "answers": len(answers),
            "from": "VOLUNTEER",
            "status": case.status,
            "policy_version": policy.version,
        },
    )
    return case
