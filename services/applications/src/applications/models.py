"""Tables of the applications service (its own database)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.crypto.at_rest import EncryptedJSON, EncryptedText
from shared.db import NAMING_CONVENTION, UTCDateTime


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Special category (it says which recovery fellowship its volunteers belong to): encrypted.
    fellowship: Mapped[str] = mapped_column(EncryptedText)
    coordinator_email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime]


class ApiKey(Base):
    __tablename__ = "api_keys"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class Establishment(Base):
    """Reference data, seeded from the packaged establishments CSV."""

    __tablename__ = "establishments"

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    nation: Mapped[str] = mapped_column(String(50))
    high_security: Mapped[bool]
    womens_estate: Mapped[bool]


class Application(Base):
    __tablename__ = "applications"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    status: Mapped[str] = mapped_column(String(20))
    # The applicant document, as the API schema loads it (JSON-ready form); encrypted at rest
    # (declarations, connections, addresses, referees, DBS certificate).
    applicant: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)
    role: Mapped[str | None] = mapped_column(String(30))
    establishments: Mapped[list[Any]]
    requested_access: Mapped[str | None] = mapped_column(String(20))
    frequency: Mapped[str | None] = mapped_column(String(20))
    # The group the volunteer will run and the area of the prison it meets in, for the
    # security team deciding access: a group's name can say which fellowship (encrypted).
    group_name: Mapped[str | None] = mapped_column(EncryptedText)
    area: Mapped[str | None] = mapped_column(EncryptedText)
    renewal_of: Mapped[str | None] = mapped_column(ForeignKey("applications.id"))
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    withdrawn_reason: Mapped[str | None] = mapped_column(EncryptedText)  # encrypted at rest
    # Idempotency-Key of the submit request, and the response it got (replayed for retries).
    submit_key: Mapped[str | None] = mapped_column(String(200))
    submit_response: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # When the organisation asked for a refusal to be reconsidered (once only; the grounds are
    # in the timeline and the event).
    reconsideration_requested_at: Mapped[datetime | None]
    # The volunteer's own say over their contact details: which channels they confirmed and
    # which they opted out of ({"email_confirmed": bool, "mobile_confirmed": bool,
    # "opted_out": [channel]}); None until submission.
    contact_status: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The sections the volunteer fills in through their own link, which the organisation sees
    # only as complete or not ({"sections": [name], "completed": {name: ISO time}}); None while
    # the organisation fills in everything itself.
    volunteer_sections: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]

    __table_args__ = (
        Index("ix_applications_organisation_created", "organisation_id", "created_at", "id"),
        Index("ix_applications_organisation_status", "organisation_id", "status"),
        Index("ix_applications_organisation_updated", "organisation_id", "updated_at"),
        Index(
            "uq_applications_organisation_submit_key", "organisation_id", "submit_key", unique=True
        ),
    )


class ApplicationEstablishment(Base):
    """One row per requested establishment, so lists can filter by establishment."""

    __tablename__ = "application_establishments"

    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(4), primary_key=True, index=True)


class TimelineEntry(Base):
    """What happened to an application, as its organisation may see it."""

    __tablename__ = "timeline_entries"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), index=True)
    kind: Mapped[str] = mapped_column(String(50))
    # Encrypted at rest: some entries carry free text (the questions asked, reconsideration
    # grounds, the withdrawal reason).
    detail: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)
    occurred_at: Mapped[datetime]


class InformationRequest(Base):
    """Vetting asked the organisation something; the answer goes back as an event."""

    __tablename__ = "information_requests"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), index=True)
    items: Mapped[list[Any]] = mapped_column(EncryptedJSON)  # encrypted at rest
    reason: Mapped[str] = mapped_column(EncryptedText)  # encrypted at rest
    due_by: Mapped[str | None] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20))
    requested_at: Mapped[datetime]
    answers: Mapped[list[Any] | None] = mapped_column(EncryptedJSON)
    answered_at: Mapped[datetime | None]
    # A sensitive request's questions, for the volunteer alone (`items` is what the
    # organisation sees: none then); encrypted at rest.
    volunteer_items: Mapped[list[Any] | None] = mapped_column(EncryptedJSON)


class ContactConfirmation(Base):
    """A link sent to the volunteer's email, or a code to their mobile, that confirms the
    channel is theirs. Only hashes are kept: a copy of the table confirms nothing."""

    __tablename__ = "contact_confirmations"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), index=True)
    channel: Mapped[str] = mapped_column(String(5))
    # Keyed with the service's secret: six digits alone would fall to a brute force.
    code_hash: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class ErasureRequest(Base):
    """A request to erase a person everywhere, and how far each service has got with it."""

    __tablename__ = "erasure_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    application_id: Mapped[str] = mapped_column(String(36), index=True)
    # The organisation that asked; None when the data protection officer asked.
    organisation_id: Mapped[str | None] = mapped_column(String(36), index=True)
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime]
    # Vetting's person id, once vetting has resolved the application to a person.
    person_id: Mapped[str | None] = mapped_column(String(36))
    # service -> {"status": "PENDING" | "ERASED", "counts": {...}, "erased_at": ISO time}
    services: Mapped[dict[str, Any]] = mapped_column(JSON)
    completed_at: Mapped[datetime | None]


class PortalMember(Base):
    """A person at an organisation who uses the coordinators' portal, with their role there.

    Invited by email; the first sign-in with that (verified) email binds the invitation to the
    person's subject at the identity provider, which is who they are from then on.
    """

    __tablename__ = "portal_members"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))  # lower case
    subject: Mapped[str | None] = mapped_column(String(200), index=True)
    role: Mapped[str] = mapped_column(String(30))  # coordinator | organisation_admin
    invited_by: Mapped[str] = mapped_column(String(200))
    invited_at: Mapped[datetime]
    joined_at: Mapped[datetime | None]
    removed_at: Mapped[datetime | None]
    removed_by: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        Index("uq_portal_members_organisation_email", "organisation_id", "email", unique=True),
    )


class VolunteerLink(Base):
    """A single-use link sent to the volunteer: it signs them in to one application's sensitive
    sections. Only the token's hash is kept."""

    __tablename__ = "volunteer_links"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), index=True)
    channel: Mapped[str] = mapped_column(String(5))  # EMAIL | SMS
    sent_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    # A re-sent link replaces the one before it.
    revoked_at: Mapped[datetime | None]


class VolunteerSession(Base):
    """The volunteer signed in by a link: one application, for a short while. The cookie holds
    a random token; only its hash is kept."""

    __tablename__ = "volunteer_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), index=True)
    started_at: Mapped[datetime]
    seen_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
