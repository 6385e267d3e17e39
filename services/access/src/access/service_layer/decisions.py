"""What an establishment's security team decides about a grant: approve or refuse a request,
then suspend, reinstate, exclude, revoke or end; and the induction that makes it active.

Each decision locks the grant, checks the actor may act at its establishment (404 if not), asks
the lifecycle table (access.domain.lifecycle) whether the role may take it (403) from this state
(409 naming it), checks the terms (422), then writes the change, its audit entry and its event
in the caller's unit of work (the entrypoint commits).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from access.domain import lifecycle
from access.domain.lifecycle import (
    ACTIVE,
    APPROVED,
    ENDED,
    EXCLUDED,
    LIVE,
    REFUSED,
    REVOKED,
    SUSPENDED,
    ClearanceStatus,
    GrantState,
)
from access.domain.people import normalise_badge
from access.domain.rules import (
    ID_BADGE,
    INDUCTION_ITEMS,
    induction_outstanding,
    induction_required,
    terms_problems,
    through_the_day,
)
from access.models import Grant
from access.service_layer import outgoing
from access.service_layer.actors import Actor
from access.service_layer.grant_audit import audit_grant
from shared.errors import Conflict, Invalid
from shared.uow import UnitOfWork


def _allow(grant: Grant, actor: Actor, action: str) -> None:
    """The lifecycle table's say: the role (403), then the state (409 naming it)."""
    lifecycle.require(action, grant.status, actor.lifecycle_roles)


def _decided(grant: Grant, actor: Actor, moment: datetime, reason: str | None) -> None:
    grant.decided_at, grant.decided_by, grant.updated_at = moment, actor.id, moment
    grant.status_reason = reason


def approve(
    uow: UnitOfWork,
    grant: Grant,
    actor: Actor,
    moment: datetime,
    *,
    access_type: str,
    valid_until: datetime | None,
    conditions: Sequence[str] = (),
    permitted_days: Sequence[str] | None = None,
    permitted_areas: Sequence[str] = (),
    reason: str | None = None,
) -> None:
    """Approve a request (or a renewal's terms). Induction, if still needed, comes next."""
    renewal = grant.awaiting_review and grant.status in LIVE
    _allow(grant, actor, "approve_renewal" if renewal else "approve")
    if grant.clearance_status != ClearanceStatus.ACTIVE:
        raise Conflict("The person's clearance is not in force; it cannot be approved now.")
    valid_until = through_the_day(valid_until or grant.clearance_expires_at)
    problems = terms_problems(
        access_type=access_type,
        allowed=grant.clearance_access,
        valid_until=valid_until,
        clearance_expires_at=grant.clearance_expires_at,
        moment=moment,
        permitted_days=permitted_days,
    )
    if problems:
        raise Invalid("The terms are not allowed by the clearance.", problems)
    grant.access_type, grant.valid_until = access_type, valid_until
    grant.conditions, grant.permitted_areas = list(conditions), list(permitted_areas)
    grant.permitted_days = list(permitted_days) if permitted_days else None
    grant.awaiting_review = False
    if not renewal:
        grant.status = lifecycle.moved(grant.status, "approve", APPROVED)
    _decided(grant, actor, moment, reason)
    outgoing.access_approved(uow, grant, access_type, valid_until, moment)
    audit_grant(
        uow,
        actor,
        "grant.renewal_approved" if renewal else "grant.approved",
        grant,
        reason=reason,
        detail=_terms(grant),
        private={"conditions": grant.conditions, "permitted_areas": grant.permitted_areas},
    )
    activate_if_inducted(uow, grant, actor, moment)


def _terms(grant: Grant) -> dict[str, Any]:
    return {
        "access_type": grant.access_type,
        "valid_until": grant.valid_until.isoformat() if grant.valid_until else None,
        "permitted_days": grant.permitted_days,
        "clearance_id": grant.clearance_id,
    }


def refuse(uow: UnitOfWork, grant: Grant, actor: Actor, moment: datetime, reason: str) -> None:
    _allow(grant, actor, "refuse")
    grant.status = lifecycle.moved(grant.status, "refuse", REFUSED)
    grant.awaiting_review = False
    _decided(grant, actor, moment, reason)
    outgoing.access_refused(uow, grant, moment)
    audit_grant(uow, actor, "grant.refused", grant, reason=reason)


def record_induction(
    uow: UnitOfWork,
    grant: Grant,
    actor: Actor,
    moment: datetime,
    *,
    item: str,
    badge_number: str | None = None,
) -> None:
    """Tick one item of the checklist; the last one makes the grant ACTIVE."""
    _allow(grant, actor, "induct")
    pending_activation = APPROVED in (grant.status, grant.resume_status)
    if not pending_activation and not (grant.status in LIVE and item == ID_BADGE):
        raise Conflict(f"Induction is for an approved grant; this one is {grant.status}.")
    if item not in INDUCTION_ITEMS or item not in induction_required(grant.access_type):
        raise Invalid(
            "Not an item of this grant's induction.",
            {"item": [f"Must be one of {', '.join(induction_required(grant.access_type))}."]},
        )
    entry: dict[str, Any] = {"at": moment.isoformat(), "by": actor.id}
    if item == ID_BADGE:
        badge_number = normalise_badge(badge_number)
        if not badge_number:
            raise Invalid("The badge number is needed.", {"badge_number": ["Required."]})
        holder = uow.session.execute(
            select(Grant.id).where(
                Grant.establishment_code == grant.establishment_code,
                Grant.badge_number == badge_number,
                Grant.id != grant.id,
                Grant.superseded_at.is_(None),
            )
        ).first()
        if holder is not None:
            raise Invalid(
                "That badge number is already issued here.",
                {"badge_number": ["Already issued to someone else here."]},
            )
        entry["badge_number"] = grant.badge_number = badge_number
    grant.induction = {**grant.induction, item: entry}
    grant.updated_at = moment
    # The badge number identifies the person at the gate: sealed, like what officers write.
    audit_grant(
        uow,
        actor,
        "grant.induction_recorded",
        grant,
        detail={"item": item},
        private={"badge_number": badge_number} if badge_number else None,
    )
    activate_if_inducted(uow, grant, actor, moment)


