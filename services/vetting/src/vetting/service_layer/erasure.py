"""Erasure in vetting, as the data protection officer asks it (scope PERSON):
application.erasure_requested → the person behind the application loses their clearances,
then everything vetting holds about them, and vetting
reports with `vetting.person_erased`, listing every application of theirs for the other
services to act on (only vetting links a person's applications across organisations).

Order matters: access is ended first (every live clearance REVOKED, reason ERASURE), so no
gate lets the person in on vetting's word. No vetting.clearance_revoked is emitted: access
ends its grants on vetting.person_erased, and nobody is to be told anything about the person.

What stays, for anonymised statistics: the rows, with their statuses, role, access, frequency,
levels, establishments, dates, service-level times, policy version and the checks' names,
providers and outcomes. What goes: names, date of birth, the applicant document, the risk
summary, refusal, reconsideration, check results and provider references, what the
organisation sent, information requests' questions and answers, clearance conditions, and
the person's recognition key.

Safe to re-run: the inbox stops a redelivery, and a second request for the same person finds
everything blank already, changes nothing and reports zeros (it still reports, so its request
completes). Safe to interrupt: one transaction, the consumer's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from shared import erasure
from shared.audit import log as audit
from shared.handlers import Event
from shared.uow import UnitOfWork
from vetting.domain.actors import SYSTEM
from vetting.domain.lifecycles.clearance import CLEARANCE
from vetting.models import (
    Clearance,
    Person,
    VettingCase,
)
from vetting.service_layer import outgoing
from vetting.service_layer.clearances import LIVE
from vetting.service_layer.erasure_steps import (
    anonymise_case,
    anonymise_children,
    assign,
    close_cases,
    forget_identity,
    forget_prison_reasons,
)

REASON_CODE = "ERASURE"
# The person's key once erased ("person:<id>" before): nothing identifying.
ERASED_KEY = "erased:"


def erase_person(uow: UnitOfWork, event: Event) -> None:
    """application.erasure_requested (scope PERSON, for the data protection officer): revoke,
    anonymise, forget, report. An organisation's request: service_layer.organisation_erasure."""
    session, moment = uow.session, uow.now()
    erasure_id = str(event.data["erasure_id"])
    application_id = str(event.data["application_id"])
    first = session.execute(
        select(VettingCase).where(VettingCase.application_id == application_id)
    ).scalar_one_or_none()
    person_id = first.person_id if first is not None else None
    person = None
    if person_id is not None:
        # Locked first: a second erasure of the same person (through another application)
        # waits for this one instead of interleaving with it.
        person = session.execute(
            select(Person).where(Person.id == person_id).with_for_update()
        ).scalar_one()
    cases = _cases(session, person_id, first)
    application_ids = sorted({application_id, *(case.application_id for case in cases)})
    clearances = _clearances(session, person_id, [case.id for case in cases])

    counts = {
        "clearances_revoked": _revoke(session, clearances, moment),
        "clearances": sum(assign(c, conditions=[], custom_conditions=None) for c in clearances),
        "cases_closed": close_cases(cases, moment),
        "cases": sum(anonymise_case(case) for case in cases),
        **anonymise_children(session, [case.id for case in cases]),
        "people": int(person is not None and assign(person, match_key=ERASED_KEY + person.id)),
        "identifiers": forget_identity(session, person_id, [c.id for c in cases]),
        "prison_reasons": forget_prison_reasons(session, person_id),
    }
    subjects = {
        "case": [c.id for c in cases],
        "clearance": [c.id for c in clearances],
        "person": [i for i in (person_id, *application_ids) if i],
    }
    counts["audit_keys"] = erasure.forget_audit_subjects(session, subjects)
    counts.update(
        erasure.purge_copies(
            session, [*subjects["person"], *subjects["case"], *subjects["clearance"]]
        )
    )
    erasure.remember_erased(
        session, [i for i in (person_id, *application_ids) if i], erasure_id, moment
    )
    audit.record(
        session,
        service="vetting",
        actor="system",
        actor_kind=audit.SYSTEM,
        action="person.erased",
        subject_type="erasure",
        subject_id=erasure_id,
        detail={"counts": counts},
        at=moment,
    )
    outgoing.person_erased(uow, erasure_id, person_id, application_ids, counts, moment)


def _cases(session: Session, person_id: str | None, first: VettingCase | None) -> list[VettingCase]:
    """Every case of the person (any organisation, any application), locked."""
    if first is None:
        return []
    where = (
        VettingCase.person_id == person_id if person_id is not None else VettingCase.id == first.id
    )
    return list(
        session.execute(
            select(VettingCase).where(where).order_by(VettingCase.id).with_for_update()
        ).scalars()
    )


def _clearances(session: Session, person_id: str | None, case_ids: list[str]) -> list[Clearance]:
    if not case_ids:
        return []
    return list(
        session.execute(
            select(Clearance)
            .where(or_(Clearance.person_id == person_id, Clearance.case_id.in_(case_ids)))
            .order_by(Clearance.id)
            .with_for_update()
        ).scalars()
    )


def _revoke(session: Session, clearances: Iterable[Clearance], moment: Any) -> int:
    revoked = 0
    for clearance in clearances:
        if clearance.status in LIVE:
            clearance.status = CLEARANCE.step(clearance.status, "erase", {SYSTEM}).target
            clearance.suspension_reason = REASON_CODE
            clearance.updated_at = moment
            audit.record(
                session,
                service="vetting",
                actor="system",
                actor_kind=audit.SYSTEM,
                action="clearance.revoked",
                subject_type="clearance",
                subject_id=clearance.id,
                detail={"reason_code": REASON_CODE},
                at=moment,
            )
            revoked += 1
    return revoked
