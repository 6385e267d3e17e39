"""What the security team reads: its queue, its grants, one grant, a person, the history."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, object_session

from access.domain.lifecycle import GrantState
from access.domain.rules import induction_outstanding, induction_required
from access.models import Establishment, Grant
from access.service_layer.actors import Actor, grant_for_reading
from shared.audit import log as audit
from shared.errors import Invalid, NotFound
from shared.pagination import decode_cursor, encode_cursor


def decision_view(grant: Grant) -> dict[str, Any]:
    """A closed grant kept as history, as the security team sees it beside a new request."""
    return {
        "grant_id": grant.id,
        "status": grant.status,
        "status_reason": grant.status_reason,
        "decided_by": grant.decided_by,
        "decided_at": grant.decided_at,
        "review_on": grant.review_on,
        "superseded_at": grant.superseded_at,
    }


def earlier_decisions(session: Session, grants: list[Grant]) -> dict[tuple[str, str], list]:
    """(establishment, person) → the closed grants kept as history there, newest first: one
    read for a page of grants."""
    keys = {(g.establishment_code, g.person_id) for g in grants}
    if not keys:
        return {}
    found: dict[tuple[str, str], list] = {}
    rows = session.execute(
        select(Grant)
        .where(
            Grant.superseded_at.is_not(None),
            Grant.person_id.in_(sorted({person for _code, person in keys})),
            Grant.establishment_code.in_(sorted({code for code, _person in keys})),
        )
        .order_by(Grant.superseded_at.desc(), Grant.id)
    ).scalars()
    for row in rows:
        key = (row.establishment_code, row.person_id)
        if key in keys:
            found.setdefault(key, []).append(row)
    return found


def grant_view(grant: Grant, earlier: list[Grant] | None = None) -> dict[str, Any]:
    """`earlier`: the decisions kept as history at this establishment; read here if not given
    (for the current grant only: history rows show none of their own)."""
    if earlier is None:
        session = object_session(grant)
        earlier = (
            []
            if session is None or grant.superseded_at is not None
            else earlier_decisions(session, [grant]).get(
                (grant.establishment_code, grant.person_id), []
            )
        )
    return {
        "id": grant.id,
        "establishment_code": grant.establishment_code,
        "person_id": grant.person_id,
        "forenames": grant.forenames,
        "surname": grant.surname,
        "date_of_birth": grant.date_of_birth,
        "application_id": grant.application_id,
        "status": grant.status,
        "awaiting_review": grant.awaiting_review,
        "renewal": grant.awaiting_review and grant.status != GrantState.PENDING_REVIEW,
        "suspended_locally": grant.suspended_locally,
        "declared_connection": bool(grant.declared_connection),
        "clearance": {
            "id": grant.clearance_id,
            "level": grant.clearance_level,
            "max_access": grant.clearance_access,
            "conditions": grant.clearance_conditions,
            "other_conditions_apply": bool(grant.clearance_conditions_withheld),
            "custom_conditions": grant.clearance_custom_conditions or [],
            "review_on": grant.clearance_review_on,
            "expires_at": grant.clearance_expires_at,
            "status": grant.clearance_status,
        },
        "access_type": grant.access_type,
        "conditions": grant.conditions,
        "permitted_days": grant.permitted_days,
        "permitted_areas": grant.permitted_areas,
        "valid_until": grant.valid_until,
        "badge_number": grant.badge_number,
        "induction": {
            "required": list(induction_required(grant.access_type)),
            "outstanding": induction_outstanding(grant.induction, grant.access_type),
            "done": grant.induction,
        },
        "review_on": grant.review_on,
        "status_reason": grant.status_reason,
        "opened_at": grant.opened_at,
        "decided_at": grant.decided_at,
        "decided_by": grant.decided_by,
        "activated_at": grant.activated_at,
        "updated_at": grant.updated_at,
        "superseded_at": grant.superseded_at,
        "earlier_decisions": [
            decision_view(row)
            for row in earlier
            if grant.superseded_at is None and row.id != grant.id
        ],
    }


def _page(session: Session, query: Any, limit: int, cursor: str | None) -> dict[str, Any]:
    if cursor:
        try:
            moment, last_id = decode_cursor(cursor)
        except ValueError as exc:
            raise Invalid("Bad cursor.", {"cursor": [str(exc)]}) from None
        query = query.where(
            or_(Grant.opened_at > moment, and_(Grant.opened_at == moment, Grant.id > last_id))
        )
    rows = list(
        session.execute(query.order_by(Grant.opened_at, Grant.id).limit(limit + 1)).scalars()
    )
    more = len(rows) > limit
    rows = rows[:limit]
    earlier = earlier_decisions(session, rows)
    return {
        "items": [
            grant_view(row, earlier.get((row.establishment_code, row.person_id), []))
            for row in rows
        ],
        "next_cursor": encode_cursor(rows[-1].opened_at, rows[-1].id) if more else None,
    }


def queue(
    session: Session, code: str, *, limit: int = 50, cursor: str | None = None
) -> dict[str, Any]:
    """Requests and renewals awaiting this establishment's review, oldest first."""
    query = select(Grant).where(Grant.establishment_code == code, Grant.awaiting_review.is_(True))
    return _page(session, query, limit, cursor)


def grants_at(
    session: Session,
    code: str,
    *,
    status: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> dict[str, Any]:
    query = select(Grant).where(Grant.establishment_code == code)
    if status:
        query = query.where(Grant.status == status)
    return _page(session, query, limit, cursor)


def get_grant(session: Session, actor: Actor, grant_id: str) -> dict[str, Any]:
    return grant_view(grant_for_reading(session, actor, grant_id))


def person(session: Session, actor: Actor, person_id: str) -> dict[str, Any]:
    """A person's grants at the actor's establishments only (what others decided is theirs)."""
    grants = list(
        session.execute(
            select(Grant)
            .where(
                Grant.person_id == person_id,
                Grant.establishment_code.in_(sorted(actor.establishments)),
            )
            .order_by(Grant.establishment_code)
        ).scalars()
    )
    if not grants:
        raise NotFound()
    first = grants[0]
    earlier = earlier_decisions(session, grants)
    return {
        "person_id": person_id,
        "forenames": first.forenames,
        "surname": first.surname,
        "date_of_birth": first.date_of_birth,
        "grants": [
            grant_view(grant, earlier.get((grant.establishment_code, person_id), []))
            for grant in grants
        ],
    }


def history(
    session: Session, actor: Actor, grant_id: str, limit: int = 200
) -> list[dict[str, Any]]:
    """Every decision and gate check about the grant, newest first."""
    grant_for_reading(session, actor, grant_id)
    return audit.entries(
        session, subject_type="grant", subject_id=grant_id, reads=False, limit=limit
    )


def establishments(session: Session, actor: Actor) -> list[Establishment]:
    return list(
        session.execute(
            select(Establishment)
            .where(Establishment.code.in_(sorted(actor.establishments)))
            .order_by(Establishment.code)
        ).scalars()
    )


def establishment_names(session: Session, codes: list[str]) -> dict[str, str]:
    return dict(
        session.execute(
            select(Establishment.code, Establishment.name).where(Establishment.code.in_(codes))
        ).all()
    )
