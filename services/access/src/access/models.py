"""Tables of the access service (its own database)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, MetaData, String, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.crypto.at_rest import EncryptedJSON, EncryptedText
from shared.db import NAMING_CONVENTION, UTCDateTime


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


class IncomingCase(Base):
    """A person in vetting who asked to come into this establishment: the security team's
    early view, before any clearance (and so before any access request) exists."""

    __tablename__ = "incoming_cases"

    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    establishment_code: Mapped[str] = mapped_column(String(4), primary_key=True)
    application_id: Mapped[str] = mapped_column(String(36))
    requested_access: Mapped[str] = mapped_column(String(20))
    opened_at: Mapped[datetime]


class Establishment(Base):
    """Reference data (../shared/data/establishments.csv), reloaded by an operator command."""

    __tablename__ = "establishments"

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    nation: Mapped[str] = mapped_column(String(40))
    high_security: Mapped[bool] = mapped_column(Boolean)
    womens_estate: Mapped[bool] = mapped_column(Boolean)
    loaded_at: Mapped[datetime]


class Grant(Base):
    """One person's access at one establishment (DESIGN §3): the establishment's decision, its
    induction checklist, and a copy of the clearance it rests on.

    A person has one current grant per establishment. A decision that closed it (refused,
    revoked, excluded, ended) is never reopened: a later clearance supersedes the row (it stays,
    as the establishment left it) and opens a new request beside it, which shows it.

    The copy of the clearance (level, most access allowed, conditions, expiry, status) is kept
    up to date from vetting's events, so the gate check needs this one row and nothing else.
    """

    __tablename__ = "grants"
    __table_args__ = (
        # One current grant per person per establishment; also the gate check's read by person.
        Index(
            "uq_grants_current_person",
            "establishment_code",
            "person_id",
            unique=True,
            sqlite_where=text("superseded_at IS NULL"),
            postgresql_where=text("superseded_at IS NULL"),
        ),
        # The gate check's read by badge; a badge number identifies one person per establishment.
        Index(
            "uq_grants_current_badge",
            "establishment_code",
            "badge_number",
            unique=True,
            sqlite_where=text("superseded_at IS NULL"),
            postgresql_where=text("superseded_at IS NULL"),
        ),
        # The security team's queue (requests and renewals awaiting review), oldest first.
        Index("ix_grants_queue", "establishment_code", "awaiting_review", "opened_at", "id"),
        Index("ix_grants_status", "establishment_code", "status", "opened_at", "id"),
        # Finding a person by name at an establishment (the folded name: no accents or case).
        Index("ix_grants_search_name", "establishment_code", "search_name"),
        # The holders list's "expiring within N days".
        Index("ix_grants_valid_until", "establishment_code", "valid_until"),
        # The holders list in its default order (by name, ties by id): read in order, unsorted.
        Index(
            "ix_grants_current_by_name",
            "establishment_code",
            "surname",
            "forenames",
            "id",
            sqlite_where=text("superseded_at IS NULL"),
            postgresql_where=text("superseded_at IS NULL"),
        ),
        # Finding by the start of any word of the name (LIKE '% zoe%'): trigrams, on PostgreSQL.
        Index(
            "ix_grants_search_name_trgm",
            "search_name",
            postgresql_using="gin",
            postgresql_ops={"search_name": "gin_trgm_ops"},
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    establishment_code: Mapped[str] = mapped_column(String(4))
    person_id: Mapped[str] = mapped_column(String(36), index=True)
    forenames: Mapped[str | None] = mapped_column(String(200))
    surname: Mapped[str | None] = mapped_column(String(200))
    # "forenames surname" folded (accents, case and punctuation dropped), kept with the names.
    search_name: Mapped[str | None] = mapped_column(String(400))
    date_of_birth: Mapped[date | None]
    # The application whose clearance opened (or last renewed) this grant.
    application_id: Mapped[str] = mapped_column(String(36))
    clearance_id: Mapped[str] = mapped_column(String(36))
    clearance_level: Mapped[str] = mapped_column(String(40))
    clearance_access: Mapped[str] = mapped_column(String(20))
    # Only what this establishment may know (rules.conditions_for), and whether more applies.
    clearance_conditions: Mapped[list] = mapped_column(JSON)
    clearance_conditions_withheld: Mapped[bool] = mapped_column(Boolean, default=False)
    # The vetting officer's conditions ([{"code", "text"}]; the words may name someone in
    # custody: encrypted at rest), and the clearance's earlier review date, when set.
    clearance_custom_conditions: Mapped[list | None] = mapped_column(EncryptedJSON)
    clearance_review_on: Mapped[date | None]
    clearance_expires_at: Mapped[datetime]
    # When vetting issued it: news of an older clearance never replaces a newer one.
    clearance_issued_at: Mapped[datetime | None]
    clearance_status: Mapped[str] = mapped_column(String(12))
    # While the clearance is SUSPENDED: vetting's id of that suspension (only a reinstatement
    # naming it lifts it).
    clearance_suspension_id: Mapped[str | None] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(20))
    # While SUSPENDED: the state to return to, and who suspended (both may have).
    resume_status: Mapped[str | None] = mapped_column(String(20))
    suspended_locally: Mapped[bool] = mapped_column(Boolean, default=False)
    # The establishment's terms (set on approval).
    access_type: Mapped[str | None] = mapped_column(String(20))
    conditions: Mapped[list] = mapped_column(JSON, default=list)
    permitted_days: Mapped[list | None] = mapped_column(JSON)
    permitted_areas: Mapped[list] = mapped_column(JSON, default=list)
    valid_until: Mapped[datetime | None]
    # {"SECURITY_BRIEFING": {"at", "by"}, "ID_BADGE": {"at", "by", "badge_number"}, ...}
    induction: Mapped[dict] = mapped_column(JSON, default=dict)
    badge_number: Mapped[str | None] = mapped_column(String(40))
    review_on: Mapped[date | None]  # an exclusion's review date
    # The review date whose arrival was announced (a new exclusion's date is announced again).
    review_due_announced_on: Mapped[date | None]
    # The person declared a connection with someone held at this establishment (from vetting:
    # that one exists here, never who).
    declared_connection: Mapped[bool] = mapped_column(Boolean, default=False)
    # In the security team's queue: a new request (PENDING_REVIEW), or a new clearance (a
    # renewal) for a grant already decided, whose terms need review.
    awaiting_review: Mapped[bool] = mapped_column(Boolean, default=False)
    # The prison's reason in its words (may allege an offence): encrypted at rest.
    status_reason: Mapped[str | None] = mapped_column(EncryptedText)
    opened_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(200))
    activated_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]
    # Set when a later clearance opened a new request beside this closed one: history from then.
    superseded_at: Mapped[datetime | None]


class GrantApplication(Base):
    """Every application whose clearance asked for a grant (one person's grant at one
    establishment may rest on several organisations' applications): an organisation's erasure
    ends a grant only when no other application asks for it."""

    __tablename__ = "grant_applications"

    grant_id: Mapped[str] = mapped_column(ForeignKey("grants.id"), primary_key=True)
    application_id: Mapped[str] = mapped_column(String(36), primary_key=True, index=True)
    added_at: Mapped[datetime]
    # The organisation ended its sponsorship on this application: it no longer holds the grant.
    sponsorship_ended_at: Mapped[datetime | None]


class EndedSponsorship(Base):
    """An application whose organisation ended its sponsorship. Its news may overtake the
    clearance's (a retried delivery): a clearance heard later for it opens no request."""

    __tablename__ = "ended_sponsorships"

    application_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    ended_at: Mapped[datetime]


class ReviewItem(Base):
    """News from vetting that disagrees with who a grant is for (another name or date of
    birth for the same person): never applied by itself, it waits for the establishment's
    security team, who keep the grant as it is or accept the news."""

    __tablename__ = "review_items"
    __table_args__ = (
        Index("ix_review_items_open", "establishment_code", "status", "opened_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    establishment_code: Mapped[str] = mapped_column(String(4))
    grant_id: Mapped[str] = mapped_column(ForeignKey("grants.id"), index=True)
    person_id: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # IDENTITY_MISMATCH
    event_id: Mapped[str] = mapped_column(String(36))
    event_type: Mapped[str] = mapped_column(String(60))
    # The grant's identity then, and what the event said (names and dates of birth only).
    recorded: Mapped[dict] = mapped_column(JSON)
    proposed: Mapped[dict] = mapped_column(JSON)
    # The event's body, applied to the grant only if the team accepts it.
    event_data: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12))  # OPEN, ACCEPTED, DISMISSED
    opened_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(200))


