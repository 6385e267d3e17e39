"""Exclusion reviews coming due: once an exclusion's review date has come (a London date), it
is announced, once per review date (`grants.review_due_announced_on`), so the person and their
coordinator hear that the review is now due. A later exclusion with a new date is announced
again on that date."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from access.domain.lifecycle import EXCLUDED
from access.models import Grant
from access.service_layer import outgoing
from access.service_layer.actors import Actor
from access.service_layer.grant_audit import audit_grant
from shared.clock import london_date
from shared.uow import UnitOfWork


def announce_due_reviews(uow: UnitOfWork, moment: datetime, *, limit: int = 1000) -> int:
    """Publish access.exclusion_review_due for each current exclusion whose review date has
    come and was not announced yet; returns how many. Safe to run as often as you like, and
    by two sweeps at once (a grant another sweep holds is skipped, not announced twice)."""
    today = london_date(moment)
    due = (
        uow.session.execute(
            select(Grant)
            .where(
                Grant.status == EXCLUDED,
                Grant.superseded_at.is_(None),
                Grant.review_on.is_not(None),
                Grant.review_on <= today,
                or_(
                    Grant.review_due_announced_on.is_(None),
                    Grant.review_due_announced_on != Grant.review_on,
                ),
            )
            .order_by(Grant.review_on, Grant.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        .scalars()
        .all()
    )
    for grant in due:
        review_on = grant.review_on
        if review_on is None:  # excluded by the query; kept for the type checker
            continue
        grant.review_due_announced_on = review_on
        grant.updated_at = moment
        outgoing.access_exclusion_review_due(uow, grant, review_on, moment)
        audit_grant(
            uow,
            Actor.system(),
            "grant.exclusion_review_due",
            grant,
            detail={"review_on": review_on.isoformat()},
        )
    return len(due)
