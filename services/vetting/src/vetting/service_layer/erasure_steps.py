"""What both erasures do to a case: stop it, blank what it holds about the person, and forget
what matched it to them (service_layer.erasure for the person, service_layer.organisation_erasure
for one organisation's applications).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from vetting.domain.lifecycles.case import CLOSED, CaseState
from vetting.models import (
    CaseUpdate,
    Check,
    IdentityCandidate,
    InformationRequest,
    PersonIdentifier,
    PrisonDecision,
    VettingCase,
)
from vetting.service_layer.case_moves import move


def forget_identity(session: Session, person_id: str | None, case_ids: list[str]) -> int:
    """What recognised the person (their hashed identifiers) and the possible matches that
    name them or their cases: gone, so nobody is ever matched to an erased person."""
    forgotten = 0
    if person_id is not None:
        # A DELETE's result is a CursorResult (it has a rowcount): Session.execute says Result.
        deleted = cast(
            CursorResult[Any],
            session.execute(
                delete(PersonIdentifier).where(PersonIdentifier.person_id == person_id)
            ),
        )
        forgotten = deleted.rowcount or 0
        session.execute(delete(IdentityCandidate).where(IdentityCandidate.person_id == person_id))
    if case_ids:
        session.execute(delete(IdentityCandidate).where(IdentityCandidate.case_id.in_(case_ids)))
    return forgotten


def forget_prison_reasons(session: Session, person_id: str | None) -> int:
    """The establishments' reasons for excluding or revoking the person: blanked (the fact,
    the establishment and the date stay, ids and codes only)."""
    if person_id is None:
        return 0
    blanked = cast(
        CursorResult[Any],
        session.execute(
            sql_update(PrisonDecision)
            .where(PrisonDecision.person_id == person_id, PrisonDecision.reason.is_not(None))
            .values(reason=None)
        ),
    )
    return blanked.rowcount or 0


def close_cases(cases: Iterable[VettingCase], moment: Any) -> int:
    """An undecided case stops as a withdrawal would: with nobody's data left it cannot be
    decided, it must leave the officers' queue, and the check runner must not write a late
    provider answer into it (it drops answers for withdrawn cases)."""
    closed = 0
    for case in cases:
        if case.status not in CLOSED:
            move(case, CaseState.WITHDRAWN, moment)
            case.resume_status = None
            closed += 1
    return closed


def anonymise_case(case: VettingCase) -> bool:
    return assign(
        case,
        applicant=None,
        applicant_name={},
        risk=None,
        refusal=None,
        reconsideration=None,
        override=None,
    )


def anonymise_children(session: Session, case_ids: list[str]) -> dict[str, int]:
    found = {"checks": 0, "case_updates": 0, "information_requests": 0}
    if not case_ids:
        return found
    for check in _of(session, Check, case_ids):
        found["checks"] += assign(
            check,
            result=None,
            late_answer=None,
            error=None,
            provider_reference=None,
            next_attempt_at=None,
        )
    for update in _of(session, CaseUpdate, case_ids):
        found["case_updates"] += assign(update, data={})
    for request in _of(session, InformationRequest, case_ids):
        # Which fields were asked about (paths such as "applicant.addresses") stay; the
        # questions, the reason and the answers talk about the person.
        items = [{"field": item.get("field")} for item in request.items or ()]
        found["information_requests"] += assign(request, items=items, reason="", answers=None)
    return found


def _of(session: Session, model: Any, case_ids: list[str]) -> list[Any]:
    return list(
        session.execute(
            select(model).where(model.case_id.in_(case_ids)).order_by(model.id)
        ).scalars()
    )


def assign(row: Any, **values: Any) -> bool:
    """Assign what differs; True if anything did (what the report counts)."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed
