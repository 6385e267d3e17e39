"""Who holds access here: an establishment's current grants, filtered, ordered and paged, or
all of them as a CSV file. Every list read is audited (who, where, which filters, whom it
showed); the caller has checked the actor covers the establishment, and commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from access.domain.holders import (
    EXPIRING_STATES,
    KEY_HOLDING,
    HolderFilters,
    Order,
    expiring_window,
    review_due_by,
)
from access.domain.lifecycle import APPROVED, EXCLUDED
from access.domain.rules import induction_outstanding
from access.models import Grant
from access.service_layer.actors import Actor
from shared.audit import log as audit
from shared.spreadsheet import csv_text

# The column each order but the name's reads; the grant's id breaks ties (a stable order).
_SORT_COLUMNS = {
    "valid_until": Grant.valid_until,
    "status": Grant.status,
    "granted_at": Grant.decided_at,
    "requested_at": Grant.opened_at,
    "badge": Grant.badge_number,
}
CSV_HEADER = (
    "Surname",
    "Forenames",
    "Date of birth",
    "Badge number",
    "Status",
    "Access type",
    "Valid until",
    "Granted at",
    "Exclusion review date",
    "Induction outstanding",
    "Person ID",
    "Grant ID",
)


def _filtered(code: str, filters: HolderFilters, moment: datetime) -> Select[Any]:
    query = select(Grant).where(Grant.establishment_code == code, Grant.superseded_at.is_(None))
    if filters.statuses:
        query = query.where(Grant.status.in_(filters.statuses))
    if filters.access_types:
        query = query.where(Grant.access_type.in_(filters.access_types))
    if filters.key_holders:
        query = query.where(Grant.access_type == KEY_HOLDING)
    if filters.expiring_within_days is not None:
        start, end = expiring_window(moment, filters.expiring_within_days)
        query = query.where(
            Grant.status.in_(sorted(EXPIRING_STATES)),
            Grant.valid_until >= start,
            Grant.valid_until <= end,
        )
    if filters.review_due:
        query = query.where(Grant.status == EXCLUDED, Grant.review_on <= review_due_by(moment))
    if filters.awaiting_induction:
        query = query.where(Grant.status == APPROVED)
    return query


def _ordered(query: Select[Any], order: Order) -> Select[Any]:
    if order.sort == "name":
        # Every name is given: the database's own null placement, so that an index scan
        # (backward for "desc") serves the list without sorting it.
        columns = (Grant.surname, Grant.forenames, Grant.id)
        return query.order_by(*(c.desc() if order.descending else c.asc() for c in columns))
    # Dates and badges a grant may not have yet: those last both ways, on every database.
    column = _SORT_COLUMNS[order.sort]
    first = column.desc() if order.descending else column.asc()
    return query.order_by(first.nulls_last(), Grant.id.desc() if order.descending else Grant.id)


def holder_view(grant: Grant) -> dict[str, Any]:
    """One grant as the list shows it (no reasons: those are on the grant's page)."""
    return {
        "grant_id": grant.id,
        "person_id": grant.person_id,
        "forenames": grant.forenames,
        "surname": grant.surname,
        "date_of_birth": grant.date_of_birth,
        "badge_number": grant.badge_number,
        "status": grant.status,
        "suspended_locally": grant.suspended_locally,
        "access_type": grant.access_type,
        "valid_until": grant.valid_until,
        "granted_at": grant.decided_at,
        "requested_at": grant.opened_at,
        "review_on": grant.review_on,
        "clearance_expires_at": grant.clearance_expires_at,
        "induction_outstanding": (
            induction_outstanding(grant.induction, grant.access_type)
            if grant.status == APPROVED
            else []
        ),
    }


def _audit(
    session: Session,
    actor: Actor,
    action: str,
    code: str,
    filters: HolderFilters,
    shown: list[Grant],
    moment: datetime,
    **detail: Any,
) -> None:
    audit.record(
        session,
        service="access",
        actor=actor.id,
        actor_kind=actor.kind,
        action=action,
        subject_type="establishment",
        subject_id=code,
        # Filters are statuses, codes and numbers: the detail names nobody but by id.
        detail={
            "filters": filters.given(),
            **detail,
            "found": len(shown),
            "person_ids": [grant.person_id for grant in shown],
        },
        at=moment,
    )


def list_holders(
    session: Session,
    actor: Actor,
    code: str,
    filters: HolderFilters,
    order: Order,
    moment: datetime,
    *,
    page: int = 1,
    size: int = 50,
) -> dict[str, Any]:
    """One page of the establishment's current grants (`page` counts from 1), and whether
    there is another; audited."""
    query = _ordered(_filtered(code, filters, moment), order)
    rows = list(session.execute(query.offset((page - 1) * size).limit(size + 1)).scalars())
    shown = rows[:size]
    _audit(
        session,
        actor,
        "holders.listed",
        code,
        filters,
        shown,
        moment,
        sort=order.sort,
        direction=order.direction,
        page=page,
    )
    return {
        "items": [holder_view(grant) for grant in shown],
        "page": page,
        "size": size,
        "more": len(rows) > size,
        "sort": order.sort,
        "direction": order.direction,
    }


def _csv_rows(grants: Iterable[Grant]) -> Iterable[list[Any]]:
    for grant in grants:
        view = holder_view(grant)
        yield [
            grant.surname,
            grant.forenames,
            grant.date_of_birth.isoformat() if grant.date_of_birth else None,
            grant.badge_number,
            grant.status,
            grant.access_type,
            grant.valid_until.isoformat() if grant.valid_until else None,
            grant.decided_at.isoformat() if grant.decided_at else None,
            grant.review_on.isoformat() if grant.review_on else None,
            " ".join(view["induction_outstanding"]),
            grant.person_id,
            grant.id,
        ]


def export_holders(
    session: Session,
    actor: Actor,
    code: str,
    filters: HolderFilters,
    order: Order,
    moment: datetime,
) -> str:
    """Every grant the filters select, in the order asked, as CSV text (cells a spreadsheet
    would evaluate neutralised); audited with whom it holds."""
    grants = list(session.execute(_ordered(_filtered(code, filters, moment), order)).scalars())
    _audit(session, actor, "holders.exported", code, filters, grants, moment, sort=order.sort)
    return csv_text(CSV_HEADER, _csv_rows(grants))
