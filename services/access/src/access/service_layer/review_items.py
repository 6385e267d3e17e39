"""Review items: news from vetting that would change who a grant is for.

A grant's name and date of birth are set when it opens. Vetting's later news about the same
person that names someone else (another name or date of birth) is never applied by itself,
however trusted its publisher: the whole event waits, for that grant, in a review item for the
establishment's security team (service_layer.review_holds). They keep the grant as it is
(DISMISS) or, having checked (a marriage, a corrected birthday), apply the news (ACCEPT).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from access.domain.lifecycle import REVIEW_ITEM, ReviewItemState
from access.domain.people import set_names
from access.models import Grant, ReviewItem
from access.service_layer.actors import Actor
from access.service_layer.following import renew_grant
from access.service_layer.grant_audit import audit_grant
from access.service_layer.review_holds import said_identity
from shared.errors import Conflict, NotFound
from shared.events.catalogue import build_registry
from shared.uow import UnitOfWork

OPEN = ReviewItemState.OPEN
# The security team's answer, and the state it leaves the item in (the table's actions).
OUTCOMES = {t.action: ReviewItemState(t.target) for t in REVIEW_ITEM.from_state(OPEN)}


def item_view(item: ReviewItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "establishment_code": item.establishment_code,
        "grant_id": item.grant_id,
        "person_id": item.person_id,
        "kind": item.kind,
        "event_type": item.event_type,
        "event_id": item.event_id,
        "recorded": item.recorded,
        "proposed": item.proposed,
        "status": item.status,
        "opened_at": item.opened_at,
        "resolved_at": item.resolved_at,
        "resolved_by": item.resolved_by,
    }


def items_at(session: Session, code: str, status: str | None, limit: int) -> list[dict]:
    """The establishment's review items, oldest first (OPEN ones unless another status)."""
    query = select(ReviewItem).where(
        ReviewItem.establishment_code == code, ReviewItem.status == (status or OPEN)
    )
    return [
        item_view(item)
        for item in session.execute(
            query.order_by(ReviewItem.opened_at, ReviewItem.id).limit(limit)
        ).scalars()
    ]


def resolve(
    uow: UnitOfWork, actor: Actor, item_id: str, outcome: str, reason: str
) -> dict[str, Any]:
    """The security team's answer. DISMISS: the grant stays as it is. ACCEPT (heads of
    security only: it changes who the grant is for): the held event is applied to the grant."""
    item = uow.session.execute(
        select(ReviewItem).where(ReviewItem.id == item_id).with_for_update()
    ).scalar_one_or_none()
    if item is None or not actor.covers(item.establishment_code):
        raise NotFound()
    actor.require(
        *{role for t in REVIEW_ITEM.transitions if t.action == outcome for role in t.roles}
    )
    if item.status != OPEN:
        raise Conflict(f"This review item is already {item.status.lower()}.")
    REVIEW_ITEM.step(item.status, outcome, actor.roles, OUTCOMES[outcome])
    grant = uow.session.execute(
        select(Grant).where(Grant.id == item.grant_id).with_for_update()
    ).scalar_one()
    moment = uow.now()
    if outcome == "ACCEPT":
        _apply(uow, grant, item, moment)
    item.status, item.resolved_at, item.resolved_by = OUTCOMES[outcome], moment, actor.id
    audit_grant(
        uow,
        actor,
        f"grant.review_item_{item.status.lower()}",
        grant,
        reason=reason,
        detail={"review_item_id": item.id, "kind": item.kind},
    )
    return item_view(item)


def _apply(uow: UnitOfWork, grant: Grant, item: ReviewItem, moment: datetime) -> None:
    held = item.event_data
    data = build_registry().load(item.event_type, int(held["version"]), held["data"])
    said = said_identity(data)
    set_names(grant, said["forenames"] or grant.forenames, said["surname"] or grant.surname)
    grant.date_of_birth = data.get("date_of_birth") or grant.date_of_birth
    renew_grant(uow, grant, data, moment)  # the same path as the news


def forget_items(
    session: Session, grant_ids: list[str], application_ids: list[str] | tuple[str, ...] = ()
) -> int:
    """Erasure and retention: delete the items of these grants, and those holding news about
    these applications (they name the person). The number deleted."""
    ids = (
        set(
            session.execute(
                select(ReviewItem.id).where(ReviewItem.grant_id.in_(grant_ids))
            ).scalars()
        )
        if grant_ids
        else set()
    )
    if application_ids:
        wanted = set(application_ids)
        ids |= {
            item_id
            for item_id, held in session.execute(select(ReviewItem.id, ReviewItem.event_data))
            if str(held["data"].get("application_id")) in wanted
        }
    if ids:
        session.execute(delete(ReviewItem).where(ReviewItem.id.in_(sorted(ids))))
    return len(ids)
