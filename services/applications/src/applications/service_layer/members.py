"""Who may use the coordinators' portal for which organisation: members, invited by email,
bound to a person at their first sign-in with that email address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from applications.models import Organisation, PortalMember

COORDINATOR = "coordinator"
ADMIN = "organisation_admin"
ROLES = (COORDINATOR, ADMIN)


@dataclass(frozen=True)
class Membership:
    member_id: str
    organisation_id: str
    organisation_name: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


def bind_invitations(session: Session, subject: str, email: str, moment: datetime) -> int:
    """Invitations to this (verified) email address that nobody has taken up become this
    person's memberships. One already bound to someone else is left alone."""
    rows = session.scalars(
        select(PortalMember).where(
            PortalMember.email == email.strip().lower(),
            PortalMember.subject.is_(None),
            PortalMember.removed_at.is_(None),
        )
    ).all()
    for row in rows:
        row.subject = subject
        row.joined_at = moment
    return len(rows)


def memberships_of(session: Session, subject: str) -> list[Membership]:
    """The organisations this person may act for now, by name."""
    rows = session.execute(
        select(PortalMember, Organisation.name)
        .join(Organisation, Organisation.id == PortalMember.organisation_id)
        .where(PortalMember.subject == subject, PortalMember.removed_at.is_(None))
        .order_by(Organisation.name, Organisation.id)
    ).all()
    return [Membership(row.id, row.organisation_id, name, row.role) for row, name in rows]
