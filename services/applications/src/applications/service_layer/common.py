"""Small pieces the use cases share."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from applications.models import Application, TimelineEntry

# A condition naming a prison to keep the volunteer out of points at a connection with someone
# held there: only that prison is told which. The organisation learns that such a condition
# exists (what it must plan around), not where.
EXCLUSION_PREFIX = "EXCLUDE_ESTABLISHMENT:"
EXCLUSIONS_APPLY = "ESTABLISHMENT_RESTRICTIONS_APPLY"


class NotFound(LookupError):
    """No such application for this organisation (whether or not it exists elsewhere)."""


class Conflict(Exception):
    """The application is not in a state that allows this."""


def organisation_conditions(conditions: list[str]) -> list[str]:
    kept = [c for c in conditions if not c.startswith(EXCLUSION_PREFIX)]
    return [*kept, EXCLUSIONS_APPLY] if len(kept) < len(conditions) else kept


def owned_application(
    session: Session, organisation_id: str, application_id: str, *, for_update: bool = False
) -> Application:
    """The application, only if it belongs to the organisation asking; NotFound otherwise."""
    query = select(Application).where(
        Application.id == application_id, Application.organisation_id == organisation_id
    )
    if for_update:
        query = query.with_for_update()
    application = session.execute(query).scalar_one_or_none()
    if application is None:
        raise NotFound(application_id)
    return application


def add_timeline(
    session: Session, application_id: str, kind: str, detail: dict[str, Any], occurred_at: datetime
) -> None:
    session.add(
        TimelineEntry(
            application_id=application_id, kind=kind, detail=detail, occurred_at=occurred_at
        )
    )
