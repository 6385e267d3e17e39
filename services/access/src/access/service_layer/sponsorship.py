"""An organisation ends its sponsorship of a cleared volunteer (application.sponsorship_ended).

The volunteer comes into a prison to run an organisation's groups: the organisation vouches for
that role. So a grant resting only on applications whose organisations have stopped sponsoring
ends at once, whatever its state (the prison had admitted the person or not): the gate refuses
from this event on, and the prison is told (access.ended, by ORGANISATION, and the grant's
history). A prison that wants the person back needs an organisation's new application: its
clearance opens a new request beside this ended grant, which shows it. A grant that also rests
on another application still sponsored stays as it is (now resting on that one). A grant the
prison already closed is left as it decided.
The ending is remembered by application even when no grant rests on it yet: its news can
overtake the clearance's (a withdrawal that crossed it), which then opens no request.
"""

from __future__ import annotations

from sqlalchemy import select

from access.domain import lifecycle
from access.domain.lifecycle import ENDED
from access.models import EndedSponsorship, Grant, GrantApplication
from access.service_layer import outgoing
from access.service_layer.actors import Actor
from access.service_layer.grant_audit import audit_grant
from shared.consumer import Event
from shared.uow import UnitOfWork

SYSTEM = Actor.system()
REASON = "The organisation ended its sponsorship."


def end_sponsorship(uow: UnitOfWork, event: Event) -> None:
    application_id, moment = str(event.data["application_id"]), event.data["ended_at"]
    if uow.session.get(EndedSponsorship, application_id) is None:
        # Remembered even with no grant on it yet: this news may overtake the clearance's.
        uow.session.add(EndedSponsorship(application_id=application_id, ended_at=moment))
    links = list(
        uow.session.execute(
            select(GrantApplication).where(GrantApplication.application_id == application_id)
        ).scalars()
    )
    for link in links:
        if link.sponsorship_ended_at is None:
            link.sponsorship_ended_at = moment
    uow.session.flush()
    grant_ids = sorted({link.grant_id for link in links})
    grants = (
        list(
            uow.session.execute(
                select(Grant)
                .where(Grant.id.in_(grant_ids), Grant.superseded_at.is_(None))
                .order_by(Grant.id)
                .with_for_update()
            ).scalars()
        )
        if grant_ids
        else []
    )
    for grant in grants:
        sponsored = sorted(
            uow.session.execute(
                select(GrantApplication.application_id).where(
                    GrantApplication.grant_id == grant.id,
                    GrantApplication.sponsorship_ended_at.is_(None),
                )
            ).scalars()
        )
        detail = {
            "application_id": application_id,
            "reason_code": event.data["reason_code"],
            "from_withdrawal": bool(event.data.get("from_withdrawal")),
        }
        if sponsored:
            # Another organisation still sponsors the person for this grant: it stays.
            if grant.application_id == application_id:
                grant.application_id = sponsored[0]
            audit_grant(
                uow,
                SYSTEM,
                "grant.sponsor_left",
                grant,
                detail={**detail, "still_sponsored_by": sponsored},
            )
            continue
        if not lifecycle.permits("sponsorship_ended", grant.status):
            audit_grant(uow, SYSTEM, "grant.sponsor_left", grant, detail=detail)
            continue
        grant.status = lifecycle.moved(grant.status, "sponsorship_ended", ENDED)
        grant.resume_status, grant.suspended_locally = None, False
        grant.awaiting_review, grant.status_reason = False, REASON
        grant.updated_at = moment
        outgoing.access_ended(uow, grant, "ORGANISATION", moment)
        audit_grant(uow, SYSTEM, "grant.sponsorship_ended", grant, detail=detail)
