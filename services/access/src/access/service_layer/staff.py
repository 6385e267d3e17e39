"""The security console's accounts: who may sign in, with which roles, for which establishments.

Passwords are kept only as scrypt hashes (shared.auth). Wrong passwords never lock an account
(a stranger who knows a username could keep its owner out): the console slows the source down
instead (shared.web.limits.SignInThrottle). Every sign-in is in the audit log, and failures once
per source per window (never the password).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from access.models import Establishment, StaffAccount
from access.service_layer.common import SECURITY_ROLES, Actor
from shared import audit
from shared.auth import hash_password, password_matches
from shared.errors import Conflict, Invalid, NotFound
from shared.safe_text import safe_prefix

MIN_PASSWORD_LENGTH = 12  # NCSC: length beats composition rules
MAX_PASSWORD_LENGTH = 200  # scrypt is slow by design; bound the work one request can ask for
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,99}$")


@dataclass(frozen=True)
class LoginResult:
    """The account when signed in; otherwise why not (for the audit log, never for the user:
    telling "no such user" from "wrong password" would let anyone list the accounts)."""

    account: StaffAccount | None
    failure: str | None = None


def normalise_username(username: str) -> str:
    return username.strip().lower()


@cache
def _dummy_hash() -> str:
    # Checked against when there is no usable account, so an unknown username costs the same
    # scrypt work as a known one and the response time does not reveal which names exist.
    return hash_password("not-a-real-password-only-for-timing")


def actor_for(account: StaffAccount) -> Actor:
    return Actor(account.username, "STAFF", frozenset(account.roles),
                 frozenset(account.establishments))


def password_fingerprint(account: StaffAccount) -> str:
    """A console session remembers this, so setting a new password signs out every session
    opened with the old one. A digest, because the session cookie is signed, not encrypted."""
    return hashlib.sha256(account.password_hash.encode()).hexdigest()[:16]


def _problems(session: Session, *, username: str | None = None, display_name: str | None = None,
              password: str | None = None, roles: Iterable[str] | None = None,
              establishments: Iterable[str] | None = None) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if username is not None and not USERNAME.match(username):
        problems["username"] = ["2 to 100 characters: lower-case letters, digits, '.', '_' "
                                "or '-', starting with a letter or digit."]
    if display_name is not None and not 0 < len(display_name.strip()) <= 200:
        problems["display_name"] = ["Give a name of up to 200 characters."]
    if password is not None and not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        problems["password"] = [f"Must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} "
                                "characters long."]
    if roles is not None:
        roles = list(roles)
        unknown = sorted(set(roles) - set(SECURITY_ROLES))
        if not roles or unknown:
            problems["roles"] = [f"Give one or more of {', '.join(SECURITY_ROLES)}"
                                 + (f"; not {', '.join(unknown)}." if unknown else ".")]
    if establishments is not None:
        codes = list(establishments)
        known = set(session.execute(select(Establishment.code).where(
            Establishment.code.in_(codes))).scalars()) if codes else set()
        unknown = sorted(set(codes) - known)
        if not codes or unknown:
            problems["establishments"] = ["Give one or more establishment codes"
                                          + (f"; unknown: {', '.join(unknown)}." if unknown
                                             else ".")]
    return problems


def _audit(session: Session, by: str, action: str, username: str, moment: datetime,
           reason: str | None = None, detail: dict[str, Any] | None = None) -> None:
    audit.record(session, service="access", actor=by,
                 actor_kind="SYSTEM" if by.startswith("operator:") else "STAFF",
                 action=action, subject_type="staff", subject_id=username[:100],
                 reason=reason, detail=detail, at=moment)


def create(session: Session, *, username: str, display_name: str, password: str,
           roles: Iterable[str], establishments: Iterable[str], moment: datetime,
           by: str) -> StaffAccount:
    """A new, active account. `by` names the operator (written to the audit log)."""
    username = normalise_username(username)
    roles, codes = sorted(set(roles)), sorted({code.strip().upper() for code in establishments})
    problems = _problems(session, username=username, display_name=display_name,
                         password=password, roles=roles, establishments=codes)
    if problems:
        raise Invalid("The account is not valid.", problems)
    if session.get(StaffAccount, username) is not None:
        raise Conflict(f"There is already an account {username!r}.")
    account = StaffAccount(username=username, display_name=display_name.strip(),
                           password_hash=hash_password(password), roles=roles,
                           establishments=codes, active=True, failed_logins=0,
                           created_at=moment)
    session.add(account)
    _audit(session, by, "staff.created", username, moment,
           detail={"roles": roles, "establishments": codes})
    return account


def update(session: Session, username: str, *, moment: datetime, by: str,
           display_name: str | None = None, password: str | None = None,
           roles: Iterable[str] | None = None, establishments: Iterable[str] | None = None,
           active: bool | None = None) -> StaffAccount:
    """Change what is given."""
    account = session.execute(select(StaffAccount).where(
        StaffAccount.username == normalise_username(username)).with_for_update()
    ).scalar_one_or_none()
    if account is None:
        raise NotFound(f"No account {username!r}.")
    roles = sorted(set(roles)) if roles is not None else None
    codes = (sorted({code.strip().upper() for code in establishments})
             if establishments is not None else None)
    problems = _problems(session, display_name=display_name, password=password, roles=roles,
                         establishments=codes)
    if problems:
        raise Invalid("The change is not valid.", problems)
    changed: list[str] = []
    if display_name is not None:
        account.display_name = display_name.strip()
        changed.append("display_name")
    if password is not None:
        account.password_hash = hash_password(password)
        changed.append("password")  # that it changed; never what to
    if roles is not None:
        account.roles = roles
        changed.append("roles")
    if codes is not None:
        account.establishments = codes
        changed.append("establishments")
    if active is not None:
        account.active = active
        changed.append("active")
    _audit(session, by, "staff.disabled" if active is False else "staff.updated",
           account.username, moment, detail={"changed": changed, "roles": account.roles,
                                             "establishments": account.establishments,
                                             "active": account.active})
    return account


def disable(session: Session, username: str, *, moment: datetime, by: str) -> StaffAccount:
    """Out at once: the console re-reads the account on every request."""
    return update(session, username, moment=moment, by=by, active=False)


def accounts(session: Session) -> list[StaffAccount]:
    return list(session.execute(select(StaffAccount).order_by(StaffAccount.username)).scalars())


def active_account(session: Session, username: str) -> StaffAccount | None:
    account = session.get(StaffAccount, username)
    return account if account is not None and account.active else None


def authenticate(session: Session, username: str, password: str,
                 moment: datetime) -> LoginResult:
    """Check a sign-in; a success is recorded here (the caller commits). A failure is only
    returned: the caller throttles the source and records it (`record_login_failure`)."""
    name = normalise_username(username)[:100]
    account = session.get(StaffAccount, name)
    password = password[:MAX_PASSWORD_LENGTH + 1]
    if account is None:
        password_matches(_dummy_hash(), password)
        return LoginResult(None, "unknown_user")
    if not account.active:
        password_matches(_dummy_hash(), password)
        return LoginResult(None, "disabled")
    if not password_matches(account.password_hash, password):
        return LoginResult(None, "bad_password")
    account.last_login_at = moment
    _audit(session, name, "staff.login_succeeded", name, moment)
    return LoginResult(account)


def record_login_failure(session: Session, username: str, moment: datetime, why: str,
                         detail: dict[str, Any] | None = None) -> None:
    """A failed sign-in. The actor is not known (the name typed is only a claim), and that
    name is kept only as a short prefix of harmless characters: anyone can type anything."""
    audit.record(session, service="access", actor="anonymous", actor_kind="SYSTEM",
                 action="staff.login_failed", subject_type="staff",
                 subject_id=safe_prefix(normalise_username(username), 32) or "-",
                 reason=why, detail=detail, at=moment)


def record_session_end(session: Session, username: str, moment: datetime, why: str) -> None:
    """Signed out (`signed_out`), timed out (`idle`, `expired`) or put out (`revoked`: the
    account was disabled or its password changed)."""
    _audit(session, username, "staff.session_ended", username, moment, reason=why)
