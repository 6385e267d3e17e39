"""Tables of the vetting service (its own database)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.crypto.at_rest import EncryptedJSON, EncryptedText
from shared.db import NAMING_CONVENTION, BigId, UTCDateTime


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


class Person(Base):
    """One human being, whichever organisations they volunteer with: a clearance is theirs.
    How an application is recognised as theirs: `PersonIdentifier` (vetting.domain.identity)."""

    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # "person:<id>", or "erased:<id>" once the person is erased (nothing identifying).
    match_key: Mapped[str] = mapped_column(String(400), unique=True)
    created_at: Mapped[datetime]


class PersonIdentifier(Base):
    """A keyed hash of something that identifies the person (an identity document, a name and
    date of birth, a previous name, a National Insurance number): found by equality, never
    read back."""

    __tablename__ = "person_identifiers"
    __table_args__ = (
        UniqueConstraint("person_id", "kind", "digest"),
        Index("ix_person_identifiers_lookup", "kind", "digest"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class IdentityCandidate(Base):
    """A person a case's applicant may be (a possible match): OPEN until an officer links the
    case to them or separates the two."""

    __tablename__ = "identity_candidates"
    __table_args__ = (UniqueConstraint("case_id", "person_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("vetting_cases.id"), index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    reasons: Mapped[list] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12))
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class IdentitySeparation(Base):
    """Two person records an officer found to be different people: never offered again."""

    __tablename__ = "identity_separations"

    person_a: Mapped[str] = mapped_column(String(36), primary_key=True)
    person_b: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36))
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime]


class VettingCase(Base):
    __tablename__ = "vetting_cases"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    application_id: Mapped[str] = mapped_column(String(36), unique=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    # Name only at the top level; the rest of what vetting needs is in `applicant`.
    applicant_name: Mapped[dict] = mapped_column(JSON)
    role: Mapped[str] = mapped_column(String(30))
    establishments: Mapped[list] = mapped_column(JSON)
    requested_access: Mapped[str] = mapped_column(String(20))
    frequency: Mapped[str] = mapped_column(String(20))
    opened_at: Mapped[datetime] = mapped_column(index=True)
    # What the policy required when the case opened, and which version of the policy said so.
    required_level: Mapped[str | None] = mapped_column(String(40))
    checks: Mapped[list | None] = mapped_column(JSON)
    policy_version: Mapped[str | None] = mapped_column(String(40))
    person_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"), index=True)
    organisation_id: Mapped[str | None] = mapped_column(String(36))
    renewal_of: Mapped[str | None] = mapped_column(String(36))
    # Date of birth, email and the applicant document (declarations, connections, addresses,
    # referees, DBS certificate): what the checks and the risk summary read. It, the risk
    # summary, the refusal and the reconsideration are special category: encrypted at rest.
    applicant: Mapped[dict | None] = mapped_column(EncryptedJSON)
    dbs_level: Mapped[str | None] = mapped_column(String(40))
    closed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]
    # Service levels: who the case waits on now, since when, and the seconds spent waiting on
    # each party in earlier spells.
    waiting_on: Mapped[str | None] = mapped_column(String(20))
    waiting_since: Mapped[datetime | None]
    waited_s: Mapped[dict | None] = mapped_column(JSON)
    # The state an information request interrupted, to return to when it is answered.
    resume_status: Mapped[str | None] = mapped_column(String(20))
    risk: Mapped[dict | None] = mapped_column(EncryptedJSON)
    # {"proposed_by", "proposed_at", "reasons", "countersigned_by", "countersigned_at"}
    refusal: Mapped[dict | None] = mapped_column(EncryptedJSON)
    # {"grounds", "requested_at", "decided_by", "decided_at", "outcome"}
    reconsideration: Mapped[dict | None] = mapped_column(EncryptedJSON)
    clearance_id: Mapped[str | None] = mapped_column(String(36))
    # How the case's applicant was recognised (vetting.domain.identity): POSSIBLE_MATCH until an
    # officer links or separates, else RESOLVED; by NEW_PERSON, STRONG_MATCH, OFFICER_LINK or
    # OFFICER_SEPARATE, by whom ("system" or the officer) and when.
    identity_status: Mapped[str | None] = mapped_column(String(20), index=True)
    identity_method: Mapped[str | None] = mapped_column(String(20))
    identity_by: Mapped[str | None] = mapped_column(String(200))
    identity_at: Mapped[datetime | None]
    # A clearance proposed against the risk summary's recommendation, waiting for a manager:
    # {"proposed_by", "proposed_at", "level", "conditions", "reason", "recommendation",
    # "from_status"}.
    override: Mapped[dict | None] = mapped_column(EncryptedJSON)
    # What vetting knows against the person (service_layer.history): [{"kind", "ref", "at"}],
    # from when the case opened, kept current while it is undecided; and a manager's
    # acknowledgement of it, without which the case is neither cleared nor served:
    # {"by", "at", "keys"}.
    history: Mapped[list | None] = mapped_column(JSON)
    history_acknowledged: Mapped[dict | None] = mapped_column(JSON)
    # The officer working the case (staff subject) and since when: one at a time; closing the
    # case releases it (service_layer.assignment).
    assigned_to: Mapped[str | None] = mapped_column(String(200), index=True)
    assigned_at: Mapped[datetime | None]


class CaseUpdate(Base):
    """Something the organisation sent about a case: answers, a change, a withdrawal."""

    __tablename__ = "case_updates"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("vetting_cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(50))
    data: Mapped[dict] = mapped_column(EncryptedJSON)  # encrypted at rest
    received_at: Mapped[datetime]


class Check(Base):
    """One check of a case: its states and who moves them are vetting.domain.lifecycles.check."""

    __tablename__ = "checks"
    __table_args__ = (
        UniqueConstraint("case_id", "name"),
        # The worker's question: which automatic checks are due now?
        Index("ix_checks_due", "next_attempt_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("vetting_cases.id"), index=True)
    name: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20))
    provider: Mapped[str] = mapped_column(String(30))
    provider_reference: Mapped[str | None] = mapped_column(String(100))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # When the worker should next act on it; None: nothing automatic is due (manual, final,
    # or out of retries).
    next_attempt_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    result: Mapped[dict | None] = mapped_column(EncryptedJSON)  # encrypted at rest
    error: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str | None] = mapped_column(String(200))
    # A provider's answer that came after the result was in (an officer's, or the provider's
    # own earlier one): {"status", "detail", "provider", "received_at", "disagrees"}. Kept
    # beside the result, never dropped; encrypted at rest like the result.
    late_answer: Mapped[dict | None] = mapped_column(EncryptedJSON)


class InformationRequest(Base):
    __tablename__ = "information_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("vetting_cases.id"), index=True)
    items: Mapped[list] = mapped_column(EncryptedJSON)  # encrypted at rest
    reason: Mapped[str] = mapped_column(EncryptedText)  # encrypted at rest
    due_by: Mapped[str | None] = mapped_column(String(10))
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime]
    answers: Mapped[list | None] = mapped_column(EncryptedJSON)  # encrypted at rest
    answered_at: Mapped[datetime | None]
    # Sent to the volunteer alone (it touches what the checks found): they answer vetting
    # directly and an officer records it. None: asked before this was kept.
    sensitive: Mapped[bool | None]
    # Past its "by when" date: chased once (the coordinator is emailed), then lapsed to the
    # officer's queue as overdue after the policy's grace period (the daily sweep).
    chased_at: Mapped[datetime | None]
    lapsed_at: Mapped[datetime | None]


class Clearance(Base):
    """ACTIVE → SUSPENDED ⇄ ACTIVE → REVOKED | EXPIRED (SUPERSEDED when a renewal replaces it)."""

    __tablename__ = "clearances"
    __table_args__ = (
        # One live clearance per person: a second one (a renewal that superseded nothing, a
        # new application's clearance beside a suspended one) is refused by the database too.
        Index(
            "uq_clearances_one_live_per_person",
            "person_id",
            unique=True,
            sqlite_where=text("status IN ('ACTIVE', 'SUSPENDED')"),
            postgresql_where=text("status IN ('ACTIVE', 'SUSPENDED')"),
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("vetting_cases.id"))
    application_id: Mapped[str] = mapped_column(String(36))
    level: Mapped[str] = mapped_column(String(40))
    access: Mapped[str] = mapped_column(String(20))
    conditions: Mapped[list] = mapped_column(JSON)
    # The officer's conditions beside those ([{"code", "text"}]; "other" is in their words and
    # may name someone in custody): encrypted at rest. None: none set.
    custom_conditions: Mapped[list | None] = mapped_column(EncryptedJSON)
    # An earlier review than the expiry, when the officer set one.
    review_on: Mapped[date | None]
    establishments: Mapped[list] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), index=True)
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    policy_version: Mapped[str] = mapped_column(String(40))
    issued_by: Mapped[str] = mapped_column(String(200))
    reminders_sent: Mapped[list] = mapped_column(JSON)
    suspension_reason: Mapped[str | None] = mapped_column(String(40))
    # The current suspension's id: its event carries it, and the reinstatement names it.
    suspension_id: Mapped[str | None] = mapped_column(String(36))
    replaces_id: Mapped[str | None] = mapped_column(String(36))
    updated_at: Mapped[datetime]


class PrisonDecision(Base):
    """An establishment excluded or revoked a person (from access's events): history a later
    case of theirs shows, and a manager acknowledges before it is cleared."""

    __tablename__ = "prison_decisions"
    __table_args__ = (UniqueConstraint("grant_id", "decision"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(String(36), index=True)
    grant_id: Mapped[str] = mapped_column(String(36))
    application_id: Mapped[str] = mapped_column(String(36))
    establishment_code: Mapped[str] = mapped_column(String(10))
    decision: Mapped[str] = mapped_column(String(20))
    decided_at: Mapped[datetime]
    # The establishment's reason, in its words (access.decision_evidence): evidence for the
    # person's next case; it may allege an offence, so encrypted at rest like other reasons.
    reason: Mapped[str | None] = mapped_column(EncryptedText)
    review_on: Mapped[date | None]


class CircumstanceReport(Base):
    """A change of circumstances an organisation reported: evidence for an officer, with the
    outcome the reporting organisation is told (vetting.circumstances_reviewed). The change
    itself is in the case's updates (`update_id`)."""

    __tablename__ = "circumstance_reports"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("vetting_cases.id"), index=True)
    update_id: Mapped[int | None] = mapped_column(ForeignKey("case_updates.id"))
    application_id: Mapped[str] = mapped_column(String(36), index=True)
    organisation_id: Mapped[str | None] = mapped_column(String(36))
    clearance_id: Mapped[str | None] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(30))
    # Whether the policy named this change as one that suspends the clearance at once.
    immediate: Mapped[bool] = mapped_column(default=False)
    # OPEN while an officer has it to review; DONE once its outcome is final.
    status: Mapped[str] = mapped_column(String(10))
    outcome: Mapped[str] = mapped_column(String(30))
    received_at: Mapped[datetime]
    reviewed_at: Mapped[datetime | None]
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
