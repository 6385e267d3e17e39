"""What vetting already knows against a person, shown on every new case of theirs.

A suspended or revoked clearance, a refused case, an establishment's exclusion or revocation:
a new case for that person is flagged with it and is neither cleared nor served an existing
clearance until a vetting manager has acknowledged that history (audited). Without this, a
resubmission by any organisation looked like a first application, and an officer cleared it in
good faith.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.errors import Conflict
from shared.handlers import Event
from shared.reference import load_establishments
from shared.uow import UnitOfWork
from vetting.domain.actors import Actor
from vetting.domain.lifecycles.case import UNDECIDED, CaseState
from vetting.domain.lifecycles.clearance import ClearanceState
from vetting.models import Clearance, PrisonDecision, VettingCase
from vetting.service_layer.audit_trail import audit_decision
from vetting.service_layer.case_moves import rewait, take
from vetting.service_layer.lookups import case_for_update

# An establishment's decisions, as the person's history records them.
EXCLUDED, REVOKED = "EXCLUDED", "REVOKED"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def flags(session: Session, case: VettingCase) -> list[dict[str, Any]]:
    """The person's history as it stands now: [{"kind", "ref", "at"}], oldest first."""
    if not case.person_id:
        return []
    found: list[dict[str, Any]] = []
    for clearance in session.execute(
        select(Clearance).where(
            Clearance.person_id == case.person_id,
            Clearance.status.in_((ClearanceState.SUSPENDED, ClearanceState.REVOKED)),
        )
    ).scalars():
        found.append(
            {
                "kind": f"CLEARANCE_{clearance.status}",
                "ref": clearance.id,
                "at": _iso(clearance.updated_at),
            }
        )
    for refused in session.execute(
        select(VettingCase.id, VettingCase.closed_at).where(
            VettingCase.person_id == case.person_id,
            VettingCase.status == CaseState.REFUSED,
            VettingCase.id != case.id,
        )
    ):
        found.append({"kind": "CASE_REFUSED", "ref": refused.id, "at": _iso(refused.closed_at)})
    for decision in session.execute(
        select(PrisonDecision).where(PrisonDecision.person_id == case.person_id)
    ).scalars():
        found.append(
            {
                "kind": f"ESTABLISHMENT_{decision.decision}",
                "ref": decision.establishment_code,
                "at": _iso(decision.decided_at),
            }
        )
    return sorted(found, key=lambda flag: (flag["at"] or "", flag["kind"], flag["ref"]))


def _key(flag: dict[str, Any]) -> str:
    return f"{flag['kind']}:{flag['ref']}"


def unacknowledged(session: Session, case: VettingCase) -> list[dict[str, Any]]:
    """The history no manager has acknowledged on this case (refreshing what it shows)."""
    current = flags(session, case)
    case.history = current or None
    seen = set((case.history_acknowledged or {}).get("keys") or ())
    return [flag for flag in current if _key(flag) not in seen]


def require_acknowledged(session: Session, case: VettingCase, what: str) -> None:
    """409 unless a manager has acknowledged all of the person's history, and the person has
    no suspended clearance (a new one would resume what the suspension stopped: its review
    decides first)."""
    pending = unacknowledged(session, case)
    if pending:
        raise Conflict(
            f"This case cannot be {what} now: the person has a history a vetting "
            "manager must acknowledge first.",
            {"history": [f"{flag['kind']} ({flag['ref']})" for flag in pending]},
        )
    suspended = session.execute(
        select(Clearance.id).where(
            Clearance.person_id == case.person_id, Clearance.status == ClearanceState.SUSPENDED
        )
    ).scalar()
    if suspended is not None:
        raise Conflict(
            f"This case cannot be {what} now: the person's clearance is "
            "SUSPENDED. Reinstate or revoke it first."
        )