def activate_if_inducted(uow: UnitOfWork, grant: Grant, actor: Actor, moment: datetime) -> None:
    if grant.status != APPROVED or induction_outstanding(grant.induction, grant.access_type):
        return
    grant.status = lifecycle.moved(grant.status, "activate", ACTIVE)
    grant.activated_at, grant.updated_at = moment, moment
    outgoing.access_activated(uow, grant, moment)
    audit_grant(uow, actor, "grant.activated", grant, detail=_terms(grant))


def suspend(uow: UnitOfWork, grant: Grant, actor: Actor, moment: datetime, reason: str) -> None:
    _allow(grant, actor, "suspend")
    if grant.suspended_locally:
        raise Conflict("This establishment has already suspended the grant.")
    if grant.status != SUSPENDED:
        grant.resume_status = grant.status
    grant.status = lifecycle.moved(grant.status, "suspend", SUSPENDED)
    grant.suspended_locally = True
    _decided(grant, actor, moment, reason)
    outgoing.access_suspended(uow, grant, "ESTABLISHMENT", moment)
    audit_grant(uow, actor, "grant.suspended", grant, reason=reason)


def reinstate(uow: UnitOfWork, grant: Grant, actor: Actor, moment: datetime, reason: str) -> None:
    """Lift this establishment's suspension. A suspension that came with the clearance stays
    until vetting reinstates the clearance."""
    _allow(grant, actor, "reinstate")
    if not grant.suspended_locally:
        raise Conflict("Only a grant this establishment suspended can be reinstated here.")
    grant.suspended_locally = False
    if grant.clearance_status == ClearanceStatus.ACTIVE:
        resume = GrantState(grant.resume_status or APPROVED)
        grant.status = lifecycle.moved(grant.status, "reinstate", resume)
        grant.resume_status = None
        outgoing.access_reinstated(uow, grant, "ESTABLISHMENT", moment)
    _decided(grant, actor, moment, reason)
    activate_if_inducted(uow, grant, actor, moment)
    audit_grant(
        uow,
        actor,
        "grant.reinstated",
        grant,
        reason=reason,
        detail={"still_suspended_by_vetting": grant.status == SUSPENDED},
    )


def exclude(
    uow: UnitOfWork, grant: Grant, actor: Actor, moment: datetime, reason: str, review_on: date
) -> None:
    """A local exclusion (the governor's decision), until a review date."""
    _allow(grant, actor, "exclude")
    if review_on <= moment.date():
        raise Invalid(
            "The review date must be in the future.", {"review_on": ["Must be after today."]}
        )
    grant.status = lifecycle.moved(grant.status, "exclude", EXCLUDED)
    grant.resume_status, grant.suspended_locally = None, False
    grant.review_on, grant.awaiting_review = review_on, False
    _decided(grant, actor, moment, reason)
    outgoing.access_excluded(uow, grant, review_on, moment)
    outgoing.decision_evidence(uow, grant, EXCLUDED, reason, moment, review_on)
    audit_grant(
        uow,
        actor,
        "grant.excluded",
        grant,
        reason=reason,
        detail={"review_on": review_on.isoformat()},
    )


def revoke(uow: UnitOfWork, grant: Grant, actor: Actor, moment: datetime, reason: str) -> None:
    _allow(grant, actor, "revoke")
    _close(uow, grant, actor, moment, reason, "revoke", REVOKED)


def end(uow: UnitOfWork, grant: Grant, actor: Actor, moment: datetime, reason: str) -> None:
    """The person no longer comes (the group ended, they moved on): no fault implied."""
    _allow(grant, actor, "end")
    _close(uow, grant, actor, moment, reason, "end", ENDED)


def _close(
    uow: UnitOfWork,
    grant: Grant,
    actor: Actor,
    moment: datetime,
    reason: str,
    action: str,
    status: GrantState,
) -> None:
    grant.status = lifecycle.moved(grant.status, action, status)
    grant.resume_status, grant.suspended_locally = None, False
    grant.awaiting_review = False
    _decided(grant, actor, moment, reason)
    outgoing.CLOSED_BY[status](uow, grant, "ESTABLISHMENT", moment)
    if status == REVOKED:
        outgoing.decision_evidence(uow, grant, REVOKED, reason, moment)
    audit_grant(uow, actor, f"grant.{status.lower()}", grant, reason=reason)
