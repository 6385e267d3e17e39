"""The audit entry the applications service writes for what people do to an organisation's
set-up (its portal members, its API keys): who, when, what, about which record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from shared.audit import log as audit

# Who runs an operator command: the audit log names the operator's tool, not a person.
OPERATOR = ("operator", audit.SYSTEM)


def portal_actor(subject: str) -> tuple[str, str]:
    """A portal user acts for their organisation: named by their identity provider subject."""
    return f"portal:{subject}"[:200], audit.ORGANISATION


def record(
    session: Session,
    by: tuple[str, str],
    action: str,
    subject_type: str,
    subject_id: str,
    moment: datetime,
    *,
    detail: dict[str, Any] | None = None,
    private: dict[str, Any] | None = None,
) -> None:
    """One entry in the caller's transaction. `private` (an email address) is sealed: `detail`
    names nobody."""
    actor, kind = by
    audit.record(
        session,
        service="applications",
        actor=actor,
        actor_kind=kind,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        detail=detail,
        private=private,
        at=moment,
    )