class Photo(Base):
    """The photo taken or uploaded when a badge was issued: re-encoded without metadata,
    stored encrypted (base64 JPEG inside the token), shown on the gate answer."""

    __tablename__ = "photos"

    grant_id: Mapped[str] = mapped_column(ForeignKey("grants.id"), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(36), index=True)
    establishment_code: Mapped[str] = mapped_column(String(4))
    image: Mapped[str] = mapped_column(EncryptedText)
    content_type: Mapped[str] = mapped_column(String(20))
    taken_at: Mapped[datetime]
    taken_by: Mapped[str] = mapped_column(String(200))


class Visit(Base):
    """One time a person was on site: signed in at the gate (after an ALLOWED answer), and
    signed out. A person has at most one open visit per establishment."""

    __tablename__ = "visits"
    __table_args__ = (
        Index(
            "uq_visits_open_person",
            "establishment_code",
            "person_id",
            unique=True,
            sqlite_where=text("signed_out_at IS NULL"),
            postgresql_where=text("signed_out_at IS NULL"),
        ),
        # "On site now" and the day's register, newest first.
        Index("ix_visits_establishment_in", "establishment_code", "signed_in_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    establishment_code: Mapped[str] = mapped_column(String(4))
    person_id: Mapped[str] = mapped_column(String(36), index=True)
    grant_id: Mapped[str] = mapped_column(ForeignKey("grants.id"), index=True)
    signed_in_at: Mapped[datetime]
    signed_in_by: Mapped[str] = mapped_column(String(200))
    signed_out_at: Mapped[datetime | None]
    signed_out_by: Mapped[str | None] = mapped_column(String(200))


class ApplicationPlacement(Base):
    """What an application says the volunteer will do, for the security team deciding it:
    the organisation, the role, the group and the area. The organisation's name can say which
    fellowship the person belongs to (health data): encrypted, like the group."""

    __tablename__ = "application_placements"

    application_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(String(36), index=True)
    organisation_name: Mapped[str] = mapped_column(EncryptedText)
    role: Mapped[str] = mapped_column(String(30))
    group_name: Mapped[str | None] = mapped_column(EncryptedText)
    area: Mapped[str | None] = mapped_column(EncryptedText)
    recorded_at: Mapped[datetime]
