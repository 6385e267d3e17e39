"""An organisation's erasure request: what that organisation supplied goes, nothing else.

application.erasure_requested (scope ORGANISATION) → the organisation's applications for the
person (the one named, and any other of theirs vetting linked to the same person) stop and are
anonymised, with what the organisation sent, the checks' results and the questions asked; the
person, their clearance, other organisations' applications and the audit keys of the person and
the clearance are untouched (erasing the person is the data protection officer's decision).
Vetting then reports `vetting.applications_erased` with those application ids only — no
person id, so no other service learns who else vouches for them.

Safe to re-run, as the person-wide erasure is: a second request finds nothing left to blank.
"""

from __future__ import annotations

from sqlalchemy import select

from shared import erasure
from shared.audit import log as audit
from shared.handlers import Event
from shared.uow import UnitOfWork
from vetting.models import VettingCase
from vetting.service_layer import outgoing
from vetting.service_layer.erasure_steps import (
    anonymise_case,
    anonymise_children,
    close_cases,
    forget_identity,
)


def erase_for_organisation(uow: UnitOfWork, event: Event) -> None:
    session, moment = uow.session, uow.now()
    erasure_id = str(event.data["erasure_id"])
    application_id = str(event.data["application_id"])
    named = session.execute(
        select(VettingCase).where(VettingCase.application_id == application_id).with_for_update()
    ).scalar_one_or_none()
    organisation_id = str(event.data.get("organisation_id") or "") or (
        named.organisation_id if named else None
    )
    cases = [named] if named is not None else []
    if named is not None and named.person_id and organisation_id:
        cases = list(
            session.execute(
                select(VettingCase)
                .where(
                    VettingCase.person_id == named.person_id,
                    VettingCase.organisation_id == organisation_id,
                )
                .order_by(VettingCase.id)
                .with_for_update()
            ).scalars()
        )
    application_ids = sorted({application_id, *(case.application_id for case in cases)})
    case_ids = [case.id for case in cases]
    counts = {
        "cases_closed": close_cases(cases, moment),
        "cases": sum(anonymise_case(case) for case in cases),
        **anonymise_children(session, case_ids),
    }
    forget_identity(session, None, case_ids)
    erasure.forget_audit_subjects(session, {"case": case_ids, "person": application_ids})
    counts.update(erasure.purge_copies(session, [*application_ids, *case_ids]))
    erasure.remember_erased(session, application_ids, erasure_id, moment)
    audit.record(
        session,
        service="vetting",
        actor="system",
        actor_kind=audit.SYSTEM,
        action="applications.erased",
        subject_type="erasure",
        subject_id=erasure_id,
        detail={"counts": counts, "scope": "ORGANISATION"},
        at=moment,
    )
    outgoing.applications_erased(uow, erasure_id, application_ids, counts, moment)
