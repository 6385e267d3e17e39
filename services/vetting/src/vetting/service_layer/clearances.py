"""Clearances, moved only as their table says (vetting.domain.lifecycles.clearance):
ACTIVE ⇄ SUSPENDED → REVOKED | EXPIRED, and SUPERSEDED when a new clearance for the person
replaces an active one.
A clearance belongs to the person: one serves every establishment and every organisation they
volunteer with, so a second application it already covers is cleared at once; and a person has
one live clearance, so a renewal (by whichever organisation) supersedes the person's.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.clock import end_of_london_day, london_date
from shared.errors import Conflict, NotFound
from shared.events.contracts.vetting import legacy_suspension_id
from shared.uow import UnitOfWork
from vetting.domain.actors import Actor
from vetting.domain.conditions import Terms, custom_conditions, excluded
from vetting.domain.lifecycles.case import CaseState
from vetting.domain.lifecycles.clearance import CLEARANCE, LIVE, ClearanceState
from vetting.domain.policy import Policy
from vetting.domain.risk import ESCORTED_ONLY
from vetting.models import Clearance, VettingCase
from vetting.service_layer import history, outgoing
from vetting.service_layer.audit_trail import audit_decision
from vetting.service_layer.case_moves import move

ACCESS_RANK = {"ESCORTED": 0, "UNESCORTED": 1, "KEY_HOLDING": 2}


def _take(clearance: Clearance, action: str, actor: Actor) -> str:
    return CLEARANCE.step(clearance.status, action, actor.acts_as).target


def covering(
    session: Session, policy: Policy, case: VettingCase, moment: datetime
) -> Clearance | None:
    """The person's active clearance that already covers this request: a level at least the
    one required, access at least the one asked for, not excluded from every establishment
    asked for, and not inside the last reminder window (that person should renew instead)."""
    rank = {level.name: level.rank for level in policy.levels}
    soonest = min(policy.reminder_days_before_expiry, default=0)
    for clearance in session.execute(
        select(Clearance)
        .where(Clearance.person_id == case.person_id, Clearance.status == ClearanceState.ACTIVE)
        .order_by(Clearance.expires_at.desc())
    ).scalars():
        if (
            rank.get(clearance.level, 0) >= rank.get(case.required_level or "", 99)
            and ACCESS_RANK[clearance.access] >= ACCESS_RANK[case.requested_access]
            and set(case.establishments) - excluded(clearance.conditions)
            and clearance.expires_at > moment + timedelta(days=soonest)
        ):
            return clearance
    return None


def _emit_granted(uow: UnitOfWork, case: VettingCase, clearance: Clearance) -> None:
    outgoing.clearance_granted(uow, case, clearance)
    outgoing.application_cleared(uow, case, clearance)
    outgoing.clearance_announced(uow, case, clearance)


def serve_from_existing(
    uow: UnitOfWork, policy: Policy, case: VettingCase, clearance: Clearance, moment: datetime
) -> None:
    case.clearance_id = clearance.id
    move(case, CaseState.CLEARED, moment)
    _emit_granted(uow, case, clearance)
    audit_decision(
        uow,
        Actor.system(),
        "case.cleared_by_existing_clearance",
        "case",
        case.id,
        detail={
            "clearance_id": clearance.id,
            "level": clearance.level,
            "policy_version": policy.version,
        },
    )


def grant(
    uow: UnitOfWork,
    policy: Policy,
    case: VettingCase,
    actor: Actor,
    level: str,
    conditions: list[str],
    moment: datetime,
    terms: Terms | None = None,
) -> Clearance:
    """A new clearance for the case's person, valid for the level's months (or the officer's
    fewer), with the officer's conditions and review date; it supersedes the
    person's active clearance, whichever case or organisation that one came from (the caller
    has made sure none is suspended: service_layer.history)."""
    terms = terms or Terms()
    months = terms.validity_months or policy.level(level).validity_months
    replaces = live_clearance(uow.session, case.person_id)
    if replaces is not None:
        replaces.status = _take(replaces, "supersede", Actor.system())
        replaces.updated_at = moment
        # Before the new row: the database holds one live clearance per person.
        uow.session.flush()
    clearance = Clearance(
        id=str(uuid.uuid4()),
        person_id=case.person_id,
        case_id=case.id,
        application_id=case.application_id,
        level=level,
        access="ESCORTED" if ESCORTED_ONLY in conditions else case.requested_access,
        conditions=sorted(conditions),
        custom_conditions=custom_conditions(terms, policy.managed_conditions) or None,
        review_on=terms.review_on,
        establishments=list(case.establishments),
        status=ClearanceState.ACTIVE,
        issued_at=moment,
        expires_at=expiry(moment, months),
        policy_version=policy.version,
        issued_by=actor.id,
        reminders_sent=[],
        replaces_id=replaces.id if replaces else None,
        updated_at=moment,
    )
    uow.session.add(clearance)
    _insert_live(uow, clearance)
    if replaces is not None:
        # Every case the old clearance served is served by the new one now: a review or a
        # revocation from any of them reaches the clearance that is live.
        uow.session.execute(
            update(VettingCase)
            .where(VettingCase.clearance_id == replaces.id)
            .values(clearance_id=clearance.id)
        )
    case.clearance_id = clearance.id
    uow.session.flush()
    _emit_granted(uow, case, clearance)
    return clearance


def expiry(issued_at: datetime, months: int) -> datetime:
    """A clearance is valid to the end of its last day in London ("valid until 3 June" holds
    through 3 June there, whatever time it was issued): the day `months` after the London
    date of issue."""
    return end_of_london_day(london_date(issued_at) + relativedelta(months=months))


def _insert_live(uow: UnitOfWork, clearance: Clearance) -> None:
    """Two decisions for one person at the same moment (two officers, two cases): the database
    keeps one live clearance, and the second decision is a 409 to retry, never a 500."""
    try:
        uow.session.flush()
    except IntegrityError:
        raise Conflict(
            "Another clearance for this person was issued at the same moment: "
            "reload the case and decide again.",
            {"status": ["The person already has a live clearance."]},
        ) from None


def live_clearance(session: Session, person_id: str | None) -> Clearance | None:
    """The person's one ACTIVE or SUSPENDED clearance, locked."""
    if person_id is None:
        return None
    return session.execute(
        select(Clearance)
        .where(Clearance.person_id == person_id, Clearance.status.in_(LIVE))
        .with_for_update()
    ).scalar_one_or_none()


