"""Use cases of the vetting service."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.consumer import Event, Handler
from shared.reference import Establishment
from shared.uow import UnitOfWork
from vetting.models import CaseUpdate, VettingCase
from vetting.policy import Policy
from vetting.policy.levels import required_level


def make_open_case(policy: Policy, establishments: Mapping[str, Establishment]) -> Handler:
    def open_case(uow: UnitOfWork, event: Event) -> None:
        _open_case(uow, event, policy, establishments)

    open_case.handler_name = "vetting.service_layer.open_case"  # type: ignore[attr-defined]
    return open_case


def _open_case(uow: UnitOfWork, event: Event, policy: Policy,
               establishments: Mapping[str, Establishment]) -> None:
    """application.submitted → a vetting case, once per application, with the level the
    policy requires for the access, frequency and establishments asked for."""
    data = event.data
    application_id = str(data["application_id"])
    existing = uow.session.execute(
        select(VettingCase.id).where(VettingCase.application_id == application_id)
    ).first()
    if existing:
        return
    case = VettingCase(
        id=str(uuid.uuid4()), application_id=application_id, status="OPEN",
        applicant_name={"forenames": data["applicant"]["forenames"],
                        "surname": data["applicant"]["surname"]},
        role=data["role"], establishments=data["establishments"],
        requested_access=data["requested_access"], frequency=data["frequency"],
        opened_at=datetime.now(UTC),
    )
    decision = required_level(policy, data["requested_access"], data["frequency"],
                              [establishments[c] for c in data["establishments"]
                               if c in establishments])
    case.required_level, case.checks = decision.level, list(decision.checks)
    case.policy_version = policy.version
    uow.session.add(case)
    uow.emit("vetting.case_opened", subject=application_id, data={
        "case_id": case.id,
        "application_id": application_id,
        "establishments": case.establishments,
        "requested_access": case.requested_access,
        "opened_at": case.opened_at.isoformat(),
    })


def _case_for(uow: UnitOfWork, event: Event) -> VettingCase | None:
    return uow.session.execute(select(VettingCase).where(
        VettingCase.application_id == str(event.data["application_id"]))).scalar_one_or_none()


def _record(uow: UnitOfWork, case: VettingCase, kind: str, event: Event) -> None:
    uow.session.add(CaseUpdate(case_id=case.id, kind=kind, data=event.envelope.data,
                               received_at=datetime.now(UTC)))


def close_withdrawn_case(uow: UnitOfWork, event: Event) -> None:
    """application.withdrawn → the case stops; its checks are no longer needed."""
    case = _case_for(uow, event)
    if case is None:
        return
    _record(uow, case, "withdrawn", event)
    if case.status == "OPEN":
        case.status = "WITHDRAWN"


def record_information(uow: UnitOfWork, event: Event) -> None:
    """application.info_provided → the answers join the case for the officer."""
    case = _case_for(uow, event)
    if case is not None:
        _record(uow, case, "info_provided", event)


def record_change_of_circumstances(uow: UnitOfWork, event: Event) -> None:
    """application.circumstances_changed → the case needs a review."""
    case = _case_for(uow, event)
    if case is None:
        return
    _record(uow, case, "circumstances_changed", event)
    if case.status != "WITHDRAWN":
        case.status = "REVIEW"


def case_view(case: VettingCase) -> dict[str, Any]:
    return {
        "id": case.id, "application_id": case.application_id, "status": case.status,
        "applicant_name": case.applicant_name, "role": case.role,
        "establishments": case.establishments, "requested_access": case.requested_access,
        "frequency": case.frequency, "opened_at": case.opened_at,
        "required_level": case.required_level, "checks": case.checks,
        "policy_version": case.policy_version,
    }


def list_cases(session: Session, *, status: str | None, application_id: str | None,
               limit: int) -> list[dict[str, Any]]:
    query = select(VettingCase).order_by(VettingCase.opened_at).limit(limit)
    if status:
        query = query.where(VettingCase.status == status)
    if application_id:
        query = query.where(VettingCase.application_id == application_id)
    return [case_view(case) for case in session.execute(query).scalars()]


def get_case(session: Session, case_id: str) -> dict[str, Any] | None:
    case = session.get(VettingCase, case_id)
    return case_view(case) if case else None
