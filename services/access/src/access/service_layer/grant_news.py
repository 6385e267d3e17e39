"""What a clearance's news finds about a person at an establishment: the current grant (not one
kept as history), whether this news already reached them there, and whether it is older than the
clearance the grant rests on (a late redelivery)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from access.domain.lifecycle import CLOSED_CLEARANCE
from access.models import Grant, GrantApplication
from shared.uow import UnitOfWork


def current_grant(uow: UnitOfWork, code: str, person_id: str) -> Grant | None:
    """The person's grant at the establishment now (not one kept as history), locked."""
    return uow.session.execute(
        select(Grant)
        .where(
            Grant.establishment_code == code,
            Grant.person_id == person_id,
            Grant.superseded_at.is_(None),
        )
        .with_for_update()
    ).scalar_one_or_none()


def seen_here(uow: UnitOfWork, grant: Grant, clearance_id: str, application_id: str) -> bool:
    """This clearance, for this application, already reached the person here (on the grant
    now, or on one kept as history)."""
    if grant.clearance_id == clearance_id and grant.application_id == application_id:
        return True
    return (
        uow.session.execute(
            select(Grant.id)
            .join(GrantApplication, GrantApplication.grant_id == Grant.id)
            .where(
                Grant.establishment_code == grant.establishment_code,
                Grant.person_id == grant.person_id,
                Grant.clearance_id == clearance_id,
                GrantApplication.application_id == application_id,
            )
            .limit(1)
        ).first()
        is not None
    )


def older_news(grant: Grant, data: dict[str, Any]) -> bool:
    """News of a clearance issued before the one the grant rests on (delivered late)."""
    issued = data.get("issued_at")
    return (
        grant.clearance_issued_at is not None
        and issued is not None
        and grant.clearance_id != str(data["clearance_id"])
        and issued < grant.clearance_issued_at
    )


def clearance_closed(uow: UnitOfWork, person_id: str, clearance_id: str) -> bool:
    """Vetting already said this clearance was revoked or has expired (on any of the person's
    grants): its news arriving late serves nothing any more."""
    return (
        uow.session.execute(
            select(Grant.id)
            .where(
                Grant.person_id == person_id,
                Grant.clearance_id == clearance_id,
                Grant.clearance_status.in_(CLOSED_CLEARANCE),
            )
            .limit(1)
        ).first()
        is not None
    )
