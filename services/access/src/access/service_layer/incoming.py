"""The establishments' early view of who is coming: people in vetting who asked for them
(vetting.case_opened), forgotten when the application is withdrawn or its clearance opens a
request (service_layer.following)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from access.models import IncomingCase
from shared.consumer import Event
from shared.uow import UnitOfWork


def record_incoming_case(uow: UnitOfWork, event: Event) -> None:
    """vetting.case_opened → one incoming row per requested establishment."""
    case_id = str(event.data["case_id"])
    for code in event.data["establishments"]:
        if uow.session.get(IncomingCase, (case_id, code)) is None:
            uow.session.add(
                IncomingCase(
                    case_id=case_id,
                    establishment_code=code,
                    application_id=str(event.data["application_id"]),
                    requested_access=event.data["requested_access"],
                    opened_at=event.data["opened_at"],
                )
            )


def forget_withdrawn(uow: UnitOfWork, event: Event) -> None:
    """application.withdrawal_announced → the person is no longer coming to any establishment."""
    uow.session.execute(
        delete(IncomingCase).where(IncomingCase.application_id == str(event.data["application_id"]))
    )


def incoming_for(session: Session, establishment_code: str, limit: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(IncomingCase)
        .where(IncomingCase.establishment_code == establishment_code)
        .order_by(IncomingCase.opened_at)
        .limit(limit)
    ).scalars()
    return [
        {
            "case_id": r.case_id,
            "application_id": r.application_id,
            "establishment_code": r.establishment_code,
            "requested_access": r.requested_access,
            "opened_at": r.opened_at,
        }
        for r in rows
    ]
