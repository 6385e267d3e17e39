"""Erasure in access: vetting.person_erased → every grant of the person, at every
establishment, ends at once and loses what names them; access reports with
`access.person_erased`.

The gate reads the grant row alone, so the commit of this handler is the moment every gate
refuses the person. No per-grant event is emitted (access.ended would have notifications
write to the person, and nobody is to be told anything about them); the security team sees
the grant ENDED with the reason code ERASURE in the audit log.

What stays, for anonymised statistics: establishment, status, access type, clearance level,
dates, who decided, which induction items were done and when. What goes: names, date of birth,
badge number, the badge photo, the establishment's conditions and permitted areas, the
clearance's conditions, the status reason an officer wrote, who did each induction item, the
"incoming" rows of the person's applications, and the on-site register's visits.

Safe to re-run: a second report about the same person finds nothing left, changes nothing
and reports zeros (it still reports). Safe to interrupt: one transaction, the consumer's.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Delete, delete, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from access.domain import lifecycle
from access.domain.lifecycle import ENDED, ClearanceStatus
from access.domain.people import set_names
from access.models import EndedSponsorship, Grant, GrantApplication, IncomingCase, Visit
from access.service_layer import outgoing, photos, placements
from access.service_layer.actors import Actor
from access.service_layer.grant_audit import audit_grant
from access.service_layer.review_items import forget_items
from shared import erasure
from shared.audit import log as audit
from shared.handlers import Event
from shared.uow import UnitOfWork

REASON_CODE = "ERASURE"
# Ended at once: every state a gate or a security team could still act on.
ENDING = lifecycle.sources("erase")


def erase_person(uow: UnitOfWork, event: Event) -> None:
    """vetting.person_erased → end, anonymise, forget, report."""
    session, moment = uow.session, uow.now()
    erasure_id = str(event.data["erasure_id"])
    person_id = str(event.data["person_id"]) if event.data.get("person_id") else None
    application_ids = sorted({str(i) for i in event.data["application_ids"]})
    wanted: list[ColumnElement[bool]] = [Grant.application_id.in_(application_ids)]
    if person_id is not None:
        wanted.append(Grant.person_id == person_id)
    grants = list(
        session.execute(
            select(Grant).where(or_(*wanted)).order_by(Grant.id).with_for_update()
        ).scalars()
    )
    person_ids = sorted({g.person_id for g in grants} | ({person_id} if person_id else set()))

    counts = {"grants_ended": 0, "grants": 0}
    for grant in grants:
        if grant.status in ENDING:
            end_for_erasure(uow, grant, moment)
            counts["grants_ended"] += 1
        counts["grants"] += anonymise(grant)
    counts["incoming_cases"] = deleted(
        session, delete(IncomingCase).where(IncomingCase.application_id.in_(application_ids))
    )
    counts["placements"] = placements.forget(session, application_ids)
    session.execute(
        delete(EndedSponsorship).where(EndedSponsorship.application_id.in_(application_ids))
    )
    grant_ids = [g.id for g in grants]
    session.execute(delete(GrantApplication).where(GrantApplication.grant_id.in_(grant_ids)))
    counts["review_items"] = forget_items(session, grant_ids, application_ids)
    counts["photos"] = photos.forget(session, grant_ids)
    counts["visits"] = deleted(session, delete(Visit).where(Visit.grant_id.in_(grant_ids)))
    counts["audit_keys"] = erasure.forget_audit_subjects(
        session, {"grant": grant_ids, "person": [*person_ids, *application_ids]}
    )
    counts.update(erasure.purge_copies(session, [*person_ids, *application_ids, *grant_ids]))
    erasure.remember_erased(session, [*person_ids, *application_ids], erasure_id, moment)
    audit.record(
        session,
        service="access",
        actor="system",
        actor_kind=audit.SYSTEM,
        action="person.erased",
        subject_type="erasure",
        subject_id=erasure_id,
        detail={"counts": counts},
        at=moment,
    )
    outgoing.access_person_erased(
        uow,
        erasure_id=erasure_id,
        person_id=person_id,
        application_ids=application_ids,
        counts=counts,
        moment=moment,
    )


def end_for_erasure(uow: UnitOfWork, grant: Grant, moment: Any) -> None:
    grant.status = lifecycle.moved(grant.status, "erase", ENDED)
    grant.resume_status, grant.awaiting_review = None, False
    if grant.clearance_status in (ClearanceStatus.ACTIVE, ClearanceStatus.SUSPENDED):
        grant.clearance_status = ClearanceStatus.REVOKED  # as vetting did, for the erasure
    grant.updated_at = moment
    # After the status change: the entry says ENDED; no reason, so nothing is sealed under
    # the key this handler is about to forget.
    audit_grant(uow, Actor.system(), "grant.ended", grant, detail={"reason_code": REASON_CODE})


def deleted(session: Session, statement: Delete) -> int:
    """Run a DELETE: how many rows it removed."""
    # A DELETE's result is a CursorResult (it has a rowcount): Session.execute says Result.
    return cast(CursorResult[Any], session.execute(statement)).rowcount or 0


def anonymise(grant: Grant) -> bool:
    """Blank what names the person or describes their terms; True if anything was left."""
    induction = {item: {"at": done.get("at")} for item, done in (grant.induction or {}).items()}
    changed = any(v is not None for v in (grant.forenames, grant.surname, grant.search_name))
    set_names(grant, None, None)
    values: dict[str, Any] = {
        "date_of_birth": None,
        "badge_number": None,
        "conditions": [],
        "permitted_areas": [],
        "clearance_conditions": [],
        "clearance_custom_conditions": None,
        "status_reason": None,
        "declared_connection": False,
        "induction": induction,
    }
    for name, value in values.items():
        if getattr(grant, name) != value:
            setattr(grant, name, value)
            changed = True
    return changed
