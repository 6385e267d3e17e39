"""What retention purges in the access service (the mechanics: `shared.retention`).

- closed_grants: a grant REFUSED, ENDED or REVOKED for longer than
  RETENTION_CLOSED_APPLICANT_MONTHS (its clock: `updated_at`, the last change, which is the
  decision or what vetting's news did to it) loses the person's name, date of birth and badge
  number (in the induction record too) and the establishment's stated reason, its review
  items (they name the person) and its badge photo. An EXCLUDED grant
  keeps all of it until its review date, so the gate still recognises and turns away the
  person; its period counts from the later of the decision and the review date. The grant's
  visits (the on-site register) go with it, and so does any copy of the decision's evidence
  for vetting (access.decision_evidence, which carries the reason) still in the outbox.

What stays: the person's id (a new clearance reopens the same grant and copies the name back),
the establishment, status, terms, the clearance's level and dates, the induction's items and
dates, and the decision's dates and decider. The gate answers from the status alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, or_

from access.domain.lifecycle import GrantState
from access.domain.people import set_names
from access.models import Grant, Visit
from access.service_layer import photos
from access.service_layer.erasure import deleted
from access.service_layer.review_items import forget_items
from shared.db import outbox_table
from shared.retention import CLOSED_APPLICANT, Purge, without

CLOSED = (GrantState.REFUSED, GrantState.ENDED, GrantState.REVOKED)
EXCLUDED = GrantState.EXCLUDED
PERSONAL = ("forenames", "surname", "date_of_birth", "badge_number", "status_reason")


def _closed(cutoff: datetime) -> tuple[Any, ...]:
    return (
        or_(
            Grant.status.in_(CLOSED),
            and_(Grant.status == EXCLUDED, Grant.review_on < cutoff.date()),
        ),
    )


def purge_grant(session: Any, grant: Grant) -> dict[str, Any]:
    fields = [name for name in PERSONAL if getattr(grant, name) is not None]
    for name in fields:
        setattr(grant, name, None)
    set_names(grant, grant.forenames, grant.surname)
    if forget_items(session, [grant.id]):
        fields.append("review_items")
    if photos.forget(session, [grant.id]):
        fields.append("photo")
    if deleted(session, delete(Visit).where(Visit.grant_id == grant.id)):
        fields.append("visits")
    if deleted(session, _evidence_copies(grant.id)):
        fields.append("evidence_copy")
    induction = {
        item: without(entry, ("badge_number",)) for item, entry in (grant.induction or {}).items()
    }
    if induction != (grant.induction or {}):
        grant.induction = induction
        fields.append("induction.badge_number")
    return {"fields": fields, "status": grant.status, "establishment": grant.establishment_code}


def _evidence_copies(grant_id: str) -> Any:
    """The outbox's copies of the grant's evidence for vetting (they carry the reason)."""
    return delete(outbox_table).where(
        outbox_table.c.event_type == "access.decision_evidence",
        outbox_table.c.mentions.contains(grant_id.lower(), autoescape=True),
    )


PURGES = (
    Purge(
        name="closed_grants",
        action="retention.grant_anonymised",
        subject_type="grant",
        model=Grant,
        period=CLOSED_APPLICANT,
        decided_at=Grant.updated_at.expression,
        purge=purge_grant,
        where=_closed,
    ),
)
