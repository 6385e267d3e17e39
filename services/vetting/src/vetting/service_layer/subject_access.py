"""Everything vetting holds on a person, for a subject access request (shared.web.subject_access).

Asked by the person id or by any one of their application ids, vetting answers for the whole
person: the person record, every case (applicant document, checks with their results, risk
summary, information requests and answers, what the organisation sent, refusal and
reconsideration, and the decisions in the audit log), every clearance with its history, and the
person id and all their application ids, so that the other services can be asked about each.
A case from before people were matched (no person id) is answered on its own.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from shared.web.subject_access import Period, audit_history, unique
from vetting.models import Clearance, Person, VettingCase
from vetting.service_layer import history
from vetting.service_layer.queries import case_view, clearance_view


def gather(
    session: Session,
    identifier: str,
    from_date: date | None,
    to_date: date | None,
    moment: datetime,
) -> dict[str, Any] | None:
    person = session.get(Person, identifier)
    if person is not None:
        cases = _cases(session, VettingCase.person_id == person.id)
    else:
        case = session.execute(
            select(VettingCase).where(VettingCase.application_id == identifier)
        ).scalar_one_or_none()
        if case is None:
            return None
        person = session.get(Person, case.person_id) if case.person_id else None
        cases = _cases(session, VettingCase.person_id == person.id) if person else [case]
    mine: list[ColumnElement[bool]] = [Clearance.case_id.in_([c.id for c in cases])]
    if person is not None:
        mine.append(Clearance.person_id == person.id)
    clearances = list(
        session.execute(
            select(Clearance).where(or_(*mine)).order_by(Clearance.issued_at, Clearance.id)
        ).scalars()
    )
    period = Period.of(from_date, to_date)
    return {
        "person": {"id": person.id, "match_key": person.match_key, "created_at": person.created_at}
        if person
        else None,
        "application_ids": unique(c.application_id for c in cases),
        "cases": [
            _case(session, case, period, moment)
            for case in cases
            if period.overlaps(case.opened_at, case.updated_at, case.closed_at)
        ],
        "clearances": [
            {**clearance_view(c), "history": audit_history(session, "clearance", c.id, period)}
            for c in clearances
            if period.overlaps(c.issued_at, c.updated_at)
        ],
        # The prisons' exclusions and revocations of them, with the prisons' reasons.
        "prison_decisions": [
            decision
            for decision in history.prison_decisions(session, person.id if person else None)
            if period.contains(decision["decided_at"])
        ],
    }


def _cases(session: Session, where: Any) -> list[VettingCase]:
    return list(
        session.execute(
            select(VettingCase).where(where).order_by(VettingCase.opened_at, VettingCase.id)
        ).scalars()
    )


def _case(session: Session, case: VettingCase, period: Period, moment: Any) -> dict[str, Any]:
    view = case_view(session, case.id, moment)
    view["checks_detail"] = [
        check
        for check in view["checks_detail"]
        if period.overlaps(check["created_at"], check["started_at"], check["completed_at"])
    ]
    view["information_requests"] = [
        request
        for request in view["information_requests"]
        if period.overlaps(request["requested_at"], request["answered_at"])
    ]
    view["updates"] = [
        update for update in view["updates"] if period.contains(update["received_at"])
    ]
    view["organisation_id"] = case.organisation_id
    view["renewal_of"] = case.renewal_of
    # Officers' decisions, with who made them and why (the audit log's account of the case).
    view["history"] = audit_history(session, "case", case.id, period)
    return view
