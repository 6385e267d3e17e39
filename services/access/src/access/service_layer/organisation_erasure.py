"""An organisation's erasure in access: vetting.applications_erased → for those applications
only. A grant that only they asked for ends and loses what names the person, as the
person-wide erasure does it; a grant another organisation's application also asks for stays,
and forgets the erased applications. Reported with `access.person_erased` (no person id).
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import delete, select

from access.models import EndedSponsorship, Grant, GrantApplication, IncomingCase, Visit
from access.service_layer import outgoing, photos, placements
from access.service_layer.erasure import ENDING, anonymise, deleted, end_for_erasure
from access.service_layer.review_items import forget_items
from shared import erasure
from shared.audit import log as audit
from shared.handlers import Event
from shared.uow import UnitOfWork


def erase_applications(uow: UnitOfWork, event: Event) -> None:
    session, moment = uow.session, uow.now()
    erasure_id = str(event.data["erasure_id"])
    application_ids = sorted({str(i) for i in event.data["application_ids"]})
    grant_ids = set(
        session.execute(
            select(GrantApplication.grant_id).where(
                GrantApplication.application_id.in_(application_ids)
            )
        ).scalars()
    )
    grant_ids |= set(
        session.execute(select(Grant.id).where(Grant.application_id.in_(application_ids))).scalars()
    )
    grants = list(
        session.execute(
            select(Grant)
            .where(Grant.id.in_(sorted(grant_ids)))
            .order_by(Grant.id)
            .with_for_update()
        ).scalars()
    )
    asked: dict[str, set[str]] = defaultdict(set)
    for grant_id, application_id in session.execute(
        select(GrantApplication.grant_id, GrantApplication.application_id).where(
            GrantApplication.grant_id.in_(sorted(grant_ids))
        )
    ):
        asked[grant_id].add(application_id)
    counts = {"grants_ended": 0, "grants": 0, "grants_kept": 0}
    ended = []
    for grant in grants:
        others = sorted(asked[grant.id] - set(application_ids))
        if others:
            # Another organisation's application asks for it: it stays, resting on theirs.
            if grant.application_id in application_ids:
                grant.application_id = others[0]
            counts["grants_kept"] += 1
            continue
        if grant.status in ENDING:
            end_for_erasure(uow, grant, moment)
            counts["grants_ended"] += 1
        counts["grants"] += anonymise(grant)
        ended.append(grant.id)
    session.execute(
        delete(GrantApplication).where(GrantApplication.application_id.in_(application_ids))
    )
    counts["incoming_cases"] = deleted(
        session, delete(IncomingCase).where(IncomingCase.application_id.in_(application_ids))
    )
    counts["placements"] = placements.forget(session, application_ids)
    session.execute(
        delete(EndedSponsorship).where(EndedSponsorship.application_id.in_(application_ids))
    )
    counts["review_items"] = forget_items(session, ended, application_ids)
    counts["photos"] = photos.forget(session, ended)
    counts["visits"] = deleted(session, delete(Visit).where(Visit.grant_id.in_(ended)))
    counts["audit_keys"] = erasure.forget_audit_subjects(
        session, {"grant": ended, "person": application_ids}
    )
    counts.update(erasure.purge_copies(session, [*application_ids, *ended]))
    erasure.remember_erased(session, application_ids, erasure_id, moment)
    audit.record(
        session,
        service="access",
        actor="system",
        actor_kind=audit.SYSTEM,
        action="applications.erased",
        subject_type="erasure",
        subject_id=erasure_id,
        detail={"counts": counts},
        at=moment,
    )
    outgoing.access_person_erased(
        uow,
        erasure_id=erasure_id,
        person_id=None,
        application_ids=application_ids,
        counts=counts,
        moment=moment,
    )
