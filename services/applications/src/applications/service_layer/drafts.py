"""Drafts: create, update, read and list an organisation's applications."""

from __future__ import annotations

import uuid
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import delete, select, tuple_
from sqlalchemy.orm import Session

from applications.domain.conditions import organisation_conditions
from applications.domain.lifecycle import COORDINATOR, ApplicationState, RequestState, step
from applications.models import (
    Application,
    ApplicationEstablishment,
    InformationRequest,
    TimelineEntry,
)
from applications.schemas.applicant import ApplicantSchema
from applications.service_layer import volunteer_sections
from applications.service_layer.contacts import refuse_coordinators_contact
from applications.service_layer.records import owned_application
from shared.pagination import decode_cursor, encode_cursor
from shared.reference import application_reference
from shared.uow import UnitOfWork

APPLICATION_FIELDS = ("role", "requested_access", "frequency", "group_name", "area")
# Built once: constructing the schema (and its nested schemas) costs more than a load, and a
# marshmallow schema keeps no state between calls, so one instance serves every thread.
APPLICANT_SCHEMA = ApplicantSchema()


def create_draft(
    uow: UnitOfWork, organisation_id: str, data: dict[str, Any], *, renewal_of: str | None = None
) -> Application:
    applicant = APPLICANT_SCHEMA.dump(data.get("applicant", {}))
    refuse_coordinators_contact(uow, organisation_id, applicant)
    moment = uow.now()
    application = Application(
        id=str(uuid.uuid4()),
        organisation_id=organisation_id,
        status=ApplicationState.DRAFT,
        applicant=applicant,
        role=data.get("role"),
        establishments=list(data.get("establishments", [])),
        requested_access=data.get("requested_access"),
        frequency=data.get("frequency"),
        group_name=data.get("group_name"),
        area=data.get("area"),
        renewal_of=renewal_of,
        created_at=moment,
        updated_at=moment,
    )
    uow.session.add(application)
    uow.session.flush()
    _index_establishments(uow.session, application)
    return application


def update_draft(
    uow: UnitOfWork, organisation_id: str, application_id: str, changes: dict[str, Any]
) -> Application:
    """Apply a partial update: each given applicant section, or field, replaces the old one."""
    application = owned_application(uow.session, organisation_id, application_id, for_update=True)
    step(application.status, "edit", COORDINATOR)
    if "applicant" in changes:
        volunteer_sections.refuse_organisation_changes(application, changes["applicant"])
        applicant = {**application.applicant, **APPLICANT_SCHEMA.dump(changes["applicant"])}
        refuse_coordinators_contact(uow, organisation_id, applicant)
        application.applicant = applicant
    for field in APPLICATION_FIELDS:
        if field in changes:
            setattr(application, field, changes[field])
    if "establishments" in changes:
        application.establishments = list(changes["establishments"])
        _index_establishments(uow.session, application)
    application.updated_at = uow.now()
    return application


def _index_establishments(session: Session, application: Application) -> None:
    session.execute(
        delete(ApplicationEstablishment).where(
            ApplicationEstablishment.application_id == application.id
        )
    )
    for code in dict.fromkeys(application.establishments):
        session.add(ApplicationEstablishment(application_id=application.id, code=code))


def loaded_application(application: Application | SimpleNamespace) -> dict[str, Any]:
    """The application in the loaded form the readiness rules read (dates as dates)."""
    return {
        "applicant": APPLICANT_SCHEMA.load(application.applicant),
        "role": application.role,
        "establishments": list(application.establishments),
        "requested_access": application.requested_access,
        "frequency": application.frequency,
    }


def application_view(
    session: Session, application: Application, *, whole: bool = False
) -> dict[str, Any]:
    """The application as its organisation sees it, with its timeline: without the sections
    the volunteer completes themselves, only their statuses (`whole`: everything, for the
    person's own subject access request)."""
    entries = session.execute(
        select(TimelineEntry)
        .where(TimelineEntry.application_id == application.id)
        .order_by(TimelineEntry.occurred_at, TimelineEntry.id)
    ).scalars()
    requests = session.execute(
        select(InformationRequest)
        .where(InformationRequest.application_id == application.id)
        .order_by(InformationRequest.requested_at)
    ).scalars()
    timeline = [{"kind": e.kind, "detail": e.detail, "occurred_at": e.occurred_at} for e in entries]
    return {
        **summary_view(application),
        "applicant": (
            application.applicant if whole else volunteer_sections.redacted_applicant(application)
        ),
        "volunteer_sections": volunteer_sections.section_statuses(application),
        "group_name": application.group_name,
        "area": application.area,
        "renewal_of": application.renewal_of,
        "outcome": _outcome_view(application.outcome),
        "withdrawn_reason": application.withdrawn_reason,
        "reconsideration_requested_at": application.reconsideration_requested_at,
        "information_requests": [_request_view(r) for r in requests],
        "timeline": _own_milestones(application) + timeline,
        "change_reports": change_reports(timeline),
    }


