"""Tables of the vetting service (its own database)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, MetaData, String
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
