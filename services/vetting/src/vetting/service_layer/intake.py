"""What the applications service tells vetting: a submission opens a case (or is served by the
person's existing clearance), answers return a case to its officer, a withdrawal stops it, a
reconsideration request reopens a refusal (a change of circumstances: service_layer.
circumstances).

Every handler is safe to run twice and in any order: the inbox stops true duplicates, and each
handler checks the case's state before it acts (a response after a withdrawal is kept on file,
never revives the case).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from shared.handlers import Event
from shared.reference import Establishment
from shared.uow import UnitOfWork
from vetting.domain.actors import Actor
from vetting.domain.lifecycles.case import CLOSED, CaseState
from vetting.domain.policy import Policy
from vetting.domain.policy.levels import required_level
from vetting.domain.simulation import SIMULATED_PROVIDERS
from vetting.models import CaseUpdate, InformationRequest, VettingCase
from vetting.service_layer import checks, clearances, history, identity, information, outgoing
from vetting.service_layer.audit_trail import audit_decision
from vetting.service_layer.case_moves import move
from vetting.service_layer.lookups import case_by_application, checks_of

ProviderChoice = Callable[[str, Mapping[str, Any], "str | None"], str]


def open_case(
    uow: UnitOfWork,
    event: Event,
    policy: Policy,
    establishments: Mapping[str, Establishment],
    provider_for: ProviderChoice,
    identity_key: bytes,
) -> None:
    """application.submitted → a case at the level the policy requires, once per application;
    served at once by the person's active clearance when that already covers the request and
    the applicant is surely that person (service_layer.identity)."""
    data = event.data
    application_id = str(data["application_id"])
    if case_by_application(uow.session, application_id) is not None:
        return
    applicant = data["applicant"]
    document = {
        "forenames": applicant["forenames"],
        "surname": applicant["surname"],
        "middle_names": applicant.get("middle_names"),
        "email": applicant["email"],
        "date_of_birth": _iso(applicant.get("date_of_birth")),
        "details": applicant.get("details") or {},
    }
    resolution = identity.resolve(uow, identity_key, document)
    decision = required_level(
        policy,
        data["requested_access"],
        data["frequency"],
        [establishments[c] for c in data["establishments"] if c in establishments],
    )
    moment = uow.now()
    case = VettingCase(
        id=str(uuid.uuid4()),
        application_id=application_id,
        status=CaseState.OPEN,
        applicant_name={"forenames": applicant["forenames"], "surname": applicant["surname"]},
        role=data["role"],
        establishments=data["establishments"],
        requested_access=data["requested_access"],
        frequency=data["frequency"],
        opened_at=moment,
        updated_at=moment,
        required_level=decision.level,
        checks=list(decision.checks),
        dbs_level=decision.dbs_level,
        policy_version=policy.version,
        person_id=resolution.person.id,
        organisation_id=str(data["organisation_id"]),
        renewal_of=str(data["renewal_of"]) if data.get("renewal_of") else None,
        applicant=document,
        waiting_on="PROVIDER",
        waiting_since=moment,
        waited_s={},
    )
    identity.mark(case, identity.RESOLVED, resolution.method, "system", moment)
    # The person's history shows on the case; with any, it is vetted afresh and decided only
    # after a manager has acknowledged that history (service_layer.history).
    case.history = history.flags(uow.session, case) or None
    # A clearance serves the case only when the applicant is surely its holder.
    sure = resolution.method in identity.SURE
    existing = (
        None
        if case.renewal_of or not sure or case.history
        else clearances.covering(uow.session, policy, case, moment)
    )
    if existing is not None:
        case.checks = []
    uow.session.add(case)
    uow.session.flush()
    if identity.offer(uow.session, case, resolution.candidates, moment):
        identity.mark(case, identity.POSSIBLE_MATCH, resolution.method, "system", moment)
    chosen = {name: provider_for(name, document, decision.dbs_level) for name in case.checks or ()}
    checks.create_checks(uow.session, case, chosen, moment)
    outgoing.case_opened(uow, case, moment)
    audit_decision(
        uow,
        Actor.system(),
        "case.opened",
        "case",
        case.id,
        detail={
            "required_level": decision.level,
            "dbs_level": decision.dbs_level,
            "reasons": list(decision.reasons),
            "policy_version": policy.version,
            "served_by_clearance": existing.id if existing else None,
            "history": [f"{flag['kind']}:{flag['ref']}" for flag in case.history or ()],
            "identity": resolution.method,
            "possible_matches": len(resolution.candidates),
            # Checks answered without asking anyone (allowed outside the embedded mode only by
            # VETTING_ALLOW_SIMULATED=1): every case's record says so.
            "simulated_checks": sorted(
                name for name, provider in chosen.items() if provider in SIMULATED_PROVIDERS
            ),
        },
    )
    if existing is not None:
        clearances.serve_from_existing(uow, policy, case, existing, moment)
    else:
        checks.refresh(uow.session, case, policy, moment)


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _record(uow: UnitOfWork, case: VettingCase, kind: str, event: Event) -> None:
    uow.session.add(
        CaseUpdate(case_id=case.id, kind=kind, data=event.envelope.data, received_at=uow.now())
    )


def close_withdrawn_case(uow: UnitOfWork, event: Event) -> None:
    """application.withdrawn → the case stops; its checks are no longer worked."""
    case = case_by_application(uow.session, event.data["application_id"])
    if case is None:
        return
    _record(uow, case, "withdrawn", event)
    if case.status in CLOSED or case.status == CaseState.REVIEW:
        return  # decided already: the decision stands, the withdrawal is on file
    moment = uow.now()
    move(case, CaseState.WITHDRAWN, moment)
    for check in checks_of(uow.session, case.id):
        check.next_attempt_at = None
    audit_decision(
        uow, Actor.system(), "case.withdrawn", "case", case.id, reason=event.data.get("reason")
    )


def record_information(uow: UnitOfWork, event: Event, policy: Policy) -> None:
    """application.info_provided → the answers join the case; with every request answered,
    the case goes back to where the request interrupted it."""
    case = case_by_application(uow.session, event.data["application_id"])
    if case is None:
        return
    _record(uow, case, "info_provided", event)
    request = uow.session.get(InformationRequest, str(event.data["request_id"]))
    if request is not None and request.case_id == case.id and request.answered_at is None:
        request.answers = event.envelope.data["answers"]
        request.answered_at = event.data["provided_at"]
    # Withdrawn, or answered twice: kept on file, nothing moves.
    information.resume_when_answered(uow.session, case, policy, uow.now())


def open_reconsideration(uow: UnitOfWork, event: Event) -> None:
    """application.reconsideration_requested → a refused case goes back to an officer, once;
    a different officer from those who refused it decides."""
    case = case_by_application(uow.session, event.data["application_id"])
    if case is None:
        return
    _record(uow, case, "reconsideration_requested", event)
    if case.status != CaseState.REFUSED or case.reconsideration is not None:
        return  # not refused (yet), or asked before: on file, nothing moves
    moment = uow.now()
    case.reconsideration = {
        "grounds": event.data["grounds"],
        "requested_at": _iso(event.data["requested_at"]),
    }
    move(case, CaseState.RECONSIDERATION, moment)
    audit_decision(
        uow,
        Actor.system(),
        "case.reconsideration_opened",
        "case",
        case.id,
        reason=event.data["grounds"],
    )