def assessed_refuse(session: Session, clearance: Clearance) -> bool:
    """Whether a case of this clearance was last assessed REFUSE (e.g. its review after a
    change of circumstances): lifting its suspension then goes against the assessment."""
    return any(
        (risk or {}).get("recommendation") == "REFUSE"
        for risk in session.execute(
            select(VettingCase.risk).where(VettingCase.clearance_id == clearance.id)
        ).scalars()
    )


def clearance_for_update(session: Session, clearance_id: str) -> Clearance:
    clearance = session.execute(
        select(Clearance).where(Clearance.id == clearance_id).with_for_update()
    ).scalar_one_or_none()
    if clearance is None:
        raise NotFound()
    return clearance


def suspend(
    uow: UnitOfWork,
    clearance: Clearance,
    actor: Actor,
    reason_code: str,
    reason: str,
    moment: datetime,
) -> None:
    clearance.status = _take(clearance, "suspend", actor)
    clearance.suspension_reason = reason_code
    clearance.suspension_id, clearance.updated_at = str(uuid.uuid4()), moment
    outgoing.clearance_suspended(uow, clearance, reason_code, moment)
    audit_decision(
        uow,
        actor,
        "clearance.suspended",
        "clearance",
        clearance.id,
        reason=reason,
        detail={"reason_code": reason_code, "suspension_id": clearance.suspension_id},
    )
    history.person_changed(uow.session, clearance.person_id, moment)


def reinstate(
    uow: UnitOfWork, clearance: Clearance, actor: Actor, reason: str, moment: datetime
) -> None:
    # Lifting a suspension whose review assessed REFUSE overrides that assessment: a manager.
    action = (
        "reinstate_against_assessment" if assessed_refuse(uow.session, clearance) else "reinstate"
    )
    clearance.status = _take(clearance, action, actor)
    if clearance.expires_at <= moment:
        raise Conflict("This clearance has passed its expiry date: it cannot be reinstated.")
    # The suspension this lifts: consumers lift that one only.
    lifted = clearance.suspension_id or legacy_suspension_id(clearance.id)
    clearance.suspension_reason = None
    clearance.suspension_id, clearance.updated_at = None, moment
    outgoing.clearance_reinstated(uow, clearance, lifted, moment)
    audit_decision(
        uow,
        actor,
        "clearance.reinstated",
        "clearance",
        clearance.id,
        reason=reason,
        detail={"suspension_id": lifted},
    )
    history.person_changed(uow.session, clearance.person_id, moment)


def revoke(
    uow: UnitOfWork, clearance: Clearance, actor: Actor, reason: str, moment: datetime
) -> None:
    clearance.status, clearance.updated_at = _take(clearance, "revoke", actor), moment
    outgoing.clearance_revoked(uow, clearance, moment)
    audit_decision(uow, actor, "clearance.revoked", "clearance", clearance.id, reason=reason)
    history.person_changed(uow.session, clearance.person_id, moment)


def sweep(uow: UnitOfWork, policy: Policy, moment: datetime) -> dict[str, int]:
    """The daily sweep: a reminder at each of the policy's offsets before expiry (only the
    nearest one when several are due at once), and expiry of what is past. Safe to run as
    often as you like: each reminder is sent once per clearance."""
    offsets = sorted(policy.reminder_days_before_expiry)  # nearest first
    horizon = moment + timedelta(days=max(offsets, default=0))
    found = {"reminded": 0, "expired": 0}
    for clearance in uow.session.execute(
        select(Clearance)
        .where(Clearance.status.in_(LIVE), Clearance.expires_at <= horizon)
        .order_by(Clearance.expires_at)
        .with_for_update(skip_locked=True)
    ).scalars():
        if clearance.expires_at <= moment:
            suspended = clearance.status == ClearanceState.SUSPENDED
            clearance.status = _take(clearance, "expire", Actor.system())
            clearance.updated_at = moment
            outgoing.clearance_expired(uow, clearance)
            audit_decision(
                uow,
                Actor.system(),
                "clearance.expired",
                "clearance",
                clearance.id,
                detail={"policy_version": policy.version},
            )
            found["expired"] += 1
            if suspended:  # no longer history on the person's other cases
                history.person_changed(uow.session, clearance.person_id, moment)
            continue
        days_left = (clearance.expires_at - moment).total_seconds() / 86400
        due = [d for d in offsets if days_left <= d and d not in clearance.reminders_sent]
        if clearance.status != ClearanceState.ACTIVE or not due:
            continue
        nearest = due[0]
        clearance.reminders_sent = sorted({*clearance.reminders_sent, *due})
        outgoing.clearance_expiring(uow, clearance, nearest)
        found["reminded"] += 1
    return found
