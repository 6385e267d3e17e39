"""What each application says the volunteer will do (application.placement_announced): the
organisation, the role, the group and its area, shown to the security team deciding access."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from access.models import ApplicationPlacement, Grant, GrantApplication
from shared.handlers import Event
from shared.uow import UnitOfWork


def record_placement(uow: UnitOfWork, event: Event) -> None:
    """application.placement_announced → one row per application (a repeat changes nothing:
    an application is announced once, when it is submitted)."""
    data = event.data
    application_id = str(data["application_id"])
    if uow.session.get(ApplicationPlacement, application_id) is not None:
        return
    uow.session.add(
        ApplicationPlacement(
            application_id=application_id,
            organisation_id=str(data["organisation_id"]),
            organisation_name=data["organisation_name"],
            role=data["role"],
            group_name=data.get("group_name"),
            area=data.get("area"),
            recorded_at=data["announced_at"],
        )
    )


def for_grant(session: Session, grant: Grant) -> list[dict[str, Any]]:
    """What each application the grant rests on says the volunteer will do here (a person may
    come for several organisations), oldest first; an ended sponsorship's is left out."""
    asked = session.execute(
        select(GrantApplication.application_id).where(
            GrantApplication.grant_id == grant.id, GrantApplication.sponsorship_ended_at.is_(None)
        )
    ).scalars()
    application_ids = {grant.application_id, *asked}
    rows = session.execute(
        select(ApplicationPlacement)
        .where(ApplicationPlacement.application_id.in_(sorted(application_ids)))
        .order_by(ApplicationPlacement.recorded_at, ApplicationPlacement.application_id)
    ).scalars()
    return [
        {
            "application_id": row.application_id,
            "organisation_name": row.organisation_name,
            "role": row.role,
            "group_name": row.group_name,
            "area": row.area,
        }
        for row in rows
    ]


def forget(session: Session, application_ids: list[str]) -> int:
    """Erasure: the placements of these applications go."""
    if not application_ids:
        return 0
    result = session.execute(
        delete(ApplicationPlacement).where(ApplicationPlacement.application_id.in_(application_ids))
    )
    return int(getattr(result, "rowcount", 0) or 0)
