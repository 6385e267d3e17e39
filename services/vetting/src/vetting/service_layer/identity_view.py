"""What an officer sees of the applicant's identity on a case: how they were recognised, and
each possible match beside them (never a full document number: the last characters only)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from vetting.domain import identity
from vetting.models import Clearance, IdentityCandidate, VettingCase


def view(session: Session, case: VettingCase) -> dict[str, Any]:
    """How the applicant was recognised, and each possible match beside them: the candidate's
    latest case (name, date and place of birth, previous names, documents by type and last
    four characters) and their clearances, with why they match."""
    candidates = []
    for candidate in session.execute(
        select(IdentityCandidate)
        .where(IdentityCandidate.case_id == case.id)
        .order_by(IdentityCandidate.created_at, IdentityCandidate.person_id)
    ).scalars():
        latest = session.execute(
            select(VettingCase)
            .where(VettingCase.person_id == candidate.person_id, VettingCase.id != case.id)
            .order_by(VettingCase.opened_at.desc())
            .limit(1)
        ).scalar_one_or_none()
        held = session.execute(
            select(Clearance)
            .where(Clearance.person_id == candidate.person_id)
            .order_by(Clearance.issued_at)
        ).scalars()
        candidates.append(
            {
                "person_id": candidate.person_id,
                "status": candidate.status,
                "reasons": candidate.reasons,
                "decided_by": candidate.decided_by,
                "decided_at": candidate.decided_at,
                "matched_names": _shared_names(
                    case.applicant, latest.applicant if latest else None
                ),
                "record": _record(latest.applicant if latest else None),
                "case_id": latest.id if latest else None,
                "clearances": [
                    {"id": c.id, "level": c.level, "status": c.status, "expires_at": c.expires_at}
                    for c in held
                ],
            }
        )
    return {
        "status": case.identity_status,
        "method": case.identity_method,
        "by": case.identity_by,
        "at": case.identity_at,
        "person_id": case.person_id,
        "applicant": _record(case.applicant),
        "candidates": candidates,
    }


def _record(applicant: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not applicant:
        return None
    details = applicant.get("details") or {}
    ni_number = str(details.get("national_insurance_number") or "")
    return {
        "forenames": applicant.get("forenames"),
        "middle_names": applicant.get("middle_names"),
        "surname": applicant.get("surname"),
        "date_of_birth": applicant.get("date_of_birth"),
        "place_of_birth": details.get("place_of_birth"),
        "previous_names": [
            {"forenames": n.get("forenames"), "surname": n.get("surname")}
            for n in details.get("previous_names") or ()
        ],
        "identity_documents": [
            {
                "type": d.get("type"),
                "ending": str(d.get("number") or "")[-4:],
                "expiry": d.get("expiry"),
            }
            for d in details.get("identity_documents") or ()
        ],
        "national_insurance_number_ending": ni_number[-3:] or None,
        "addresses": [
            {
                "town": a.get("town"),
                "postcode": a.get("postcode"),
                "country": a.get("country"),  # set for an address abroad
                "from_date": a.get("from_date"),
                "to_date": a.get("to_date"),
            }
            for a in details.get("addresses") or ()
        ],
    }


def _shared_names(mine: Mapping[str, Any] | None, theirs: Mapping[str, Any] | None) -> list[str]:
    """The names, current or previous, the two records have in common (as the first wrote
    them): e.g. the previous surname that makes a married name a possible match."""

    def names(applicant: Mapping[str, Any] | None) -> dict[str, str]:
        if not applicant:
            return {}
        found = {identity.fold(applicant.get("surname")): str(applicant.get("surname") or "")}
        for previous in (applicant.get("details") or {}).get("previous_names") or ():
            found[identity.fold(previous.get("surname"))] = str(previous.get("surname") or "")
        return {key: value for key, value in found.items() if key}

    mine_names, theirs_names = names(mine), names(theirs)
    return sorted(mine_names[key] for key in mine_names.keys() & theirs_names.keys())
