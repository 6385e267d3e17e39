"""A case's checks: created when it opens, worked by the check runner (never in a web request),
completed by a provider or by an officer; each completion refreshes the risk summary and, once
every check has its result, puts the case in front of an officer."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from shared.errors import Conflict, Invalid, NotFound
from shared.uow import UnitOfWork
from vetting.adapters.providers import CheckRequest, Outcome
from vetting.domain.actors import SYSTEM, Actor
from vetting.domain.identity import IdentityStatus
from vetting.domain.lifecycles.case import DECIDABLE, CaseState
from vetting.domain.lifecycles.check import (
    CHECK,
    RECORD_CHECKS,
    CheckState,
    late_status,
    manual_action,
)
from vetting.domain.lifecycles.check import FINAL as FINAL_CHECK
from vetting.domain.lifecycles.clearance import LIVE
from vetting.domain.policy import Policy
from vetting.domain.risk import assess
from vetting.models import Check, Clearance, VettingCase
from vetting.service_layer import outgoing
from vetting.service_layer.audit_trail import audit_decision
from vetting.service_layer.case_moves import move, wait_on
from vetting.service_layer.lookups import case_for_update, checks_of


def create_checks(
    session: Session, case: VettingCase, providers: dict[str, str], moment: datetime
) -> None:
    """One PENDING check per name the level requires; `providers` maps name → provider name.
    Automatic ones are due at once; a manual one waits for an officer."""
    for name in case.checks or ():
        provider = providers[name]
        session.add(
            Check(
                id=str(uuid.uuid4()),
                case_id=case.id,
                name=name,
                status=CheckState.PENDING,
                provider=provider,
                attempts=0,
                created_at=moment,
                next_attempt_at=None if provider == "manual" else moment,
            )
        )


def check_request(case: VettingCase, check: Check, today: date) -> CheckRequest:
    applicant = dict(case.applicant or {})
    applicant.setdefault("forenames", case.applicant_name.get("forenames"))
    applicant.setdefault("surname", case.applicant_name.get("surname"))
    return CheckRequest(
        case_id=case.id,
        check=check.name,
        attempt=check.attempts + 1,
        applicant=applicant,
        establishments=tuple(case.establishments),
        dbs_level=case.dbs_level,
        today=today,
    )


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def assess_case(
    case: VettingCase, checks: list[Check], policy: Policy, today: date
) -> dict[str, Any]:
    """The risk summary from the declarations, the records the checks found and the
    connections declared or discovered. JSON-ready, stored on the case."""
    details = (case.applicant or {}).get("details") or {}
    declared = details.get("declarations") or {}
    declarations = {
        "convictions": [{**c, "date": _date(c["date"])} for c in declared.get("convictions") or ()],
        "on_licence": bool(declared.get("on_licence")),
        "release_date": _date(declared.get("release_date")),
    }
    records, connections = [], list(details.get("connections") or ())
    for check in checks:
        if check.status not in FINAL_CHECK:
            continue
        # What the officer recorded and what a provider answered late both count: nothing a
        # check found drops out of the assessment because someone else answered first.
        for result in _results(check):
            if check.name in RECORD_CHECKS:
                # The check that found it is the source: the summary lists every check that
                # found one record ("CRIMINAL_RECORD and DBS").
                records += [
                    {**r, "date": _date(r["date"]), "source": check.name}
                    for r in result.get("records") or ()
                ]
            if check.name == "OFFENDER_CONNECTIONS":
                connections += [c for c in result.get("connections") or () if not c.get("declared")]
    summary = assess(
        declarations,
        records,
        connections,
        case.establishments,
        policy,
        today,
        date_of_birth=_date((case.applicant or {}).get("date_of_birth")),
    )
    pending = sorted(c.name for c in checks if c.status not in FINAL_CHECK)
    return {
        "recommendation": summary.recommendation,
        "conditions": list(summary.conditions),
        "rationale": summary.rationale,
        "policy_version": summary.policy_version,
        "factors": [{**asdict(f), "conditions": list(f.conditions)} for f in summary.factors],
        "complete": not pending,
        "checks_pending": pending,
        "assessed_on": today.isoformat(),
        "disagreements": sorted(c.name for c in checks if (c.late_answer or {}).get("disagrees")),
    }


def _results(check: Check) -> list[dict[str, Any]]:
    late = (check.late_answer or {}).get("detail")
    return [check.result or {}, *([late] if late else [])]


def refresh(session: Session, case: VettingCase, policy: Policy, moment: datetime) -> None:
    """After any check changed: new risk summary; all results in → the officer decides;
    otherwise say who the case waits on (the providers, or an officer for manual or
    exhausted checks)."""
    checks = checks_of(session, case.id)
    case.risk = assess_case(case, checks, policy, moment.date())
    waiting = [c for c in checks if c.status not in FINAL_CHECK]
    if (
        case.status == CaseState.INFO_REQUESTED
        and case.resume_status == CaseState.OPEN
        and not waiting
    ):
        case.resume_status = CaseState.AWAITING_DECISION
    if case.status != CaseState.OPEN:
        if case.status in DECIDABLE:
            wait_on(case, "OFFICER", moment)  # or a manager: common.party_for
        return
    if not waiting:
        move(case, CaseState.AWAITING_DECISION, moment)
    elif (
        all(c.next_attempt_at is None for c in waiting)
        or case.identity_status == IdentityStatus.POSSIBLE_MATCH
    ):
        # An officer must record a result, retry, or say who the applicant is.
        wait_on(case, "OFFICER", moment)
    else:
        wait_on(case, "PROVIDER", moment)


def complete(
    uow: UnitOfWork,
    case: VettingCase,
    check: Check,
    outcome: Outcome,
    policy: Policy,
    moment: datetime,
) -> None:
    """The check's result is in (from its provider or an officer: the caller has asked the
    lifecycle table which may)."""
    CHECK.check_move(check.status, outcome.status)
    check.status, check.result = CheckState(outcome.status), dict(outcome.detail)
    check.completed_at, check.next_attempt_at, check.error = moment, None, None
    uow.session.flush()
    outgoing.check_completed(uow, case, check.name, outcome.status, check.provider, moment)
    refresh(uow.session, case, policy, moment)


def _check_for_update(session: Session, case: VettingCase, name: str) -> Check:
    for check in checks_of(session, case.id):
        if check.name == name:
            return check
    raise NotFound(f"This case has no {name} check.")


def record_result(
    uow: UnitOfWork,
    policy: Policy,
    case_id: str,
    name: str,
    actor: Actor,
    status: str,
    summary: str,
    records: list[dict[str, Any]],
) -> Check:
    """An officer records a check's result where no provider will: a manual-provider check,
    or an automatic one that FAILED for good (a provider still working owns its result). A
    record check typed in by hand needs a manager. A result already in is never
    overwritten."""
    case = case_for_update(uow.session, case_id)
    check = _check_for_update(uow.session, case, name)
    if case.status in (CaseState.WITHDRAWN, CaseState.CLEARED, CaseState.REFUSED):
        raise Conflict(f"The case is {case.status.lower()}: its checks are closed.")
    CHECK.step(check.status, manual_action(name, check.provider), actor.roles, status)
    if records and name not in RECORD_CHECKS:
        raise Invalid(
            "Only record checks list records.",
            {"records": [f"Records belong to {' or '.join(RECORD_CHECKS)}."]},
        )
    moment = uow.now()
    detail: dict[str, Any] = {"summary": summary, "recorded_manually": True}
    if name in RECORD_CHECKS:
        detail["records"] = [
            {**r, "date": r["date"].isoformat(), "source": r.get("source") or "MANUAL"}
            for r in records
        ]
    check.recorded_by = actor.id
    check.started_at = check.started_at or moment
    complete(uow, case, check, Outcome(status, detail), policy, moment)
    audit_decision(
        uow,
        actor,
        "check.result_recorded",
        "case",
        case.id,
        reason=summary,
        detail={
            "check": name,
            "outcome": status,
            "records": len(records),
            "policy_version": policy.version,
        },
    )
    return check


def retry(uow: UnitOfWork, policy: Policy, case_id: str, name: str, actor: Actor) -> Check:
    """An officer sends a check that ran out of retries back to its provider."""
    case = case_for_update(uow.session, case_id)
    check = _check_for_update(uow.session, case, name)
    target = CHECK.step(check.status, "retried", actor.roles).target
    moment = uow.now()
    check.status, check.next_attempt_at, check.attempts = target, moment, 0
    refresh(uow.session, case, policy, moment)
    audit_decision(
        uow,
        actor,
        "check.retried",
        "case",
        case.id,
        detail={"check": name, "policy_version": policy.version},
    )
    return check


def late_answer(
    uow: UnitOfWork,
    case: VettingCase,
    check: Check,
    outcome: Outcome,
    policy: Policy,
    moment: datetime,
) -> bool:
    """A provider answered a check whose result is already in. The answer is kept and
    audited; when it disagrees (another status, or other records) the assessment is redone
    and the case goes back to an officer with the disagreement shown. A provider repeating
    its own answer, or a late answer again, is left as it was. True if the answer disagrees."""
    detail = dict(outcome.detail)
    kept = check.late_answer or {}
    if kept.get("status") == outcome.status and kept.get("detail") == detail:
        return False  # this late answer again (a second runner): kept once
    disagrees = outcome.status != check.status or _findings(detail) != _findings(check.result or {})
    if not disagrees and check.recorded_by is None:
        return False  # the provider said the same twice (two runners, one answer)
    target = late_status(check.status, outcome.status)
    CHECK.step(check.status, "late_answer", {SYSTEM}, target)
    check.late_answer = {
        "status": outcome.status,
        "detail": detail,
        "provider": check.provider,
        "received_at": moment.isoformat(),
        "disagrees": disagrees,
    }
    check.status = target
    uow.session.flush()
    audit_decision(
        uow,
        Actor.system(),
        "check.late_answer",
        "case",
        case.id,
        detail={
            "check": check.name,
            "outcome": outcome.status,
            "recorded_by": check.recorded_by,
            "disagrees": disagrees,
            "policy_version": policy.version,
        },
    )
    if disagrees:
        reopen(
            uow,
            case,
            policy,
            moment,
            f"the {check.name} provider answered {outcome.status} after a result was recorded",
        )
    return disagrees


def _findings(result: dict[str, Any]) -> list[Any]:
    """What an assessment reads from a result, in a comparable order."""
    found = [*(result.get("records") or ()), *(result.get("connections") or ())]
    return sorted(
        (str(r.get("offence") or r.get("name")), str(r.get("date") or r.get("establishment")))
        for r in found
    )


def reopen(uow: UnitOfWork, case: VettingCase, policy: Policy, moment: datetime, why: str) -> None:
    """New evidence on a case: the risk summary is redone and the case is in front of an
    officer again. A cleared case whose clearance is live goes to review (the clearance stays
    as it is until the officer decides); any other closed case keeps the evidence on file."""
    refresh(uow.session, case, policy, moment)
    clearance = uow.session.get(Clearance, case.clearance_id) if case.clearance_id else None
    if case.status == CaseState.CLEARED and clearance is not None and clearance.status in LIVE:
        move(case, CaseState.REVIEW, moment)
        audit_decision(
            uow,
            Actor.system(),
            "case.review_opened",
            "case",
            case.id,
            reason=why,
            detail={
                "recommendation": (case.risk or {}).get("recommendation"),
                "policy_version": policy.version,
            },
        )
    elif case.status not in (
        CaseState.CLEARED,
        CaseState.WITHDRAWN,
        CaseState.REFUSED,
        CaseState.OPEN,
        CaseState.INFO_REQUESTED,
    ):
        wait_on(case, "OFFICER", moment)


def backoff(attempts: int, base_s: float, cap_s: float) -> timedelta:
    """Exponential: base, 2 x base, 4 x base ... capped."""
    return timedelta(seconds=min(cap_s, base_s * 2 ** max(attempts - 1, 0)))
