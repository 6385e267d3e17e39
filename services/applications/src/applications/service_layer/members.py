"""Who may use the coordinators' portal for which organisation: members, invited by email,
bound to a person at their first sign-in with that email address; an organisation's admins
invite and remove them (the operator's CLI invites too)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from marshmallow import ValidationError, validate
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from applications.models import Organisation, PortalMember
from applications.service_layer import outgoing
from applications.service_layer.audit_trail import portal_actor, record
from shared.config import Settings
from shared.errors import Conflict, Invalid, NotFound
from shared.uow import UnitOfWork

COORDINATOR = "coordinator"
ADMIN = "organisation_admin"
ROLES = (COORDINATOR, ADMIN)
DEFAULT_PORTAL_URL = "http://127.0.0.1:8001/portal"
MAX_EMAIL = 254
_EMAIL = validate.Email()


@dataclass(frozen=True)
class Membership:
    member_id: str
    organisation_id: str
    organisation_name: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


def portal_url(settings: Settings) -> str:
    """Where the portal is, as invitations name it (APPLICATIONS_PORTAL_URL)."""
    return settings.extra.get("APPLICATIONS_PORTAL_URL", DEFAULT_PORTAL_URL).rstrip("/")


def bind_invitations(session: Session, subject: str, email: str, moment: datetime) -> int:
    """Invitations to this (verified) email address that nobody has taken up become this
    person's memberships (each audited). One already bound to someone else is left alone."""
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
        record(
            session,
            portal_actor(subject),
            "portal_member.joined",
            "portal_member",
            row.id,
            moment,
            detail={"organisation_id": row.organisation_id, "role": row.role},
        )
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


def members_of(session: Session, organisation_id: str) -> list[PortalMember]:
    """The organisation's members and open invitations (not the removed), admins first."""
    return list(
        session.scalars(
            select(PortalMember)
            .where(
                PortalMember.organisation_id == organisation_id,
                PortalMember.removed_at.is_(None),
            )
            .order_by(PortalMember.role.desc(), PortalMember.email)
        )
    )


def clean_email(email: str) -> str:
    """An invitation's address as stored (lower case), or Invalid on the `email` field."""
    address = (email or "").strip().lower()
    if not address:
        raise Invalid("Enter an email address.", {"email": ["Enter an email address."]})
    try:
        _EMAIL(address)
    except ValidationError:
        address = ""
    if not address or len(address) > MAX_EMAIL:
        message = "Enter an email address in the correct format, like name@example.org."
        raise Invalid(message, {"email": [message]})
    return address


def invite(
    uow: UnitOfWork,
    organisation_id: str,
    email: str,
    role: str,
    by: tuple[str, str],
    sign_in_url: str,
) -> PortalMember:
    """Invite `email` to the organisation with `role`: the invitation is emailed (through
    organisation.member_invited) and becomes a membership at their first sign-in. Someone
    removed before may be invited again; a current member or open invitation is refused."""
    address = clean_email(email)
    if role not in ROLES:
        raise Invalid("Select a role.", {"role": ["Select a role."]})
    organisation = uow.session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(f"no organisation {organisation_id}")
    member = uow.session.scalars(
        select(PortalMember).where(
            PortalMember.organisation_id == organisation_id, PortalMember.email == address
        )
    ).one_or_none()
    moment = uow.now()
    if member is not None and member.removed_at is None:
        message = f"{address} is already a member or invited."
        raise Invalid(message, {"email": [message]})
    if member is None:
        member = PortalMember(id=str(uuid.uuid4()), organisation_id=organisation_id, email=address)
        uow.session.add(member)
    # A removed member invited again starts afresh: they are bound again at their next sign-in.
    member.role, member.invited_by, member.invited_at = role, by[0], moment
    member.subject = member.joined_at = member.removed_at = member.removed_by = None
    uow.session.flush()
    outgoing.member_invited(uow, member, organisation.name, sign_in_url)
    record(
        uow.session,
        by,
        "portal_member.invited",
        "portal_member",
        member.id,
        moment,
        detail={"organisation_id": organisation_id, "role": role},
        private={"email": address},
    )
    return member


def member_of(session: Session, organisation_id: str, member_id: str) -> PortalMember:
    """One of the organisation's current members or invitations; any other is 404."""
    member = session.get(PortalMember, member_id)
    if member is None or member.organisation_id != organisation_id or member.removed_at:
        raise NotFound()
    return member


def remove(
    uow: UnitOfWork, organisation_id: str, member_id: str, by: tuple[str, str]
) -> PortalMember:
    """Remove a member (or withdraw an invitation): they lose the organisation at once. The
    last admin who has signed in stays, so that someone can always manage the organisation."""
    member = member_of(uow.session, organisation_id, member_id)
    if member.role == ADMIN and member.subject is not None:
        admins = uow.session.scalar(
            select(func.count())
            .select_from(PortalMember)
            .where(
                PortalMember.organisation_id == organisation_id,
                PortalMember.role == ADMIN,
                PortalMember.subject.is_not(None),
                PortalMember.removed_at.is_(None),
            )
        )
        if (admins or 0) <= 1:
            raise Conflict(
                "You cannot remove the organisation's only admin. Invite another admin first."
            )
    moment = uow.now()
    member.removed_at, member.removed_by = moment, by[0]
    record(
        uow.session,
        by,
        "portal_member.removed",
        "portal_member",
        member.id,
        moment,
        detail={"organisation_id": organisation_id, "role": member.role},
    )
    return member
