"""Everything the applications service holds on a person, for a subject access request
(shared.web.subject_access).

This service knows applications, not people: it answers for an application id, with the
applications linked to it by renewal (each renewal is the same person's), and knows nothing by
vetting's person id. For each: the applicant document (decrypted: declarations, connections,
addresses, referees, DBS certificate), status and outcome, the organisation that applied and
its fellowship (the person's membership of it is health data), information requests with their
answers, the timeline, the links sent to the volunteer and the sessions they started, and what
the audit log holds about the application.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from applications.models import Application, Organisation
from applications.service_layer import volunteer_links
from applications.service_layer.drafts import application_view
from shared.web.subject_access import Period, audit_history


def gather(
    session: Session,
    identifier: str,
    from_date: date | None,
    to_date: date | None,
    moment: datetime,
) -> dict[str, Any] | None:
    application = session.get(Application, identifier)
    if application is None:
        return None
    period = Period.of(from_date, to_date)
    return {
        "applications": [
            _application(session, found, period)
            for found in _renewal_chain(session, application)
            if period.overlaps(found.created_at, found.updated_at)
        ]
    }


def _renewal_chain(session: Session, application: Application) -> list[Application]:
    """The application, what it renewed, what renewed it, and so on both ways."""
    found = {application.id: application}
    waiting = [application]
    while waiting:
        current = waiting.pop()
        related = list(
            session.execute(
                select(Application).where(Application.renewal_of == current.id)
            ).scalars()
        )
        renewed = session.get(Application, current.renewal_of) if current.renewal_of else None
        if renewed is not None:
            related.append(renewed)
        for other in related:
            if other is not None and other.id not in found:
                found[other.id] = other
                waiting.append(other)
    return sorted(found.values(), key=lambda a: (a.created_at, a.id))


def _application(session: Session, application: Application, period: Period) -> dict[str, Any]:
    view = application_view(session, application, whole=True)
    view.update(volunteer_links.history(session, application.id))
    organisation = session.get(Organisation, application.organisation_id)
    view["organisation"] = (
        {"id": organisation.id, "name": organisation.name, "fellowship": organisation.fellowship}
        if organisation is not None
        else None
    )
    view["timeline"] = [
        entry for entry in view["timeline"] if period.contains(entry["occurred_at"])
    ]
    view["information_requests"] = [
        request
        for request in view["information_requests"]
        if period.overlaps(request["requested_at"], request["answered_at"])
    ]
    view["history"] = audit_history(session, "application", application.id, period)
    return view
