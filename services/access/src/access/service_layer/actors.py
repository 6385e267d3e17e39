"""Who acts in access, and what they may reach: a member of an establishment's security team
(their roles, their establishments) or the system acting on news; and a grant found within the
actor's establishments (another establishment's grant is a 404, as one that does not exist)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from access.domain.lifecycle import SYSTEM
from access.models import Grant
from shared.auth import StaffIdentity
from shared.errors import Forbidden, NotFound


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

    @property
    def lifecycle_roles(self) -> frozenset[str]:
        """The roles the grant's lifecycle table knows this actor by."""
        return frozenset({SYSTEM}) if self.kind == "SYSTEM" else self.roles

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