def change_reports(timeline: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each reported change with vetting's outcome for it: the final one once there is one
    (an acknowledgement arriving after it changes nothing), else the latest."""
    reports = {
        entry["detail"]["report_id"]: {
            "id": entry["detail"]["report_id"],
            "kind": entry["detail"].get("kind"),
            "reported_at": entry["occurred_at"],
            "outcome": None,
            "final": False,
            "reviewed_at": None,
        }
        for entry in timeline
        if entry["kind"] == "change_reported" and (entry["detail"] or {}).get("report_id")
    }
    for entry in timeline:
        detail = entry["detail"] or {}
        if entry["kind"] == "change_reviewed" and detail.get("report_id") in reports:
            report = reports[detail["report_id"]]
            if not report["final"]:
                report.update(
                    outcome=detail.get("outcome"),
                    final=bool(detail.get("final")),
                    reviewed_at=entry["occurred_at"],
                )
    return list(reports.values())


VOLUNTEER_ASKED_MESSAGE = (
    "Vetting has asked the volunteer directly. There is nothing for the organisation to send."
)


def _request_view(request: InformationRequest) -> dict[str, Any]:
    """What to provide and by when; never why vetting asks (that may be what it found)."""
    view = {
        "id": request.id,
        "items": request.items,
        "due_by": request.due_by,
        "status": request.status,
        "requested_at": request.requested_at,
        "answers": request.answers,
        "answered_at": request.answered_at,
    }
    if request.status == RequestState.VOLUNTEER_ASKED:
        view["message"] = VOLUNTEER_ASKED_MESSAGE
        view["answers"] = None  # the volunteer's own words: never the organisation's to read
    return view


def _outcome_view(outcome: dict[str, Any] | None) -> dict[str, Any] | None:
    if not outcome or "conditions" not in outcome:
        return outcome
    return {**outcome, "conditions": organisation_conditions(outcome["conditions"])}


def _own_milestones(application: Application) -> list[dict[str, Any]]:
    """Creation and submission are facts of the row itself; the timeline table holds the rest
    (what other services did, withdrawals, answers), so submitting writes one row fewer."""
    milestones = [
        {
            "kind": "draft_created",
            "occurred_at": application.created_at,
            "detail": {"renewal_of": application.renewal_of} if application.renewal_of else {},
        }
    ]
    if application.submitted_at is not None:
        milestones.append(
            {"kind": "submitted", "detail": {}, "occurred_at": application.submitted_at}
        )
    return milestones


def summary_view(application: Application | SimpleNamespace) -> dict[str, Any]:
    applicant = application.applicant
    return {
        "id": application.id,
        "reference": application_reference(application.id),
        "status": application.status,
        "applicant_name": " ".join(
            filter(None, (applicant.get("forenames"), applicant.get("surname")))
        )
        or None,
        "role": application.role,
        "establishments": application.establishments,
        "requested_access": application.requested_access,
        "frequency": application.frequency,
        "created_at": application.created_at,
        "updated_at": application.updated_at,
        "submitted_at": application.submitted_at,
    }


def list_applications(
    session: Session,
    organisation_id: str,
    *,
    status: str | None = None,
    establishment: str | None = None,
    updated_since: datetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> dict[str, Any]:
    """Oldest first, keyset-paginated on (created_at, id) so pages never skip or repeat."""
    query = select(Application).where(Application.organisation_id == organisation_id)
    if status:
        query = query.where(Application.status == status)
    if establishment:
        query = query.where(
            Application.id.in_(
                select(ApplicationEstablishment.application_id).where(
                    ApplicationEstablishment.code == establishment
                )
            )
        )
    if updated_since:
        query = query.where(Application.updated_at >= updated_since)
    if cursor:
        created_at, last_id = decode_cursor(cursor)
        query = query.where(tuple_(Application.created_at, Application.id) > (created_at, last_id))
    rows = list(
        session.execute(
            query.order_by(Application.created_at, Application.id).limit(limit + 1)
        ).scalars()
    )
    page, more = rows[:limit], len(rows) > limit
    return {
        "items": [summary_view(a) for a in page],
        "next_cursor": (encode_cursor(page[-1].created_at, page[-1].id) if more and page else None),
    }
