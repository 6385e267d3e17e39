"""Audit entries the web layer writes for every service: reads of special-category data and
refused credentials (auditors read them at `GET /audit`, shared.web.audit_routes).

A read is recorded in the same transaction as nothing else — the caller's read-only session —
and committed before the answer leaves, so nobody reads a person's declarations, check results
or decision reasons without a trace. A refused credential is recorded on its own connection: the
request it belongs to never reaches a transaction of its own.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app, g, request
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from shared.audit import log as audit

log = logging.getLogger(__name__)


def _service() -> str:
    return current_app.extensions["platform"].settings.service


def current_actor() -> tuple[str, str]:
    """(actor, actor_kind) of the authenticated caller of this request."""
    if "staff" in g:
        return g.staff.staff_id, audit.STAFF
    if "organisation_id" in g:
        return g.organisation_id, audit.ORGANISATION
    return "anonymous", audit.SYSTEM


def record_read(
    session: Session,
    subject_type: str,
    subject_id: str,
    detail: dict[str, Any] | None = None,
    *,
    by: tuple[str, str] | None = None,
) -> None:
    """Write "the caller read this subject's special-category data" and commit it. `by`:
    (actor, actor_kind) where the caller is not an API caller (e.g. a console session)."""
    actor, kind = by or current_actor()
    audit.record(
        session,
        service=_service(),
        actor=actor,
        actor_kind=kind,
        action=f"{subject_type}.read",
        subject_type=subject_type,
        subject_id=subject_id,
        detail=detail,
        at=current_app.extensions["platform"].clock.now(),
    )
    session.commit()


def record_denial(status: int, why: str, actor: str = "anonymous") -> None:
    """A refused credential (401) or role (403). Never turns the refusal into a 500: if the
    database is down the refusal still goes out, and the failure to record it is logged."""
    rule = request.url_rule.rule if request.url_rule else "unmatched"
    platform = current_app.extensions["platform"]
    try:
        with platform.session_factory() as session:
            audit.record(
                session,
                service=platform.settings.service,
                actor=actor[:200],
                actor_kind=audit.STAFF if status == 403 else audit.SYSTEM,
                action="auth.denied",
                subject_type="endpoint",
                subject_id=f"{request.method} {rule}"[:100],
                outcome=audit.DENIED,
                detail={"status": status, "why": why},
                at=platform.clock.now(),
            )
            session.commit()
    except SQLAlchemyError:
        log.exception("could not record a refused credential", extra={"status": status})
