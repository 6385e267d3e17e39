"""Tables of the access service (its own database)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

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
