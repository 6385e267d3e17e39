"""Decisions by people. The risk summary recommends; an officer decides. A refusal, and a
clearance against the recommendation (service_layer.overrides), take effect only when a
second, different officer with the manager role countersigns; a reconsideration is decided by
an officer who took no part in the refusal. Each decision writes
its audit entry (who, when, what, why, policy version) in the same transaction.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from shared.clock import london_date
from shared.errors import Conflict, Forbidden, Invalid
from shared.uow import UnitOfWork
from vetting.domain.actors import MANAGER_ROLE, Actor
from vetting.domain.conditions import Terms, excluded, terms_problems
from vetting.domain.identity import IdentityStatus
from vetting.domain.lifecycles.case import DECIDABLE, CaseState
from vetting.domain.lifecycles.clearance import ClearanceState
from vetting.domain.policy import Policy
from vetting.domain.risk import ESCORTED_ONLY, EXCLUDE
from vetting.models import Clearance, InformationRequest, VettingCase
from vetting.service_layer import circumstances, clearances, history, outgoing, overrides
from vetting.service_layer.audit_trail import audit_decision
from vetting.service_layer.case_moves import move, take
from vetting.service_layer.lookups import case_for_update

WHY_NOT: dict[str, str] = {
    CaseState.OPEN: "its checks are still running",
    CaseState.INFO_REQUESTED: (
        "it is waiting for information (from the organisation, or from the "
        "volunteer for a sensitive request)"
    ),
    CaseState.REFUSAL_PENDING: "a refusal is waiting for countersignature",
    CaseState.CLEARANCE_PENDING: "a clearance is waiting for countersignature",
    CaseState.REVIEW: "it is under review after a change of circumstances (use /review)",
}


def _decidable(case: VettingCase, what: str) -> None:
    if case.status not in DECIDABLE:
        why = WHY_NOT.get(case.status, f"it is {case.status.lower()}")
        raise Conflict(
            f"This case cannot be {what} now: {why}.", {"status": [f"The case is {case.status}."]}
        )
    if case.identity_status == IdentityStatus.POSSIBLE_MATCH:
        raise Conflict(
            f"This case cannot be {what} now: the applicant may be someone vetting "
            "already knows. Link or separate the possible match first."
        )


def _not_party_to_refusal(case: VettingCase, actor: Actor) -> None:
    if case.status == CaseState.RECONSIDERATION:
        refusal = case.refusal or {}
        if actor.is_one_of(refusal.get("proposed_by"), refusal.get("countersigned_by")):
            raise Forbidden(
                "You took part in the refusal: a different officer decides the reconsideration."
            )


def _validate_conditions(case: VettingCase, conditions: list[str]) -> None:
    bad = [
        c
        for c in conditions
        if c != ESCORTED_ONLY
        and not (c.startswith(EXCLUDE) and c.removeprefix(EXCLUDE) in case.establishments)
    ]
    if bad:
        raise Invalid(
            "Unknown conditions.",
            {
                "conditions": [
                    f"{c!r} is not a condition: use {ESCORTED_ONLY} or {EXCLUDE}<a requested "
                    f"establishment: {', '.join(case.establishments)}>."
                    for c in bad
                ]
            },
        )
    if set(case.establishments) <= excluded(conditions):
        raise Invalid(
            "Every requested establishment would be excluded.",
            {"conditions": ["Leave at least one requested establishment, or refuse."]},
        )


def _validate_terms(uow: UnitOfWork, policy: Policy, level: str, terms: Terms) -> None:
    moment = uow.now()
    months = policy.level(level).validity_months
    problems = terms_problems(
        terms,
        policy.managed_conditions,
        policy.other_condition_max_length,
        months,
        london_date(moment),
        london_date(clearances.expiry(moment, terms.validity_months or months)),
    )
    if problems:
        raise Invalid("The clearance's terms are not valid.", problems)


def clear(
    uow: UnitOfWork,
    policy: Policy,
    case_id: str,
    actor: Actor,
    level: str | None,
    conditions: list[str],
    reason: str,
    terms: Terms | None = None,
) -> Clearance | VettingCase:
    """Clear the case at `level` (default: the level it requires) with conditions and the
    officer's terms: the clearance, or the case waiting for a manager when that overrides the
    risk summary."""
    terms = terms or Terms()
    case = case_for_update(uow.session, case_id)
    _decidable(case, "cleared")
    _not_party_to_refusal(case, actor)
    level = level or case.required_level or policy.levels[0].name
    ranks = {lvl.name: lvl.rank for lvl in policy.levels}
    if level not in ranks:
        raise Invalid("Unknown level.", {"level": [f"One of {', '.join(ranks)}."]})
    if ranks[level] < ranks.get(case.required_level or "", 0):
        raise Invalid(
            "Level too low.", {"level": [f"This request needs at least {case.required_level}."]}
        )
    _validate_conditions(case, conditions)
    _validate_terms(uow, policy, level, terms)
    history.require_acknowledged(uow.session, case, "cleared")
    why = overrides.needed(case, conditions)
    if _overturns_countersigned_refusal(case) and MANAGER_ROLE not in actor.roles:
        why.append("it overturns a refusal a manager countersigned")
    if why:
        take(case, "clearance_proposed", actor)
        return overrides.propose(uow, policy, case, actor, level, conditions, reason, why, terms)
    take(
        case,
        "overturn_countersigned_refusal" if _overturns_countersigned_refusal(case) else "clear",
        actor,
    )
    return _issue(uow, policy, case, actor, level, conditions, reason, terms)


def _overturns_countersigned_refusal(case: VettingCase) -> bool:
    return case.status == CaseState.RECONSIDERATION and bool(
        (case.refusal or {}).get("countersigned_by")
    )


def countersign_clearance(
    uow: UnitOfWork, policy: Policy, case_id: str, actor: Actor, confirm: bool, note: str
) -> Clearance | VettingCase:
    """A manager confirms (the clearance is issued) or rejects a clearance proposed against
    the risk summary."""

    def issue(case: VettingCase, proposal: dict[str, Any], _moment: Any) -> Clearance:
        proposer = Actor(proposal["proposed_by"], "STAFF")
        return _issue(
            uow,
            policy,
            case,
            proposer,
            proposal["level"],
            list(proposal["conditions"]),
            proposal["reason"],
            Terms.from_dict(proposal.get("terms")),
            countersigned_by=actor,
        )

    return overrides.countersign(uow, policy, case_id, actor, confirm, note, issue)


def _issue(
    uow: UnitOfWork,
    policy: Policy,
    case: VettingCase,
    actor: Actor,
    level: str,
    conditions: list[str],
    reason: str,
    terms: Terms,
    countersigned_by: Actor | None = None,
) -> Clearance:
    moment = uow.now()
    was = case.status
    # Again at issue: a countersignature may come after the person's history changed.
    history.require_acknowledged(uow.session, case, "cleared")
    clearance = clearances.grant(uow, policy, case, actor, level, conditions, moment, terms)
    if was == CaseState.RECONSIDERATION:
        case.reconsideration = {
            **(case.reconsideration or {}),
            "outcome": CaseState.CLEARED,
            "decided_by": actor.subject,
            "decided_at": moment.isoformat(),
        }
    move(case, CaseState.CLEARED, moment)
    case.policy_version = policy.version
    audit_decision(
        uow,
        countersigned_by or actor,
        "case.cleared",
        "case",
        case.id,
        reason=reason,
        private={
            "conditions": sorted(conditions),
            "custom_conditions": clearance.custom_conditions,
        },
        detail={
            "level": level,
            "clearance_id": clearance.id,
            "review_on": clearance.review_on.isoformat() if clearance.review_on else None,
            "proposed_by": actor.subject,
            "countersigned_by": countersigned_by.subject if countersigned_by else None,
            "expires_at": clearance.expires_at.isoformat(),
            "on_reconsideration": was == CaseState.RECONSIDERATION,
            "recommendation": (case.risk or {}).get("recommendation"),
            "policy_version": policy.version,
        },
    )
    return clearance


def propose_refusal(
    uow: UnitOfWork, policy: Policy, case_id: str, actor: Actor, reasons: list[str]
) -> VettingCase:
    """An officer proposes a refusal (nothing is sent yet); on a reconsideration the deciding
    officer upholds the refusal directly."""
    case = case_for_update(uow.session, case_id)
    _decidable(case, "refused")
    _not_party_to_refusal(case, actor)
    moment = uow.now()
    take(
        case,
        "refusal_upheld" if case.status == CaseState.RECONSIDERATION else "refusal_proposed",
        actor,
    )
    if case.status == CaseState.RECONSIDERATION:
        case.reconsideration = {
            **(case.reconsideration or {}),
            "outcome": "UPHELD",
            "decided_by": actor.subject,
            "decided_at": moment.isoformat(),
            "reasons": reasons,
        }
        move(case, CaseState.REFUSED, moment)
        _refused(uow, case, moment, reconsidered=True)
        audit_decision(
            uow,
            actor,
            "case.refusal_upheld",
            "case",
            case.id,
            reason="; ".join(reasons),
            detail={"policy_version": policy.version},
        )
        return case
    case.refusal = {
        "proposed_by": actor.subject,
        "proposed_at": moment.isoformat(),
        "reasons": reasons,
    }
    move(case, CaseState.REFUSAL_PENDING, moment)
    audit_decision(
        uow,
        actor,
        "case.refusal_proposed",
        "case",
        case.id,
        reason="; ".join(reasons),
        detail={
            "recommendation": (case.risk or {}).get("recommendation"),
            "policy_version": policy.version,
        },
    )
    return case


def countersign(
    uow: UnitOfWork, policy: Policy, case_id: str, actor: Actor, confirm: bool, note: str
) -> VettingCase:
    """A manager who did not propose it confirms the refusal (it takes effect) or rejects it
    (the case goes back to the queue)."""
    case = case_for_update(uow.session, case_id)
    if MANAGER_ROLE not in actor.roles:
        raise Forbidden("Only a vetting manager can countersign a refusal.")
    take(case, "refusal_countersigned" if confirm else "refusal_rejected", actor)
    refusal = dict(case.refusal or {})
    if actor.is_one_of(refusal.get("proposed_by")):
        raise Forbidden("You proposed this refusal: a different officer must countersign it.")
    moment = uow.now()
    if confirm:
        case.refusal = {
            **refusal,
            "countersigned_by": actor.subject,
            "countersigned_at": moment.isoformat(),
            "note": note,
        }
        move(case, CaseState.REFUSED, moment)
        case.policy_version = policy.version
        _refused(uow, case, moment, reconsidered=False)
    else:
        case.refusal = None
        move(case, CaseState.AWAITING_DECISION, moment)
    audit_decision(
        uow,
        actor,
        "case.refusal_countersigned" if confirm else "case.refusal_rejected",
        "case",
        case.id,
        reason=note,
        private={"reasons": refusal.get("reasons")},
        detail={"proposed_by": refusal.get("proposed_by"), "policy_version": policy.version},
    )
    return case


def _refused(uow: UnitOfWork, case: VettingCase, moment: Any, *, reconsidered: bool) -> None:
    history.person_changed(uow.session, case.person_id, moment)
    outgoing.clearance_refused(uow, case, moment, reconsidered=reconsidered)


def request_information(
    uow: UnitOfWork,
    policy: Policy,
    case_id: str,
    actor: Actor,
    items: list[dict[str, Any]],
    reason: str,
    due_by: date | None,
    sensitive: bool = False,
) -> InformationRequest:
    """Ask the organisation (through the applications service) for what is missing; a
    sensitive request goes to the volunteer alone (service_layer.information records their
    answer)."""
    case = case_for_update(uow.session, case_id)
    take(case, "information_requested", actor)
    moment = uow.now()
    request = InformationRequest(
        id=str(uuid.uuid4()),
        case_id=case.id,
        items=items,
        reason=reason,
        due_by=due_by.isoformat() if due_by else None,
        requested_by=actor.id,
        requested_at=moment,
        sensitive=sensitive,
    )
    uow.session.add(request)
    if case.status != CaseState.INFO_REQUESTED:
        case.resume_status = case.status
        move(case, CaseState.INFO_REQUESTED, moment)
    outgoing.info_requested(uow, case, request, items, reason, sensitive, moment)
    outgoing.info_request_announced(uow, case, request, items, sensitive, moment)
    audit_decision(
        uow,
        actor,
        "case.information_requested",
        "case",
        case.id,
        reason=reason,
        detail={
            "request_id": request.id,
            "items": len(items),
            "sensitive": sensitive,
            "policy_version": policy.version,
        },
    )
    return request


REVIEW_OUTCOMES = ("CONTINUE", "SUSPEND", "REVOKE")


def complete_review(
    uow: UnitOfWork, policy: Policy, case_id: str, actor: Actor, outcome: str, reason: str
) -> VettingCase:
    """After a change of circumstances: the clearance continues (reinstated if it was
    suspended), stays suspended, or is revoked (managers only)."""
    case = case_for_update(uow.session, case_id)
    take(case, "review_completed", actor)
    if outcome == "REVOKE" and MANAGER_ROLE not in actor.roles:
        raise Forbidden("Only a vetting manager can revoke a clearance.")
    if (
        outcome == "CONTINUE"
        and (case.risk or {}).get("recommendation") == "REFUSE"
        and MANAGER_ROLE not in actor.roles
    ):
        raise Forbidden(
            "The review assessed REFUSE: only a vetting manager can let the clearance continue."
        )
    clearance = clearances.clearance_for_update(uow.session, case.clearance_id or "")
    moment = uow.now()
    if outcome == "CONTINUE" and clearance.status == ClearanceState.SUSPENDED:
        clearances.reinstate(uow, clearance, actor, reason, moment)
    elif outcome == "SUSPEND" and clearance.status == ClearanceState.ACTIVE:
        clearances.suspend(uow, clearance, actor, "OFFICER_DECISION", reason, moment)
    elif outcome == "REVOKE":
        clearances.revoke(uow, clearance, actor, reason, moment)
    move(case, CaseState.CLEARED, moment)
    circumstances.resolve(uow, case, outcome, actor, moment)
    audit_decision(
        uow,
        actor,
        "case.review_completed",
        "case",
        case.id,
        reason=reason,
        detail={
            "outcome": outcome,
            "clearance_status": clearance.status,
            "policy_version": policy.version,
        },
    )
    return case
