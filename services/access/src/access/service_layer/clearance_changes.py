"""Vetting's later news of a clearance, applied to every grant of the person that rests on it,
everywhere, automatically: suspended suspends them, revoked or expired ends them, and a
reinstatement lifts only the suspension it names, never one the establishment made itself.
Each use case is idempotent: a redelivered event changes nothing."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from access.domain import lifecycle
from access.domain.lifecycle import APPROVED, ENDED, SUSPENDED, ClearanceStatus, GrantState
from access.models import Grant
from access.service_layer import outgoing
from access.service_layer.actors import Actor
from access.service_layer.decisions import activate_if_inducted
from access.service_layer.grant_audit import audit_grant
from shared.events.contracts.vetting import legacy_suspension_id
from shared.handlers import Event
from shared.uow import UnitOfWork

SYSTEM = Actor.system()
log = logging.getLogger(__name__)


def _grants_on(uow: UnitOfWork, event: Event) -> list[Grant]:
    """The person's grants resting on this clearance (news of an older one moves nothing)."""
    return list(
        uow.session.execute(
            select(Grant)
            .where(
                Grant.person_id == str(event.data["person_id"]),
                Grant.clearance_id == str(event.data["clearance_id"]),
                Grant.superseded_at.is_(None),
            )
            .order_by(Grant.id)
            .with_for_update()
        ).scalars()
    )


def _suspension_named(event: Event) -> str | None:
    named = event.data.get("suspension_id")
    return str(named) if named else None


def suspend_with_clearance(uow: UnitOfWork, event: Event) -> None:
    moment = event.data["suspended_at"]
    # An older publisher's suspension has no id: the one every service's migration gives it.
    suspension_id = _suspension_named(event) or legacy_suspension_id(event.data["clearance_id"])
    for grant in _grants_on(uow, event):
        if grant.clearance_status != ClearanceStatus.ACTIVE:
            continue
        grant.clearance_status, grant.updated_at = ClearanceStatus.SUSPENDED, moment
        grant.clearance_suspension_id = suspension_id
        if lifecycle.permits("clearance_suspended", grant.status):
            grant.resume_status = grant.status
            grant.status = lifecycle.moved(grant.status, "clearance_suspended", SUSPENDED)
            outgoing.access_suspended(uow, grant, "VETTING", moment)
        audit_grant(
            uow,
            SYSTEM,
            "grant.clearance_suspended",
            grant,
            detail={
                "clearance_id": grant.clearance_id,
                "reason_code": event.data["reason"],
                "suspension_id": suspension_id,
            },
        )


def reinstate_with_clearance(uow: UnitOfWork, event: Event) -> None:
    """Lifts the suspension the event names, and no other: one naming none, or another,
    changes nothing but the audit log."""
    moment, named = event.data["reinstated_at"], _suspension_named(event)
    for grant in _grants_on(uow, event):
        if grant.clearance_status != ClearanceStatus.SUSPENDED:
            continue
        if named is None or named != grant.clearance_suspension_id:
            log.warning(
                "reinstatement of clearance %s names suspension %s, not the grant's: ignored",
                grant.clearance_id,
                named,
            )
            audit_grant(
                uow,
                SYSTEM,
                "grant.clearance_reinstatement_ignored",
                grant,
                detail={
                    "clearance_id": grant.clearance_id,
                    "named_suspension": named,
                    "suspension_id": grant.clearance_suspension_id,
                    "event_id": event.id,
                },
            )
            continue
        grant.clearance_status, grant.updated_at = ClearanceStatus.ACTIVE, moment
        grant.clearance_suspension_id = None
        if grant.status == SUSPENDED and not grant.suspended_locally:
            resume_with_clearance(uow, grant, moment)
        audit_grant(
            uow,
            SYSTEM,
            "grant.clearance_reinstated",
            grant,
            detail={
                "clearance_id": grant.clearance_id,
                "still_suspended_locally": grant.suspended_locally,
            },
        )


def resume_with_clearance(uow: UnitOfWork, grant: Grant, moment: datetime) -> None:
    resume = GrantState(grant.resume_status or APPROVED)
    grant.status = lifecycle.moved(grant.status, "clearance_reinstated", resume)
    grant.resume_status = None
    outgoing.access_reinstated(uow, grant, "VETTING", moment)
    activate_if_inducted(uow, grant, SYSTEM, moment)


def _end_with_clearance(
    uow: UnitOfWork, event: Event, clearance_status: ClearanceStatus, moment: datetime
) -> None:
    for grant in _grants_on(uow, event):
        if grant.clearance_status == clearance_status:
            continue
        grant.clearance_status, grant.updated_at = clearance_status, moment
        if lifecycle.permits("clearance_ended", grant.status):
            grant.status = lifecycle.moved(grant.status, "clearance_ended", ENDED)
            grant.resume_status, grant.awaiting_review = None, False
            grant.status_reason = f"The clearance was {clearance_status.lower()}."
            outgoing.access_ended(uow, grant, "VETTING", moment)
        audit_grant(
            uow,
            SYSTEM,
            f"grant.clearance_{clearance_status.lower()}",
            grant,
            detail={"clearance_id": grant.clearance_id},
        )


def end_with_revoked_clearance(uow: UnitOfWork, event: Event) -> None:
    _end_with_clearance(uow, event, ClearanceStatus.REVOKED, event.data["revoked_at"])


def end_with_expired_clearance(uow: UnitOfWork, event: Event) -> None:
    _end_with_clearance(uow, event, ClearanceStatus.EXPIRED, event.data["expired_at"])
