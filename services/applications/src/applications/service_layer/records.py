"""The application rows every use case reads and writes: an organisation's own application
(anyone else's is not found), and its timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from applications.models import Application, TimelineEntry
from shared.errors import NotFound


def owned_application(
    session: Session, organisation_id: str, application_id: str, *, for_update: bool = False
) -> Application:
    """The application, only if it belongs to the organisation asking; NotFound otherwise
    (whether or not it exists elsewhere)."""
    query = select(Application).where(
        Application.id == application_id, Application.organisation_id == organisation_id
    )
    if for_update:
        query = query.with_for_update()
    application = session.execute(query).scalar_one_or_none()
    if application is None:
        raise NotFound()
    return application


def add_timeline(
    session: Session, application_id: str, kind: str, detail: dict[str, Any], occurred_at: datetime
) -> None:
    session.add(
        TimelineEntry(
            application_id=application_id, kind=kind, detail=detail, occurred_at=occurred_at
        )
    )
