"""Clearing against the risk summary takes two people.

A clearance that goes against the recommendation (REFER or REFUSE), or with conditions weaker
than the summary's, is proposed by one officer and takes effect only when a manager who is not
the proposer countersigns it; a manager may instead send it back. The reasons are recorded and
audited like a refusal's.
"""

from __future__ import annotations

from typing import Any

from shared.errors import Conflict, Forbidden
from shared.uow import UnitOfWork
from vetting.domain.actors import MANAGER_ROLE, Actor
from vetting.domain.conditions import Terms
from vetting.domain.lifecycles.case import CaseState
from vetting.domain.policy import Policy
from vetting.models import Clearance, VettingCase
from vetting.service_layer.audit_trail import audit_decision
from vetting.service_layer.case_moves import move, take
from vetting.service_layer.lookups import case_for_update

AGAINST = ("REFER", "REFUSE")


def needed(case: VettingCase, conditions: list[str]) -> list[str]:
    """Why clearing this case on these conditions overrides the risk summary ([] if not)."""
    risk = case.risk or {}
    recommendation = risk.get("recommendation")
    why = []
    if recommendation in AGAINST:
        why.append(f"the risk summary recommends {recommendation}")
    missing = sorted(set(risk.get("conditions") or ()) - set(conditions))
    if missing:
        why.append(f"the risk summary's conditions are left out: {', '.join(missing)}")
    return why


def propose(
    uow: UnitOfWork,
    policy: Policy,
    case: VettingCase,
    actor: Actor,
    level: str,
    conditions: list[str],
    reason: str,
    why: list[str],
    terms: Terms,
) -> VettingCase:
    moment = uow.now()
    case.override = {
        "terms": terms.as_dict(),
        "proposed_by": actor.subject,
        "proposed_at": moment.isoformat(),
        "level": level,
        "conditions": sorted(conditions),
        "reason": reason,
        "recommendation": (case.risk or {}).get("recommendation"),
        "why": why,
        "from_status": case.status,
    }
    move(case, CaseState.CLEARANCE_PENDING, moment)
    audit_decision(
        uow,
        actor,
        "case.override_proposed",
        "case",
        case.id,
        reason=reason,
        private={"conditions": sorted(conditions)},
        detail={
            "level": level,
            "recommendation": case.override["recommendation"],
            "policy_version": policy.version,
        },
    )
    return case


def countersign(
    uow: UnitOfWork,
    policy: Policy,
    case_id: str,
    actor: Actor,
    confirm: bool,
    note: str,
    issue: Any,
) -> VettingCase | Clearance:
    """A manager who did not propose it confirms the clearance (`issue` grants it) or sends
    it back to the queue."""
    case = case_for_update(uow.session, case_id)
    if MANAGER_ROLE not in actor.roles:
        raise Forbidden("Only a vetting manager can countersign a clearance.")
    if case.status != CaseState.CLEARANCE_PENDING or not case.override:
        raise Conflict(
            "This case has no clearance waiting for countersignature.",
            {"status": [f"The case is {case.status}."]},
        )
    proposal = dict(case.override)
    take(
        case,
        "clearance_countersigned" if confirm else "clearance_rejected",
        actor,
        proposal.get("from_status") or CaseState.AWAITING_DECISION,
    )
    if actor.is_one_of(proposal.get("proposed_by")):
        raise Forbidden("You proposed this clearance: a different officer must countersign it.")
    refusal = case.refusal or {}
    if proposal.get("from_status") == CaseState.RECONSIDERATION and actor.is_one_of(
        refusal.get("proposed_by"), refusal.get("countersigned_by")
    ):
        raise Forbidden(
            "You took part in the refusal: a manager who did not countersigns its reconsideration."
        )
    moment = uow.now()
    audit_decision(
        uow,
        actor,
        "case.override_countersigned" if confirm else "case.override_rejected",
        "case",
        case.id,
        reason=note,
        detail={"proposed_by": proposal.get("proposed_by"), "policy_version": policy.version},
    )
    if not confirm:
        case.override = None
        move(case, proposal.get("from_status") or CaseState.AWAITING_DECISION, moment)
        return case
    case.override = {
        **proposal,
        "countersigned_by": actor.subject,
        "countersigned_at": moment.isoformat(),
        "note": note,
    }
    move(case, proposal.get("from_status") or CaseState.AWAITING_DECISION, moment)
    return issue(case, proposal, moment)
