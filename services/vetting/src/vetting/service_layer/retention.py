"""What retention purges in the vetting service (the mechanics: `shared.retention`).

A case's clock is its `closed_at`: the decision (cleared, refused, a reconsideration decided, a
review completed) or the withdrawal. A case reopened for review or reconsideration has none, so
nothing of it is purged until it is decided again.

- check_details (RETENTION_CHECK_DETAILS_MONTHS after that): every check's result, the risk
  summary's factors and rationale (the recommendation stays), the declarations and connections
  in the case's copy of the applicant document, what the organisation sent (answers, changes,
  grounds: case updates keep their kind and dates), information requests' questions and
  answers, the refusal's reasons and note, a countersigned clearance's reason, conditions and
  note, and the reconsideration's grounds and reasons (who
  proposed, countersigned and decided, and when, stay: a reconsideration is still decided by
  someone who took no part in the refusal).
- closed_applicants (RETENTION_CLOSED_APPLICANT_MONTHS after a refusal or withdrawal): the
  case's applicant document and name, and the providers' references, with everything above.
- people: a person's recognition key (surname, forenames, date of birth) once every case of
  theirs is a refusal or withdrawal past that period and no clearance of theirs is live. A
  person with a live case, or a clearance, keeps it: it is how a new application finds their
  clearance.

What stays: status, role, requested access, frequency, establishments, levels, checks' names,
providers and outcomes, dates, service-level times, the policy version, and clearances.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select
from sqlalchemy.orm import Session

from shared.retention import (
    CHECK_DETAILS,
    CLOSED_APPLICANT,
    Purge,
    dropped_keys,
    empty_information_request,
    only,
    without,
)
from vetting.domain.lifecycles.case import CaseState
from vetting.models import (
    CaseUpdate,
    Check,
    Clearance,
    InformationRequest,
    Person,
    PersonIdentifier,
    VettingCase,
)
from vetting.service_layer.clearances import LIVE

DECIDED = (CaseState.CLEARED, CaseState.REFUSED, CaseState.WITHDRAWN)
CLOSED = (CaseState.REFUSED, CaseState.WITHDRAWN)
CHECK_DETAIL_SECTIONS = ("declarations", "connections")
RISK_KEPT = ("recommendation", "complete", "policy_version", "assessed_on")
REFUSAL_KEPT = ("proposed_by", "proposed_at", "countersigned_by", "countersigned_at")
RECONSIDERATION_KEPT = ("requested_at", "decided_by", "decided_at", "outcome")
OVERRIDE_KEPT = (
    "proposed_by",
    "proposed_at",
    "countersigned_by",
    "countersigned_at",
    "level",
    "recommendation",
    "from_status",
)
UPDATE_KEPT = (
    "application_id",
    "request_id",
    "kind",
    "reported_at",
    "provided_at",
    "withdrawn_at",
    "requested_at",
)
ANONYMISED = "anonymised:"


def _rows(session: Session, model: Any, case: VettingCase) -> list[Any]:
    return list(session.execute(select(model).where(model.case_id == case.id)).scalars())


def purge_check_details(session: Session, case: VettingCase) -> dict[str, Any]:
    fields = []
    applicant = case.applicant or {}
    details = applicant.get("details") or {}
    kept = without(details, CHECK_DETAIL_SECTIONS)
    if kept != details:
        case.applicant = {**applicant, "details": kept}
        fields += [f"applicant.details.{name}" for name in dropped_keys(details, kept)]
    for name, keep in (
        ("risk", RISK_KEPT),
        ("refusal", REFUSAL_KEPT),
        ("reconsideration", RECONSIDERATION_KEPT),
        ("override", OVERRIDE_KEPT),
    ):
        before = getattr(case, name)
        after = only(before, keep)
        if after != before:
            setattr(case, name, after)
            fields += [f"{name}.{key}" for key in dropped_keys(before, after)]
    checks = 0
    for check in _rows(session, Check, case):
        if check.result is not None or check.late_answer is not None:
            check.result, check.late_answer, checks = None, None, checks + 1
    updates = 0
    for update in _rows(session, CaseUpdate, case):
        data = only(update.data, UPDATE_KEPT)
        if data != update.data:
            update.data, updates = data, updates + 1
    requests = sum(
        empty_information_request(request) for request in _rows(session, InformationRequest, case)
    )
    return {
        "fields": fields,
        "check_results": checks,
        "case_updates": updates,
        "information_requests": requests,
    }


def anonymise_applicant(session: Session, case: VettingCase) -> dict[str, Any]:
    detail = purge_check_details(session, case)
    if case.applicant is not None:
        case.applicant = None
        detail["fields"].append("applicant")
    if case.applicant_name:
        case.applicant_name = {}
        detail["fields"].append("applicant_name")
    references = 0
    for check in _rows(session, Check, case):
        if check.provider_reference is not None:
            check.provider_reference, references = None, references + 1
    return {**detail, "provider_references": references}


def anonymise_person(session: Session, person: Person) -> dict[str, Any]:
    """Nothing of theirs left to recognise them by: a later application is a new person."""
    if person.match_key.startswith(ANONYMISED):
        return {"fields": []}
    person.match_key = ANONYMISED + person.id
    # A DELETE's result is a CursorResult (it has a rowcount): Session.execute says Result.
    deleted = cast(
        CursorResult[Any],
        session.execute(delete(PersonIdentifier).where(PersonIdentifier.person_id == person.id)),
    )
    identifiers = deleted.rowcount or 0
    return {"fields": ["match_key"], "identifiers": identifiers}


PERSON_LAST_CLOSED = (
    select(func.max(VettingCase.closed_at))
    .where(VettingCase.person_id == Person.id)
    .correlate(Person)
    .scalar_subquery()
)


def _person_not_needed(_cutoff: Any) -> tuple[Any, ...]:
    other_case = (
        select(VettingCase.id)
        .where(VettingCase.person_id == Person.id, VettingCase.status.not_in(CLOSED))
        .exists()
    )
    live_clearance = (
        select(Clearance.id)
        .where(Clearance.person_id == Person.id, Clearance.status.in_(LIVE))
        .exists()
    )
    return ~other_case, ~live_clearance


PURGES = (
    Purge(
        name="check_details",
        action="retention.check_details_purged",
        subject_type="case",
        model=VettingCase,
        period=CHECK_DETAILS,
        decided_at=VettingCase.closed_at.expression,
        purge=purge_check_details,
        where=lambda _cutoff: (VettingCase.status.in_(DECIDED),),
    ),
    Purge(
        name="closed_applicants",
        action="retention.applicant_anonymised",
        subject_type="case",
        model=VettingCase,
        period=CLOSED_APPLICANT,
        decided_at=VettingCase.closed_at.expression,
        purge=anonymise_applicant,
        where=lambda _cutoff: (VettingCase.status.in_(CLOSED),),
    ),
    Purge(
        name="people",
        action="retention.person_anonymised",
        subject_type="person",
        model=Person,
        period=CLOSED_APPLICANT,
        decided_at=PERSON_LAST_CLOSED,
        purge=anonymise_person,
        where=_person_not_needed,
    ),
)
