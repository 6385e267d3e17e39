"""The audit entry each decision about a grant writes: who, when, which establishment, what."""

from __future__ import annotations

from typing import Any

from access.models import Grant
from access.service_layer.actors import Actor
from shared.audit import log as audit
from shared.uow import UnitOfWork


def audit_grant(
    uow: UnitOfWork,
    actor: Actor,
    action: str,
    grant: Grant,
    *,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
    private: dict[str, Any] | None = None,
) -> None:
    """Who, when, which establishment, what: every decision about a grant. `private`: what the
    officer wrote about the person (conditions), sealed with the reason."""
    audit.record(
        uow.session,
        service="access",
        actor=actor.id,
        actor_kind=actor.kind,
        action=action,
        subject_type="grant",
        subject_id=grant.id,
        reason=reason,
        detail={
            "establishment": grant.establishment_code,
            "status": grant.status,
            **(detail or {}),
        },
        private=private,
        at=uow.now(),
    )
