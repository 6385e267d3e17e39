"""The audit entries of what a coordinator does to an application in the portal: the person
(portal:<subject>) acting for their organisation, in the transaction of the act itself."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from applications.portal.blueprint import actor, now, organisation_id, platform
from shared.audit import log as audit
from shared.audit.trail import record_read


def record_act(session: Session, action: str, application_id: str, **detail: Any) -> None:
    """`application.<action>` by the signed-in person; committed with the act."""
    audit.record(
        session,
        service=platform().settings.service,
        actor=actor(),
        actor_kind=audit.ORGANISATION,
        action=f"application.{action}",
        subject_type="application",
        subject_id=application_id,
        detail={"organisation_id": organisation_id(), "via": "portal", **detail},
        at=now(),
    )


def record_page_read(session: Session, application_id: str) -> None:
    """The application's page shows the applicant's details: a read, as the API records one."""
    record_read(
        session,
        "application",
        application_id,
        {"organisation_id": organisation_id(), "view": "portal"},
        by=(actor(), audit.ORGANISATION),
    )
