"""What every access use case shares: who acts (and where they may act), the clock, finding a
grant within the actor's establishments, and the audit entry each decision writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from access.models import Grant
from shared.audit import log as audit
from shared.auth import StaffIdentity
from shared.errors import Forbidden, NotFound
from shared.uow import UnitOfWork

OFFICER_ROLE = "security_officer"
HEAD_ROLE = "head_of_security"
SECURITY_ROLES = (OFFICER_ROLE, HEAD_ROLE)


@dataclass(frozen=True)
class Actor:
    """A member of an establishment's security team (with roles and establishments), or the
    system acting on vetting's news."""

    id: str
    kind: str = "STAFF"
    roles: frozenset[str] = field(default_factory=frozenset)
    establishments: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def system(cls) -> Actor:
        return cls("system", "SYSTEM")

    @classmethod
    def staff(cls, identity: StaffIdentity) -> Actor:
        return cls(
            identity.staff_id,
            "STAFF",
            frozenset(identity.roles),
            frozenset(identity.establishments),
        )

    def covers(self, establishment_code: str) -> bool:
        return self.kind == "SYSTEM" or establishment_code in self.establishments

    def require(self, *roles: str) -> None:
        if self.kind != "SYSTEM" and not self.roles.intersection(roles):
            raise Forbidden("You do not have permission to do this.")


def grant_for_update(session: Session, actor: Actor, grant_id: str) -> Grant:
    """The grant, locked, if the actor's establishments include it. Another establishment's
    grant does not exist for them: the same 404 as a grant that does not exist at all."""
    grant = session.execute(
        select(Grant).where(Grant.id == grant_id).with_for_update()
    ).scalar_one_or_none()
    if grant is None or not actor.covers(grant.establishment_code):
        raise NotFound()
    return grant


def grant_for_reading(session: Session, actor: Actor, grant_id: str) -> Grant:
    grant = session.get(Grant, grant_id)
    if grant is None or not actor.covers(grant.establishment_code):
        raise NotFound()
    return grant


def audit_grant(
    uow: UnitOfWork,
    actor: Actor,
    action: str,
    grant: Grant,
    *,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
    private: dict[str, Any] | None = None,
) -> None:
    """Who, when, which establishment, what: every decision about a grant. `private`: what the
    officer wrote about the person (conditions), sealed with the reason."""
    audit.record(
        uow.session,
        service="access",
        actor=actor.id,
        actor_kind=actor.kind,
        action=action,
        subject_type="grant",
        subject_id=grant.id,
        reason=reason,
        detail={
            "establishment": grant.establishment_code,
            "status": grant.status,
            **(detail or {}),
        },
        private=private,
        at=uow.now(),
    )


def change_event(grant: Grant, by: str, moment: datetime) -> dict[str, Any]:
    """The common body of access.suspended/reinstated/revoked/ended/activated/excluded."""
    return {
        "grant_id": grant.id,
        "application_id": grant.application_id,
        "person_id": grant.person_id,
        "establishment_code": grant.establishment_code,
        "status": grant.status,
        "by": by,
        "at": moment.isoformat(),
    }
