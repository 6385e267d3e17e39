"""Reads: the officers' queue, one case in full, clearances, the service-level report."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session, defer

from shared.audit import log as audit
from shared.errors import Invalid, NotFound
from shared.pagination import decode_cursor, encode_cursor
from vetting.adapters.bank_holidays import england_and_wales
from vetting.domain.identity import IdentityStatus
from vetting.domain.lifecycles.case import CLOSED, CaseState
from vetting.domain.service_levels import CaseTimes, age_s, report, waits_s
from vetting.models import CaseUpdate, Check, Clearance, InformationRequest, VettingCase
from vetting.service_layer import circumstances, history, identity_view
from vetting.service_layer.case_moves import history_pending


def _times(case: VettingCase) -> CaseTimes:
    return CaseTimes(
        case.id,
        case.required_level,
        case.status,
        case.opened_at,
        case.closed_at,
        case.waiting_on,
        case.waiting_since,
        case.waited_s or {},
    )


def check_view(check: Check) -> dict[str, Any]:
    return {
        "name": check.name,
        "status": check.status,
        "provider": check.provider,
        "provider_reference": check.provider_reference,
        "attempts": check.attempts,
        "created_at": check.created_at,
        "started_at": check.started_at,
        "completed_at": check.completed_at,
        "next_attempt_at": check.next_attempt_at,
        "result": check.result,
        "error": check.error,
        "recorded_by": check.recorded_by,
        "late_answer": check.late_answer,
    }


def summary_view(case: VettingCase, moment: datetime) -> dict[str, Any]:
    risk = case.risk or {}
    calendar = england_and_wales()
    return {
        "id": case.id,
        "application_id": case.application_id,
        "status": case.status,
        "applicant_name": case.applicant_name,
        "role": case.role,
        "establishments": case.establishments,
        "requested_access": case.requested_access,
        "frequency": case.frequency,
        "opened_at": case.opened_at,
        "closed_at": case.closed_at,
        "required_level": case.required_level,
        "checks": case.checks,
        "policy_version": case.policy_version,
        "person_id": case.person_id,
        "recommendation": risk.get("recommendation"),
        "waiting_on": case.waiting_on,
        "waiting_since": case.waiting_since,
        "age_s": age_s(_times(case), moment),
        "waited_s": waits_s(_times(case), moment),
        # England and Wales working days: from opening to closing (or now), and this wait.
        "age_working_days": calendar.working_days_between(case.opened_at, case.closed_at or moment),
        "waiting_working_days": (
            calendar.working_days_between(case.waiting_since, moment)
            if case.waiting_since and not case.closed_at
            else None
        ),
        "clearance_id": case.clearance_id,
        "identity_status": case.identity_status,
        "waiting_reason": waiting_reason(case),
        "history": case.history,
        "history_acknowledged": case.history_acknowledged,
        "assigned_to": case.assigned_to,
        "assigned_at": case.assigned_at,
    }


def waiting_reason(case: VettingCase) -> str | None:
    """Why the case waits for an officer or a manager, when something other than a decision
    is due: a countersignature or the person's history (the manager's), a possible match (the
    officer's)."""
    if case.status in (CaseState.REFUSAL_PENDING, CaseState.CLEARANCE_PENDING):
        return "COUNTERSIGNATURE"
    if case.identity_status == IdentityStatus.POSSIBLE_MATCH and case.waiting_on == "OFFICER":
        return "POSSIBLE_MATCH"
    if case.waiting_on in ("OFFICER", "MANAGER") and history_pending(case):
        return "HISTORY"
    return None


# The queue's filter for the cases nobody has taken.
NOBODY = "nobody"

LIST_DEFERRED = (
    defer(VettingCase.applicant),
    defer(VettingCase.refusal),
    defer(VettingCase.reconsideration),
    defer(VettingCase.override),
)


def list_cases(
    session: Session,
    moment: datetime,
    *,
    status: str | None = None,
    open_only: bool = False,
    level: str | None = None,
    waiting_on: str | None = None,
    older_than_days: int | None = None,
    application_id: str | None = None,
    assigned_to: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> dict[str, Any]:
    """The queue: oldest first, filtered by state, level, party, age and who works the case
    (`assigned_to`: a staff subject, or NOBODY for the cases nobody has taken), or only the
    undecided (`open_only`); keyset pages."""
    # Not the encrypted documents the summary does not show: each would be decrypted per row
    # (the applicant document alone was most of a page's CPU; bench/scale.py).
    query = select(VettingCase).options(*LIST_DEFERRED)
    if status:
        query = query.where(VettingCase.status == status)
    if open_only:
        query = query.where(VettingCase.status.not_in(sorted(CLOSED)))
    if level:
        query = query.where(VettingCase.required_level == level)
    if waiting_on:
        query = query.where(VettingCase.waiting_on == waiting_on)
    if older_than_days is not None:
        query = query.where(VettingCase.opened_at <= moment - timedelta(days=older_than_days))
    if application_id:
        query = query.where(VettingCase.application_id == application_id)
    if assigned_to == NOBODY:
        query = query.where(VettingCase.assigned_to.is_(None))
    elif assigned_to:
        query = query.where(VettingCase.assigned_to == assigned_to)
    if cursor:
        try:
            opened_at, last_id = decode_cursor(cursor)
        except ValueError as exc:
            raise Invalid("Not a valid cursor.", {"cursor": [str(exc)]}) from exc
        query = query.where(tuple_(VettingCase.opened_at, VettingCase.id) > (opened_at, last_id))
    rows = list(
        session.execute(
            query.order_by(VettingCase.opened_at, VettingCase.id).limit(limit + 1)
        ).scalars()
    )
    page, more = rows[:limit], len(rows) > limit
    return {
        "items": [summary_view(case, moment) for case in page],
        "next_cursor": encode_cursor(page[-1].opened_at, page[-1].id) if more else None,
    }


def case_view(session: Session, case_id: str, moment: datetime) -> dict[str, Any]:
    """Everything an officer needs to decide: checks with their results, the risk summary,
    information requests and answers, what the organisation sent, the refusal trail."""
    case = session.get(VettingCase, case_id)
    if case is None:
        raise NotFound()
    checks = session.execute(
        select(Check).where(Check.case_id == case.id).order_by(Check.created_at, Check.name)
    ).scalars()
    requests = session.execute(
        select(InformationRequest)
        .where(InformationRequest.case_id == case.id)
        .order_by(InformationRequest.requested_at)
    ).scalars()
    updates = session.execute(
        select(CaseUpdate).where(CaseUpdate.case_id == case.id).order_by(CaseUpdate.id)
    ).scalars()
    return {
        **summary_view(case, moment),
        "applicant": case.applicant,
        "dbs_level": case.dbs_level,
        "checks_detail": [check_view(c) for c in checks],
        "risk": case.risk,
        "information_requests": [
            {
                "id": r.id,
                "items": r.items,
                "reason": r.reason,
                "due_by": r.due_by,
                "requested_by": r.requested_by,
                "requested_at": r.requested_at,
                "answers": r.answers,
                "answered_at": r.answered_at,
                "sensitive": r.sensitive,
            }
            for r in requests
        ],
        "updates": [
            {"kind": u.kind, "data": u.data, "received_at": u.received_at} for u in updates
        ],
        "refusal": case.refusal,
        "reconsideration": case.reconsideration,
        "override": case.override,
        "identity": identity_view.view(session, case),
        "circumstance_reports": circumstances.reports_view(session, case.id),
        # As it stands now (the queue's copy follows it while the case is undecided:
        # history.person_changed).
        "history": history.flags(session, case) or None,
        # The establishments' exclusions and revocations, with their reasons: evidence.
        "prison_decisions": history.prison_decisions(session, case.person_id),
    }


def clearance_view(clearance: Clearance) -> dict[str, Any]:
    return {
        "id": clearance.id,
        "person_id": clearance.person_id,
        "case_id": clearance.case_id,
        "application_id": clearance.application_id,
        "level": clearance.level,
        "access": clearance.access,
        "conditions": clearance.conditions,
        "custom_conditions": clearance.custom_conditions or [],
        "review_on": clearance.review_on,
        "establishments": clearance.establishments,
        "status": clearance.status,
        "issued_at": clearance.issued_at,
        "expires_at": clearance.expires_at,
        "policy_version": clearance.policy_version,
        "issued_by": clearance.issued_by,
        "reminders_sent": clearance.reminders_sent,
        "suspension_reason": clearance.suspension_reason,
        "replaces_id": clearance.replaces_id,
    }


def cases_report(
    session: Session, moment: datetime, opened_since: datetime | None
) -> dict[str, Any]:
    # Only the columns the figures need: the report reads every case in the window.
    query = select(
        VettingCase.id,
        VettingCase.required_level,
        VettingCase.status,
        VettingCase.opened_at,
        VettingCase.closed_at,
        VettingCase.waiting_on,
        VettingCase.waiting_since,
        VettingCase.waited_s,
    )
    if opened_since:
        query = query.where(VettingCase.opened_at >= opened_since)
    return report(
        (
            CaseTimes(
                row.id,
                row.required_level,
                row.status,
                row.opened_at,
                row.closed_at,
                row.waiting_on,
                row.waiting_since,
                row.waited_s or {},
            )
            for row in session.execute(query)
        ),
        moment,
        calendar=england_and_wales(),
    )


def audit_trail(session: Session, subject_type: str, subject_id: str) -> list[dict[str, Any]]:
    if subject_type == "case" and session.get(VettingCase, subject_id) is None:
        raise NotFound()
    if subject_type == "clearance" and session.get(Clearance, subject_id) is None:
        raise NotFound()
    return audit.entries(
        session, subject_type=subject_type, subject_id=subject_id, reads=False, limit=500
    )
