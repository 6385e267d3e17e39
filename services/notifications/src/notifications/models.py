"""Tables of the notifications service (its own database)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, MetaData, String, Text, UniqueConstraint, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.crypto.at_rest import EncryptedText
from shared.db import NAMING_CONVENTION, UTCDateTime


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


class Recipient(Base):
    """How to reach a volunteer (and their organisation's coordinator), learnt from
    application.contacts_recorded: which of the volunteer's channels the volunteer confirmed
    (only those carry messages meant for them), and the channels they asked not to be
    contacted on."""

    __tablename__ = "recipients"

    application_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    forenames: Mapped[str] = mapped_column(String(100))
    surname: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    mobile: Mapped[str | None] = mapped_column(String(20))
    preferred_channel: Mapped[str] = mapped_column(String(10))
    coordinator_email: Mapped[str | None] = mapped_column(String(254))
    email_opt_out: Mapped[bool] = mapped_column(Boolean, default=False)
    sms_opt_out: Mapped[bool] = mapped_column(Boolean, default=False)
    email_confirmed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    mobile_confirmed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The recorded_at of the contacts_recorded applied: an older one arriving late changes
    # nothing.
    contacts_recorded_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class Notification(Base):
    __tablename__ = "notifications"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36))
    application_id: Mapped[str | None] = mapped_column(String(36), index=True)
    recipient: Mapped[str] = mapped_column(String(254))
    recipient_kind: Mapped[str] = mapped_column(String(30))
    channel: Mapped[str] = mapped_column(String(10))
    template: Mapped[str] = mapped_column(String(50))
    # Encrypted at rest: both name the person, and the body may carry an information
    # request's questions and reason. Text (no length limit): a subject with two 100-character
    # names overflowed the String(200) it was.
    subject: Mapped[str] = mapped_column(EncryptedText)
    body: Mapped[str] = mapped_column(EncryptedText)
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    # Which channel adapter took it (smtp, notify, log) and its id for it (Notify's id: what a
    # delivery-status callback names).
    provider: Mapped[str | None] = mapped_column(String(20))
    provider_reference: Mapped[str | None] = mapped_column(String(100), index=True)
    delivered_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]

    __table_args__ = (
        # Exactly one per (event, recipient, channel): redelivery can never send twice.
        UniqueConstraint("event_id", "recipient", "channel"),
        Index("ix_notifications_due", "status", "next_attempt_at"),
    )
