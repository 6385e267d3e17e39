"""Finding a case (locked for the change about to be made) and its checks."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.errors import NotFound
from vetting.models import Check, VettingCase


def case_for_update(session: Session, case_id: str) -> VettingCase:
    case = session.execute(
        select(VettingCase).where(VettingCase.id == case_id).with_for_update()
    ).scalar_one_or_none()
    if case is None:
        raise NotFound()
    return case


def case_by_application(session: Session, application_id: str) -> VettingCase | None:
    return session.execute(
        select(VettingCase)
        .where(VettingCase.application_id == str(application_id))
        .with_for_update()
    ).scalar_one_or_none()


def checks_of(session: Session, case_id: str) -> list[Check]:
    return list(
        session.execute(
            select(Check).where(Check.case_id == case_id).order_by(Check.created_at, Check.name)
        ).scalars()
    )
