"""Tables of the vetting service (its own database)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import NAMING_CONVENTION, UTCDateTime


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


class VettingCase(Base):
    __tablename__ = "vetting_cases"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    application_id: Mapped[str] = mapped_column(String(36), unique=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    # Name only: vetting does not need the applicant's contact details.
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


class CaseUpdate(Base):
    """Something the organisation sent about a case: answers, a change, a withdrawal."""

    __tablename__ = "case_updates"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("vetting_cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(50))
    data: Mapped[dict] = mapped_column(JSON)
    received_at: Mapped[datetime]
