"""Holding news for review: whether vetting's news names someone other than a grant's person,
and if so keeping the whole event, for that grant, as an open review item instead of applying
it (the security team's answer: service_layer.review_items).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select

from access.domain.lifecycle import ReviewItemState
from access.models import Grant, ReviewItem
from access.service_layer.actors import Actor
from access.service_layer.grant_audit import audit_grant
from shared.consumer import Event
from shared.uow import UnitOfWork

IDENTITY_MISMATCH = "IDENTITY_MISMATCH"
OPEN = ReviewItemState.OPEN
IDENTITY_FIELDS = ("forenames", "surname", "date_of_birth")


def identity_of(grant: Grant) -> dict[str, Any]:
    return {
        "forenames": grant.forenames,
        "surname": grant.surname,
        "date_of_birth": grant.date_of_birth.isoformat() if grant.date_of_birth else None,
    }


def said_identity(data: dict[str, Any]) -> dict[str, Any]:
    """The identity an event gives (None where it gives none)."""
    born = data.get("date_of_birth")
    return {
        "forenames": data.get("forenames") or None,
        "surname": data.get("surname") or None,
        "date_of_birth": born.isoformat() if isinstance(born, date) else born or None,
    }


def disagrees(grant: Grant, data: dict[str, Any]) -> bool:
    """The event names someone other than the grant's person. A field the grant lacks (an
    older grant, or one opened by news without it) is filled in, never a disagreement."""
    recorded, said = identity_of(grant), said_identity(data)
    return any(
        recorded[name] is not None and said[name] is not None and recorded[name] != said[name]
        for name in IDENTITY_FIELDS
    )


def hold_for_review(uow: UnitOfWork, grant: Grant, event: Event) -> None:
    """Keep the event for the security team instead of applying it to `grant`: once per grant
    and clearance while the item is open (the same news again finds it there)."""
    clearance_id = str(event.data["clearance_id"])
    held = uow.session.execute(
        select(ReviewItem.event_data).where(
            ReviewItem.grant_id == grant.id, ReviewItem.status == OPEN
        )
    ).scalars()
    if any(str(data["data"].get("clearance_id")) == clearance_id for data in held):
        return
    moment = uow.now()
    item = ReviewItem(
        id=str(uuid.uuid4()),
        establishment_code=grant.establishment_code,
        grant_id=grant.id,
        person_id=grant.person_id,
        kind=IDENTITY_MISMATCH,
        event_id=event.id,
        event_type=event.envelope.type,
        recorded=identity_of(grant),
        proposed=said_identity(event.data),
        event_data={"version": event.envelope.version, "data": event.envelope.data},
        status=OPEN,
        opened_at=moment,
    )
    uow.session.add(item)
    uow.session.flush()
    audit_grant(
        uow,
        Actor.system(),
        "grant.review_item_opened",
        grant,
        detail={
            "review_item_id": item.id,
            "kind": item.kind,
            "event_id": event.id,
            "event_type": item.event_type,
        },
    )
