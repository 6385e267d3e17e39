"""Finding clearances: by person, id, status, expiry, and by the holder's name and date of
birth.

Names are not encrypted at rest: each case keeps its applicant's forenames and surname in plain
JSON (`vetting_cases.applicant_name`; the rest of the applicant is encrypted), so a name is
matched in the database, on the name given in the application the clearance was issued on:
case-insensitive, from the start ("smi" finds Smith). The date of birth is encrypted, so it is
found through the keyed hashes identity resolution keeps for every person
(`person_identifiers`, kind BIRTH_DATE: vetting.domain.identity): equality only, nothing
decrypted, and the hash of a date names nobody to someone without the key.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from shared.errors import NotFound
from vetting.domain import identity
from vetting.models import Clearance, PersonIdentifier, VettingCase
from vetting.service_layer.queries import clearance_view


def _starts_with(column: Any, text: str) -> ColumnElement[bool]:
    # LIKE with the user's %, _ and \ taken literally. SQLite's lower() folds ASCII only.
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(escaped + "%", escape="\\")


def view(clearance: Clearance, name: dict[str, Any] | None) -> dict[str, Any]:
    return {
        **clearance_view(clearance),
        "holder_name": {
            "forenames": (name or {}).get("forenames"),
            "surname": (name or {}).get("surname"),
        },
    }


def search(
    session: Session,
    moment: datetime,
    identity_key: bytes,
    *,
    clearance_id: str | None = None,
    person_id: str | None = None,
    surname: str | None = None,
    forenames: str | None = None,
    date_of_birth: date | None = None,
    status: str | None = None,
    expiring_before: datetime | None = None,
    expiring_within_days: int | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Clearances matching every filter given, soonest expiry first, each with the name of its
    holder as the application gave it (`holder_name`)."""
    name = VettingCase.applicant_name
    query = (
        select(Clearance, name)
        .join(VettingCase, VettingCase.id == Clearance.case_id)
        .order_by(Clearance.expires_at, Clearance.id)
        .limit(limit)
    )
    if clearance_id:
        query = query.where(Clearance.id == clearance_id)
    if person_id:
        query = query.where(Clearance.person_id == person_id)
    if status:
        query = query.where(Clearance.status == status)
    if expiring_before:
        query = query.where(Clearance.expires_at <= expiring_before)
    if expiring_within_days is not None:
        query = query.where(
            Clearance.expires_at >= moment,
            Clearance.expires_at <= moment + timedelta(days=expiring_within_days),
        )
    if surname:
        query = query.where(_starts_with(name["surname"].as_string(), surname.strip()))
    if forenames:
        query = query.where(_starts_with(name["forenames"].as_string(), forenames.strip()))
    if date_of_birth:
        hashed = identity.digest(identity_key, identity.BIRTH_DATE, date_of_birth.isoformat())
        born = select(PersonIdentifier.person_id).where(
            PersonIdentifier.kind == identity.BIRTH_DATE, PersonIdentifier.digest == hashed
        )
        query = query.where(Clearance.person_id.in_(born))
    return [view(clearance, holder) for clearance, holder in session.execute(query)]


def one(session: Session, clearance_id: str) -> dict[str, Any]:
    """One clearance with its holder's name."""
    found = session.execute(
        select(Clearance, VettingCase.applicant_name)
        .join(VettingCase, VettingCase.id == Clearance.case_id)
        .where(Clearance.id == clearance_id)
    ).first()
    if found is None:
        raise NotFound()
    return view(found[0], found[1])
