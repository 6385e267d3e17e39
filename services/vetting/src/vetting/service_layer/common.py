"""What every vetting use case shares: the case's states, moving between them (which keeps the
service-level clock), who acts, and the audit entry each decision writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.audit import log as audit
from shared.errors import NotFound
from shared.uow import UnitOfWork
from vetting.lifecycle import roles_of
from vetting.lifecycle.case import CASE, DECIDABLE, WAITING_ON
from vetting.models import Check, VettingCase
from vetting.service_levels import add_wait

STATUSES = tuple(WAITING_ON)
CLOSED = frozenset(status for status, party in WAITING_ON.items() if party is None)
FINAL_CHECK = frozenset({"PASSED", "ADVERSE"})
OFFICER_ROLES = ("vetting_officer", "vetting_manager")
MANAGER_ROLE = "vetting_manager"


@dataclass(frozen=True)
class Actor:
    """Who does something: a member of staff (with roles), or the system itself."""

    id: str
    kind: str = "STAFF"
    roles: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def system(cls) -> Actor:
        return cls("system", "SYSTEM")

    @property
    def subject(self) -> str:
        """The human being behind the credential: what the two-person rules compare (the
        identity provider's subject for staff), never a name anyone may type."""
        return self.id

    def is_one_of(self, *staff_ids: str | None) -> bool:
        return self.subject in {staff_id for staff_id in staff_ids if staff_id}

    @property
    def acts_as(self) -> frozenset[str]:
        """The roles the lifecycle tables name: staff by their roles, the service as system."""
        return roles_of(self.kind, self.roles)


def take(case: VettingCase, action: str, actor: Actor, target: str | None = None) -> str:
    """The case's table says whether `actor` may take `action` now (409 naming the state,
    403 naming the role): the state it leads to."""
    return CASE.step(case.status, action, actor.acts_as, target).target


def history_pending(case: VettingCase) -> bool:
    """The person's history shown on the case has something no manager has acknowledged."""
    acknowledged = set((case.history_acknowledged or {}).get("keys") or ())
    return any(f"{flag['kind']}:{flag['ref']}" not in acknowledged for flag in case.history or ())


def party_for(case: VettingCase, status: str, party: str | None) -> str | None:
    """Who truly moves the case on: an officer's turn is a manager's while a countersignature
    is due, or while the decision waits for a manager to see the person's history (a possible
    match is the officer's to settle first: linking may change that history)."""
    if party != "OFFICER":
        return party
    if WAITING_ON[status] == "MANAGER":
        return "MANAGER"
    if status in DECIDABLE and case.identity_status != "POSSIBLE_MATCH" and history_pending(case):
        return "MANAGER"
    return party


def move(
    case: VettingCase, status: str, moment: datetime, waiting_on: str | bool | None = True
) -> None:
    """Change state, closing the current waiting spell into the case's totals. `waiting_on`
    True means the state's usual party."""
    case.waited_s = add_wait(case.waited_s or {}, case.waiting_on, case.waiting_since, moment)
    # Whatever moves a case, the move is one its lifecycle table lists.
    CASE.check_move(case.status, status)
    party = party_for(
        case, status, WAITING_ON[status] if waiting_on is True else waiting_on or None
    )
    case.status = status
    case.waiting_on = party
    case.waiting_since = moment if party else None
    case.closed_at = moment if status in CLOSED else None
    case.updated_at = moment


def wait_on(case: VettingCase, party: str | None, moment: datetime) -> None:
    """Same state, different party (e.g. only a manual check is left: the officer)."""
    if case.waiting_on != party_for(case, case.status, party):
        move(case, case.status, moment, waiting_on=party)


def rewait(case: VettingCase, moment: datetime) -> None:
    """The person's history, or its acknowledgement, changed: who a decision waits on now."""
    if case.status in DECIDABLE:
        wait_on(case, "OFFICER", moment)


def case_for_update(session: Session, case_id: str) -> VettingCase:
    case = session.execute(
        select(VettingCase).where(VettingCase.id == case_id).with_for_update()
    ).scalar_one_or_none()
    if case is None:
        raise NotFound()
    return case


def case_by_application(session: Session, application_id: str) -> VettingCase | None:
    return session.execute(
        select(VettingCase)
        .where(VettingCase.application_id == str(application_id))
        .with_for_update()
    ).scalar_one_or_none()


def checks_of(session: Session, case_id: str) -> list[Check]:
    return list(
        session.execute(
            select(Check).where(Check.case_id == case_id).order_by(Check.created_at, Check.name)
        ).scalars()
    )


def audit_decision(
    uow: UnitOfWork,
    actor: Actor,
    action: str,
    subject_type: str,
    subject_id: str,
    *,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
    private: dict[str, Any] | None = None,
) -> None:
    """Who, when, what, why — and the policy version, which every decision's detail carries.
    `private` (e.g. conditions naming the person's circumstances) is sealed with the reason."""
    audit.record(
        uow.session,
        service="vetting",
        actor=actor.id,
        actor_kind=actor.kind,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        reason=reason,
        detail=detail,
        private=private,
        at=uow.now(),
    )
