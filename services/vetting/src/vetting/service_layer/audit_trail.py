"""The audit entry every vetting decision writes: who, when, what, why."""

from __future__ import annotations

from typing import Any

from shared.audit import log as audit
from shared.uow import UnitOfWork
from vetting.domain.actors import Actor


def audit_decision(
    uow: UnitOfWork,
    actor: Actor,
    action: str,
    subject_type: str,
    subject_id: str,
    *,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
    private: dict[str, Any] | None = None,
) -> None:
    """Who, when, what, why — and the policy version, which every decision's detail carries.
    `private` (e.g. conditions naming the person's circumstances) is sealed with the reason."""
    audit.record(
        uow.session,
        service="vetting",
        actor=actor.id,
        actor_kind=actor.kind,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        reason=reason,
        detail=detail,
        private=private,
        at=uow.now(),
    )