def acknowledge(uow: UnitOfWork, case_id: str, actor: Actor, reason: str) -> VettingCase:
    """A manager has seen the person's history: the case may now be decided on its merits."""
    case = case_for_update(uow.session, case_id)
    take(case, "history_acknowledged", actor)
    current = flags(uow.session, case)
    if not current:
        raise Conflict("This person has no history to acknowledge.")
    moment = uow.now()
    case.history = current
    case.history_acknowledged = {
        "by": actor.subject,
        "at": moment.isoformat(),
        "keys": [_key(flag) for flag in current],
    }
    case.updated_at = moment
    rewait(case, moment)
    audit_decision(
        uow,
        actor,
        "case.history_acknowledged",
        "case",
        case.id,
        reason=reason,
        detail={"history": [_key(flag) for flag in current]},
    )
    return case


def person_changed(session: Session, person_id: str | None, moment: datetime) -> None:
    """The person's history changed (a clearance suspended, reinstated or revoked, a case
    refused, an establishment's decision): their undecided cases show it, and the queue says
    whether a decision now waits for a manager to see it."""
    if not person_id:
        return
    session.flush()
    for case in session.execute(
        select(VettingCase)
        .where(VettingCase.person_id == person_id, VettingCase.status.in_(UNDECIDED))
        .order_by(VettingCase.id)
        .with_for_update()
    ).scalars():
        case.history = flags(session, case) or None
        rewait(case, moment)


def record_establishment_decision(uow: UnitOfWork, event: Event, decision: str) -> None:
    """access.excluded / access.revoked by an establishment → the person's history (decision
    EXCLUDED or REVOKED). What followed vetting's own news (by VETTING) is vetting's history
    already."""
    if event.data.get("by") != "ESTABLISHMENT":
        return
    grant_id = str(event.data["grant_id"])
    if (
        uow.session.execute(
            select(PrisonDecision.id).where(
                PrisonDecision.grant_id == grant_id, PrisonDecision.decision == decision
            )
        ).first()
        is not None
    ):
        return
    uow.session.add(
        PrisonDecision(
            person_id=str(event.data["person_id"]),
            grant_id=grant_id,
            application_id=str(event.data["application_id"]),
            establishment_code=event.data["establishment_code"],
            decision=decision,
            decided_at=event.data["at"],
        )
    )
    person_changed(uow.session, str(event.data["person_id"]), uow.now())


def record_decision_evidence(uow: UnitOfWork, event: Event) -> None:
    """access.decision_evidence → the establishment's reason (and an exclusion's review date)
    on the person's history; it may arrive before or after access.excluded / access.revoked,
    and either one makes the row."""
    data = event.data
    grant_id, decision = str(data["grant_id"]), data["decision"]
    found = uow.session.execute(
        select(PrisonDecision)
        .where(PrisonDecision.grant_id == grant_id, PrisonDecision.decision == decision)
        .with_for_update()
    ).scalar_one_or_none()
    if found is None:
        uow.session.add(
            PrisonDecision(
                person_id=str(data["person_id"]),
                grant_id=grant_id,
                application_id=str(data["application_id"]),
                establishment_code=data["establishment_code"],
                decision=decision,
                decided_at=data["at"],
                reason=data["reason"] or None,
                review_on=data.get("review_on"),
            )
        )
        person_changed(uow.session, str(data["person_id"]), uow.now())
    elif found.reason is None:
        found.reason, found.review_on = data["reason"] or None, data.get("review_on")


def prison_decisions(session: Session, person_id: str | None) -> list[dict[str, Any]]:
    """The establishments' exclusions and revocations of the person, with their reasons,
    oldest first: evidence an officer weighs on any later case."""
    if not person_id:
        return []
    names = establishment_names()
    return [
        {
            "establishment_code": row.establishment_code,
            "establishment_name": names.get(row.establishment_code, row.establishment_code),
            "decision": row.decision,
            "decided_at": row.decided_at,
            "reason": row.reason,
            "review_on": row.review_on,
        }
        for row in session.execute(
            select(PrisonDecision)
            .where(PrisonDecision.person_id == person_id)
            .order_by(PrisonDecision.decided_at, PrisonDecision.id)
        ).scalars()
    ]


@cache
def establishment_names() -> dict[str, str]:
    return {code: found.name for code, found in load_establishments().items()}
