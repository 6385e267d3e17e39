"""Erasure as the applications service runs it: the request, its progress per service, and
this service's own erasure.

The request names one application. An organisation's (scope ORGANISATION) erases what that
organisation supplied: vetting erases its applications for the person and reports
`vetting.applications_erased` with their ids. The data protection officer's (scope PERSON)
erases the person everywhere: vetting resolves every application of theirs (across
organisations), ends their clearances and erases first; its `vetting.person_erased` carries
that list. This service, access and notifications each erase for the ids and report. The request
is complete when all four have reported; nothing here waits on another service synchronously.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from applications.domain.lifecycle import (
    SERVICE_ERASURE,
    SYSTEM,
    ErasureProgress,
    ErasureStatus,
)
from applications.models import Application, ErasureRequest, InformationRequest, TimelineEntry
from applications.service_layer import outgoing, volunteer_links
from applications.service_layer.contacts import forget_confirmations
from applications.service_layer.records import add_timeline, owned_application
from shared import erasure
from shared.errors import NotFound
from shared.uow import UnitOfWork

SERVICES = ("applications", "vetting", "access", "notifications")
# What stays of an outcome for statistics: codes and dates, never conditions.
_OUTCOME_KEPT = (
    "result",
    "clearance_id",
    "level",
    "expires_at",
    "clearance_status",
    "clearance_status_at",
    "reconsidered",
)


def request_erasure(
    uow: UnitOfWork, application_id: str, *, organisation_id: str | None, requested_by: str
) -> tuple[ErasureRequest, bool]:
    """(the request, created?). An organisation may ask only about its own application (else
    NotFound, as for one that does not exist); asking again while one is under way returns it."""
    session = uow.session
    if organisation_id is not None:
        owned_application(session, organisation_id, application_id, for_update=True)
    elif session.get(Application, application_id, with_for_update=True) is None:
        raise NotFound()
    pending = (
        session.execute(
            select(ErasureRequest).where(
                ErasureRequest.application_id == application_id,
                ErasureRequest.completed_at.is_(None),
            )
        )
        .scalars()
        .first()
    )
    if pending is not None:
        return pending, False
    moment = uow.now()
    request = ErasureRequest(
        id=str(uuid.uuid4()),
        application_id=application_id,
        organisation_id=organisation_id,
        requested_by=requested_by[:200],
        requested_at=moment,
        person_id=None,
        services={name: {"status": ErasureProgress.PENDING} for name in SERVICES},
        completed_at=None,
    )
    session.add(request)
    outgoing.application_erasure_requested(uow, request)
    return request, True


def find_request(session: Session, erasure_id: str, organisation_id: str | None) -> ErasureRequest:
    request = session.get(ErasureRequest, erasure_id)
    if request is None or (
        organisation_id is not None and request.organisation_id != organisation_id
    ):
        raise NotFound()
    return request


def request_view(request: ErasureRequest, *, for_organisation: bool) -> dict[str, Any]:
    """An organisation sees each service's progress on its own request, never the person's
    id nor counts (they could tell of other organisations' records); the data protection
    officer sees both."""
    services = {
        name: request.services.get(name, {"status": ErasureProgress.PENDING}) for name in SERVICES
    }
    if for_organisation:
        services = {
            name: {key: value for key, value in part.items() if key != "counts"}
            for name, part in services.items()
        }
    return {
        "id": request.id,
        "application_id": request.application_id,
        "scope": "ORGANISATION" if request.organisation_id else "PERSON",
        "requested_at": request.requested_at,
        "person_id": None if for_organisation else request.person_id,
        "status": ErasureStatus.COMPLETE if request.completed_at else ErasureStatus.IN_PROGRESS,
        "completed_at": request.completed_at,
        "services": services,
    }


def vetting_erased(
    uow: UnitOfWork,
    erasure_id: str,
    application_ids: list[str],
    person_id: str | None,
    vetting_counts: dict[str, int],
    vetting_erased_at: datetime | str,
) -> None:
    """Vetting has ended the clearances and erased: erase here too, then note both reports."""
    moment = uow.now()
    counts = erase_applications(uow.session, application_ids, person_id, erasure_id, moment)
    request = _request_for(uow, erasure_id)
    if request is not None:
        request.person_id = person_id
        _note(request, "vetting", vetting_counts, vetting_erased_at, moment)
        _note(request, "applications", counts, moment, moment)


def service_reported(
    uow: UnitOfWork,
    erasure_id: str,
    service: str,
    counts: dict[str, int],
    erased_at: datetime | str,
) -> None:
    """Another service has erased its part of the request."""
    request = _request_for(uow, erasure_id)
    if request is not None:
        _note(request, service, counts, erased_at, uow.now())


def _request_for(uow: UnitOfWork, erasure_id: str) -> ErasureRequest | None:
    # Locked: the four reports may be handled at once by several consumers.
    return uow.session.get(ErasureRequest, erasure_id, with_for_update=True)


def _note(
    request: ErasureRequest,
    service: str,
    counts: dict[str, int],
    erased_at: datetime | str,
    moment: datetime,
) -> None:
    at = erased_at.isoformat() if isinstance(erased_at, datetime) else erased_at
    progress = request.services.get(service, {}).get("status", ErasureProgress.PENDING)
    noted = SERVICE_ERASURE.step(progress, "reported", (SYSTEM,))
    request.services = {
        **request.services,
        service: {"status": noted.target, "counts": dict(counts), "erased_at": at},
    }
    if request.completed_at is None and all(
        request.services.get(name, {}).get("status") == ErasureProgress.ERASED for name in SERVICES
    ):
        request.completed_at = moment


def erase_applications(
    session: Session,
    application_ids: list[str],
    person_id: str | None,
    erasure_id: str,
    moment: datetime,
) -> dict[str, int]:
    """Blank every personal value of these applications, keeping what statistics need
    (status, role, access, frequency, establishments, dates, outcome codes). Safe to re-run."""
    applications = (
        session.execute(
            select(Application).where(Application.id.in_(application_ids)).with_for_update()
        )
        .scalars()
        .all()
    )
    counts = {"applications": 0, "information_requests": 0, "timeline_entries": 0}
    for application in applications:
        if application.applicant or application.withdrawn_reason or application.submit_response:
            counts["applications"] += 1
            add_timeline(session, application.id, "erased", {}, moment)
        application.applicant = {}
        application.withdrawn_reason = None
        application.group_name = application.area = None
        application.submit_key = None
        application.submit_response = None
        application.outcome = (
            {k: v for k, v in application.outcome.items() if k in _OUTCOME_KEPT}
            if application.outcome
            else None
        )
        application.updated_at = moment
    requests = (
        session.execute(
            select(InformationRequest).where(InformationRequest.application_id.in_(application_ids))
        )
        .scalars()
        .all()
    )
    for info in requests:
        if info.items or info.answers or info.reason or info.volunteer_items:
            counts["information_requests"] += 1
        info.items, info.reason, info.answers, info.volunteer_items = [], "", None, None
    for entry in session.execute(
        select(TimelineEntry).where(TimelineEntry.application_id.in_(application_ids))
    ).scalars():
        if entry.detail:  # e.g. reconsideration grounds, the questions vetting asked
            counts["timeline_entries"] += 1
            entry.detail = {}
    counts["contact_confirmations"] = forget_confirmations(session, application_ids)
    counts.update(volunteer_links.forget(session, application_ids))
    ids = [*application_ids, *([person_id] if person_id else [])]
    counts.update(erasure.purge_copies(session, ids))
    counts["audit_subjects"] = erasure.forget_audit_subjects(
        session, {"application": application_ids}
    )
    erasure.remember_erased(session, ids, erasure_id, moment)
    return counts
