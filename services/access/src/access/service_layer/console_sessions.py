"""The console's sessions, held on the server: one row per sign-in at the identity provider.

The browser's cookie carries a random token; the row is found by its hash, so a copy of the
database opens no session. Signing out deletes the row: a cookie captured before is worthless
after. Idle and absolute limits are judged here on the platform's clock; whether the provider
still stands behind the session (the user not removed, the tokens still good) is asked by the
console's guard and recorded with `confirmed`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from access.domain.lifecycle import TEAM
from access.models import ConsoleSession
from access.service_layer.actors import Actor
from shared.audit import log as audit
from shared.auth import StaffIdentity


@dataclass(frozen=True)
class ProviderTokens:
    access_token: str
    refresh_token: str | None
    expires_at: datetime


@dataclass(frozen=True)
class Limits:
    idle: timedelta
    absolute: timedelta


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def may_use_console(identity: StaffIdentity) -> bool:
    return identity.has_role(*TEAM) and bool(identity.establishments)


def actor_for(row: ConsoleSession) -> Actor:
    return Actor(row.subject, "STAFF", frozenset(row.roles), frozenset(row.establishments))


def _record(
    session: Session, subject: str, action: str, moment: datetime, why: str | None = None
) -> None:
    audit.record(
        session,
        service="access",
        actor=subject[:100],
        actor_kind=audit.STAFF,
        action=action,
        subject_type="staff",
        subject_id=subject[:100],
        reason=why,
        at=moment,
    )


def open_session(
    session: Session,
    identity: StaffIdentity,
    display_name: str,
    tokens: ProviderTokens,
    moment: datetime,
) -> str:
    """A new session for a member of staff the provider has just signed in: the token for
    their cookie (shown once, stored only as a hash)."""
    token = secrets.token_urlsafe(32)
    session.add(
        ConsoleSession(
            token_hash=_hash(token),
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
    _record(session, identity.staff_id, "staff.login_succeeded", moment)
    return token


def find(session: Session, token: str | None) -> ConsoleSession | None:
    if not token or len(token) > 100:
        return None
    return session.get(ConsoleSession, _hash(token))


def timed_out(row: ConsoleSession, moment: datetime, limits: Limits) -> str | None:
    """`expired` (longer than the absolute limit), `idle`, or None."""
    if moment - row.created_at > limits.absolute:
        return "expired"
    if moment - row.seen_at > limits.idle:
        return "idle"
    return None


def confirmed(
    row: ConsoleSession,
    identity: StaffIdentity | None,
    tokens: ProviderTokens | None,
    moment: datetime,
) -> None:
    """The provider still stands behind the session (with fresh tokens and claims, if it
    refreshed them)."""
    row.checked_at = moment
    if tokens is not None:
        row.access_token, row.access_expires_at = tokens.access_token, tokens.expires_at
        row.refresh_token = tokens.refresh_token or row.refresh_token
    if identity is not None:
        row.roles, row.establishments = sorted(identity.roles), sorted(identity.establishments)


def end(session: Session, row: ConsoleSession, moment: datetime, why: str) -> None:
    """Signed out (`signed_out`), timed out (`idle`, `expired`), or put out (`revoked`: the
    provider no longer stands behind it, e.g. the account was removed)."""
    session.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == row.token_hash))
    _record(session, row.subject, "staff.session_ended", moment, why)


def refused(session: Session, subject: str, moment: datetime, why: str) -> None:
    """Signed in at the provider, but not let into the console (no security role there)."""
    audit.record(
        session,
        service="access",
        actor=subject[:100],
        actor_kind=audit.STAFF,
        action="staff.login_failed",
        subject_type="staff",
        subject_id=subject[:100],
        reason=why,
        outcome=audit.DENIED,
        at=moment,
    )


def purge_stale(session: Session, moment: datetime, limits: Limits) -> int:
    """Sessions past their absolute limit that nobody came back to end."""
    stale = select(ConsoleSession.token_hash).where(
        ConsoleSession.created_at < moment - limits.absolute
    )
    hashes = list(session.execute(stale).scalars())
    if hashes:
        session.execute(delete(ConsoleSession).where(ConsoleSession.token_hash.in_(hashes)))
    return len(hashes)
