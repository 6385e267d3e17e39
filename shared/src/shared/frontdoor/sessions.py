"""Staff sessions of the front doors, held on the server: one row per sign-in at the identity
provider, in the `staff_sessions` table of the service the door belongs to.

The browser's cookie carries a random token; the row is found by its hash, so a copy of the
database opens no session. Signing out deletes the row: a cookie captured before is worthless
after. Idle and absolute limits are judged here on the platform's clock; whether the provider
still stands behind the session is asked by the door's guard and recorded with `confirmed`.
Each row names its door, so one database could hold several doors' sessions apart.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import JSON, Column, Index, MetaData, String, Table, delete, select, update
from sqlalchemy.orm import Session

from shared.audit import log as audit
from shared.auth import StaffIdentity
from shared.crypto.at_rest import EncryptedText
from shared.db import NAMING_CONVENTION, UTCDateTime, rows_affected

# Not on PLATFORM_METADATA: only the services with a front door have the table (their
# migrations/env.py passes this to shared.migrations.run_env beside their own metadata).
FRONT_DOOR_METADATA = MetaData(naming_convention=NAMING_CONVENTION)

staff_sessions_table = Table(
    "staff_sessions",
    FRONT_DOOR_METADATA,
    Column("token_hash", String(64), primary_key=True),
    Column("door", String(40), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("display_name", String(200), nullable=False),
    Column("roles", JSON, nullable=False),
    Column("establishments", JSON, nullable=False),
    # The provider's tokens, to ask it now and then whether the session still stands.
    Column("access_token", EncryptedText(), nullable=False),
    Column("refresh_token", EncryptedText(), nullable=True),
    Column("access_expires_at", UTCDateTime(), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("seen_at", UTCDateTime(), nullable=False),
    Column("checked_at", UTCDateTime(), nullable=False),
    Index("ix_staff_sessions_subject", "subject"),
)
_TABLE = staff_sessions_table


@dataclass(frozen=True)
class ProviderTokens:
    access_token: str
    refresh_token: str | None
    expires_at: datetime


@dataclass(frozen=True)
class Limits:
    idle: timedelta
    absolute: timedelta


@dataclass(frozen=True)
class StaffSession:
    """A row of staff_sessions, as read."""

    token_hash: str
    door: str
    subject: str
    display_name: str
    roles: tuple[str, ...]
    establishments: tuple[str, ...]
    access_token: str
    refresh_token: str | None
    access_expires_at: datetime
    created_at: datetime
    seen_at: datetime
    checked_at: datetime


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _record(
    db: Session,
    service: str,
    subject: str,
    action: str,
    moment: datetime,
    why: str | None = None,
    outcome: str = audit.SUCCESS,
) -> None:
    audit.record(
        db,
        service=service,
        actor=subject[:100],
        actor_kind=audit.STAFF,
        action=action,
        subject_type="staff",
        subject_id=subject[:100],
        reason=why,
        outcome=outcome,
        at=moment,
    )


def open_session(
    db: Session,
    door: str,
    service: str,
    identity: StaffIdentity,
    display_name: str,
    tokens: ProviderTokens,
    moment: datetime,
) -> str:
    """A new session for a member of staff the provider has just signed in: the token for
    their cookie (shown once, stored only as a hash)."""
    token = secrets.token_urlsafe(32)
    db.execute(
        _TABLE.insert().values(
            token_hash=_hash(token),
            door=door,
            subject=identity.staff_id,
            display_name=(display_name or identity.staff_id)[:200],
            roles=sorted(identity.roles),
            establishments=sorted(identity.establishments),
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            access_expires_at=tokens.expires_at,
            created_at=moment,
            seen_at=moment,
            checked_at=moment,
        )
    )
    _record(db, service, identity.staff_id, "staff.login_succeeded", moment)
    return token


def find(db: Session, door: str, token: str | None) -> StaffSession | None:
    if not token or len(token) > 100:
        return None
    row = (
        db.execute(select(_TABLE).where(_TABLE.c.token_hash == _hash(token), _TABLE.c.door == door))
        .mappings()
        .first()
    )
    if row is None:
        return None
    values = dict(row)
    values["roles"], values["establishments"] = (
        tuple(values["roles"]),
        tuple(values["establishments"]),
    )
    return StaffSession(**values)


def timed_out(row: StaffSession, moment: datetime, limits: Limits) -> str | None:
    """`expired` (longer than the absolute limit), `idle`, or None."""
    if moment - row.created_at > limits.absolute:
        return "expired"
    if moment - row.seen_at > limits.idle:
        return "idle"
    return None


def seen(db: Session, row: StaffSession, moment: datetime) -> None:
    db.execute(update(_TABLE).where(_TABLE.c.token_hash == row.token_hash).values(seen_at=moment))


def confirmed(
    db: Session,
    row: StaffSession,
    identity: StaffIdentity | None,
    tokens: ProviderTokens | None,
    moment: datetime,
) -> StaffSession:
    """The provider still stands behind the session (with fresh tokens and claims, if it
    refreshed them): the row as it now is."""
    changes: dict[str, object] = {"checked_at": moment}
    if tokens is not None:
        changes["access_token"] = tokens.access_token
        changes["access_expires_at"] = tokens.expires_at
        changes["refresh_token"] = tokens.refresh_token or row.refresh_token
    if identity is not None:
        changes["roles"] = sorted(identity.roles)
        changes["establishments"] = sorted(identity.establishments)
    db.execute(update(_TABLE).where(_TABLE.c.token_hash == row.token_hash).values(**changes))
    if identity is not None:
        changes["roles"] = tuple(sorted(identity.roles))
        changes["establishments"] = tuple(sorted(identity.establishments))
    return replace(row, **changes)  # type: ignore[arg-type]


def end(db: Session, row: StaffSession, service: str, moment: datetime, why: str) -> None:
    """Signed out (`signed_out`), timed out (`idle`, `expired`), or put out (`revoked`: the
    provider no longer stands behind it, e.g. the account was removed)."""
    db.execute(delete(_TABLE).where(_TABLE.c.token_hash == row.token_hash))
    _record(db, service, row.subject, "staff.session_ended", moment, why)


def refused(db: Session, service: str, subject: str, moment: datetime, why: str) -> None:
    """Signed in at the provider, but not let in at this door (no role for it)."""
    _record(db, service, subject, "staff.login_failed", moment, why, audit.DENIED)


def purge_stale(db: Session, door: str, moment: datetime, limits: Limits) -> int:
    """Sessions past their absolute limit that nobody came back to end."""
    return rows_affected(
        db.execute(
            delete(_TABLE).where(
                _TABLE.c.door == door, _TABLE.c.created_at < moment - limits.absolute
            )
        )
    )
