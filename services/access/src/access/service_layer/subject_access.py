"""Everything the access service holds on a person, at every establishment, for a subject access
request (shared.web.subject_access).

Asked by vetting's person id or by an application id, it finds the person's grants (a grant
carries both) and answers with all of that person's grants: who they are, the clearance each
rests on, the establishment's terms, the induction, and its history from the audit log (every
decision and every gate check that found the grant). Also the establishments' early view of the
person's cases (incoming cases, by application), their visits (the on-site register) and
their badge photos, images and all. A gate check that found no grant names no grant, so it
is not here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from access.models import (
    ApplicationPlacement,
    Establishment,
    Grant,
    IncomingCase,
    ReviewItem,
    Visit,
)
from access.service_layer import photos
from access.service_layer.queries import grant_view
from access.service_layer.review_items import item_view
from shared.web.subject_access import Period, audit_history, unique


def gather(
    session: Session,
    identifier: str,
    from_date: date | None,
    to_date: date | None,
    moment: datetime,
) -> dict[str, Any] | None:
    person_ids = unique(
        session.execute(
            select(Grant.person_id).where(
                or_(Grant.person_id == identifier, Grant.application_id == identifier)
            )
        ).scalars()
    )
    grants = (
        list(
            session.execute(
                select(Grant)
                .where(Grant.person_id.in_(person_ids))
                .order_by(Grant.opened_at, Grant.id)
            ).scalars()
        )
        if person_ids
        else []
    )
    application_ids = unique([identifier, *(grant.application_id for grant in grants)])
    incoming = list(
        session.execute(
            select(IncomingCase)
            .where(IncomingCase.application_id.in_(application_ids))
            .order_by(IncomingCase.opened_at, IncomingCase.establishment_code)
        ).scalars()
    )
    if not grants and not incoming:
        return None
    period = Period.of(from_date, to_date)
    names = dict(session.execute(select(Establishment.code, Establishment.name)).all())
    return {
        "person_ids": person_ids,
        "grants": [
            {
                **grant_view(grant),
                "establishment_name": names.get(grant.establishment_code),
                "history": audit_history(session, "grant", grant.id, period),
            }
            for grant in grants
            if period.overlaps(grant.opened_at, grant.updated_at)
        ],
        "incoming_cases": [
            {
                "case_id": case.case_id,
                "application_id": case.application_id,
                "establishment_code": case.establishment_code,
                "establishment_name": names.get(case.establishment_code),
                "requested_access": case.requested_access,
                "opened_at": case.opened_at,
            }
            for case in incoming
            if period.contains(case.opened_at)
        ],
        # Badge photos, the images themselves (base64 JPEG).
        "photos": [
            photo
            for photo in photos.photos_of(session, person_ids)
            if period.contains(photo["taken_at"])
        ],
        # News from vetting held for a security team (the names it gave and the grant's).
        "review_items": [
            item_view(item)
            for item in session.execute(
                select(ReviewItem)
                .where(ReviewItem.person_id.in_(person_ids))
                .order_by(ReviewItem.opened_at, ReviewItem.id)
            ).scalars()
            if period.contains(item.opened_at)
        ]
        if person_ids
        else [],
        # What each application said they would do (the organisation, role, group, area).
        "placements": [
            {
                "application_id": row.application_id,
                "organisation_name": row.organisation_name,
                "role": row.role,
                "group_name": row.group_name,
                "area": row.area,
                "recorded_at": row.recorded_at,
            }
            for row in session.execute(
                select(ApplicationPlacement)
                .where(ApplicationPlacement.application_id.in_(application_ids))
                .order_by(ApplicationPlacement.recorded_at, ApplicationPlacement.application_id)
            ).scalars()
            if period.contains(row.recorded_at)
        ],
        # The on-site register: each time they came in at a gate, and left.
        "visits": [
            {
                "establishment_code": visit.establishment_code,
                "establishment_name": names.get(visit.establishment_code),
                "grant_id": visit.grant_id,
                "signed_in_at": visit.signed_in_at,
                "signed_in_by": visit.signed_in_by,
                "signed_out_at": visit.signed_out_at,
                "signed_out_by": visit.signed_out_by,
            }
            for visit in session.execute(
                select(Visit)
                .where(Visit.person_id.in_(person_ids))
                .order_by(Visit.signed_in_at, Visit.id)
            ).scalars()
            if period.contains(visit.signed_in_at)
        ]
        if person_ids
        else [],
    }
