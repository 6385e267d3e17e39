"""What retention purges in the applications service (the mechanics: `shared.retention`).

An application's clock starts when it closes: cleared, refused or withdrawn (its timeline says
when). A change of circumstances or a reconsideration request restarts it: the details are in
use again.

- check_details (RETENTION_CHECK_DETAILS_MONTHS after that): the declarations (convictions,
  cautions, licence) and the connections with people in custody leave the applicant document;
  information requests lose their questions, reason and answers; the timeline loses what was
  asked and the grounds of a reconsideration.
- closed_applicants (RETENTION_CLOSED_APPLICANT_MONTHS after a refusal or withdrawal): the whole
  applicant document (names, date of birth, contact, addresses, documents, referees...) becomes
  an empty stub, and the withdrawal reason, the stored submit response (it names the
  applicant) and the group and area they would have run go, with everything check_details
  removes.

What stays for statistics: status, role, requested access, frequency, establishment codes,
dates, the outcome (result, level, clearance status) and the timeline's kinds and dates. The
organisation and its fellowship are the organisation's data, not the applicant's: untouched.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from applications.domain.lifecycle import CLOSED, DECIDED
from applications.models import Application, InformationRequest, TimelineEntry
from applications.service_layer import volunteer_links
from shared.retention import (
    CHECK_DETAILS,
    CLOSED_APPLICANT,
    Purge,
    dropped_keys,
    empty_information_request,
    without,
)

CLOSING_KINDS = (
    "cleared",
    "refused",
    "refusal_upheld",
    "withdrawn",
    "change_reported",
    "reconsideration_requested",
    "sponsorship_ended",
)
# The applicant document's sections about their record.
CHECK_DETAIL_SECTIONS = ("declarations", "connections")
# Timeline entries whose detail says something about the person, and those keys.
TIMELINE_CHECK_DETAILS = {
    "information_requested": ("items",),
    "reconsideration_requested": ("grounds",),
}
TIMELINE_PERSONAL = {
    **TIMELINE_CHECK_DETAILS,
    "withdrawn": ("reason",),
    "sponsorship_ended": ("note",),
}

DECIDED_AT = (
    select(func.max(TimelineEntry.occurred_at))
    .where(TimelineEntry.application_id == Application.id, TimelineEntry.kind.in_(CLOSING_KINDS))
    .correlate(Application)
    .scalar_subquery()
)


def _requests_and_timeline(
    session: Session, application: Application, timeline_keys: Mapping[str, tuple[str, ...]]
) -> dict[str, int]:
    requests = session.execute(
        select(InformationRequest).where(InformationRequest.application_id == application.id)
    ).scalars()
    emptied = sum(empty_information_request(request) for request in requests)
    entries = session.execute(
        select(TimelineEntry).where(
            TimelineEntry.application_id == application.id,
            TimelineEntry.kind.in_(tuple(timeline_keys)),
        )
    ).scalars()
    stripped = 0
    for entry in entries:
        kept = without(entry.detail or {}, timeline_keys[entry.kind])
        if kept != entry.detail:
            entry.detail, stripped = kept, stripped + 1
    return {"information_requests": emptied, "timeline_entries": stripped}


def purge_check_details(session: Session, application: Application) -> dict[str, Any]:
    applicant = application.applicant or {}
    kept = without(applicant, CHECK_DETAIL_SECTIONS)
    removed = dropped_keys(applicant, kept)
    if removed:
        application.applicant = kept
    return {
        "fields": [f"applicant.{name}" for name in removed],
        **_requests_and_timeline(session, application, TIMELINE_CHECK_DETAILS),
        # A decided application's links and sessions open nothing any more.
        **volunteer_links.forget(session, [application.id]),
    }


def anonymise_applicant(session: Session, application: Application) -> dict[str, Any]:
    fields = []
    if application.applicant:
        application.applicant, fields = {}, ["applicant"]
    for name in ("withdrawn_reason", "submit_response", "group_name", "area"):
        if getattr(application, name) is not None:
            setattr(application, name, None)
            fields.append(name)
    return {
        "fields": fields,
        **_requests_and_timeline(session, application, TIMELINE_PERSONAL),
        **volunteer_links.forget(session, [application.id]),
    }


PURGES = (
    Purge(
        name="check_details",
        action="retention.check_details_purged",
        subject_type="application",
        model=Application,
        period=CHECK_DETAILS,
        decided_at=DECIDED_AT,
        purge=purge_check_details,
        where=lambda _cutoff: (Application.status.in_(DECIDED),),
    ),
    Purge(
        name="closed_applicants",
        action="retention.applicant_anonymised",
        subject_type="application",
        model=Application,
        period=CLOSED_APPLICANT,
        decided_at=DECIDED_AT,
        purge=anonymise_applicant,
        where=lambda _cutoff: (Application.status.in_(CLOSED),),
    ),
)
