"""Changes of circumstances an organisation reports: evidence for an officer, never lost.

Each report is kept (the change joins the case's data, the event is on file, and a
`CircumstanceReport` is the officer's review item), however many arrive and whatever state the
case or its clearance is in: nothing here refuses, so nothing is dead-lettered. A report is
unverified, so it does not suspend the person's clearance (shared by every organisation and
prison) by itself: only a change the policy names as immediate does (`suspend_at_once`). The
reporting organisation is told what became of its report (vetting.circumstances_reviewed): an
outcome code when it arrives, and the final one when the officer completes the review.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from shared.handlers import Event
from shared.uow import UnitOfWork
from vetting.domain.actors import Actor
from vetting.domain.circumstances import CHANGE_SECTIONS, REVIEW_OUTCOMES, ReportStatus
from vetting.domain.lifecycles.case import UNDECIDED, CaseState
from vetting.domain.lifecycles.clearance import ClearanceState
from vetting.domain.policy import Policy
from vetting.models import CaseUpdate, CircumstanceReport, Clearance, VettingCase
from vetting.service_layer import checks, clearances, outgoing
from vetting.service_layer.audit_trail import audit_decision
from vetting.service_layer.case_moves import move
from vetting.service_layer.lookups import case_by_application


def record_change(uow: UnitOfWork, event: Event, policy: Policy) -> None:
    """application.circumstances_changed → the change joins the case and its risk is assessed
    again; a cleared case goes to an officer's review (the clearance stays as it is unless the
    policy names the change as immediate)."""
    case = case_by_application(uow.session, event.data["application_id"])
    if case is None:
        return
    report_id = str(event.data.get("report_id") or event.envelope.id)
    if uow.session.get(CircumstanceReport, report_id) is not None:
        return  # the same report twice: kept once
    kind, details = event.data["kind"], dict(event.envelope.data["details"])
    moment = uow.now()
    update = CaseUpdate(
        case_id=case.id, kind="circumstances_changed", data=event.envelope.data, received_at=moment
    )
    uow.session.add(update)
    uow.session.flush()
    report = CircumstanceReport(
        id=report_id,
        case_id=case.id,
        update_id=update.id,
        application_id=case.application_id,
        organisation_id=case.organisation_id,
        clearance_id=case.clearance_id,
        kind=kind,
        immediate=False,
        status=ReportStatus.DONE,
        outcome="NO_LIVE_CLEARANCE",
        received_at=moment,
    )
    uow.session.add(report)
    if case.status != CaseState.WITHDRAWN:
        _join_case(case, kind, details)
        checks.refresh(uow.session, case, policy, moment)
    clearance = uow.session.get(Clearance, case.clearance_id) if case.clearance_id else None
    if case.status in UNDECIDED:
        report.outcome = "IN_VETTING"
    elif (
        case.status in (CaseState.CLEARED, CaseState.REVIEW)
        and clearance is not None
        and clearance.status in clearances.LIVE
    ):
        _review(uow, case, clearance, report, policy, details, moment)
    audit_decision(
        uow,
        Actor.system(),
        "case.circumstances_reported",
        "case",
        case.id,
        detail={
            "report_id": report.id,
            "kind": kind,
            "outcome": report.outcome,
            "immediate": report.immediate,
            "recommendation": (case.risk or {}).get("recommendation"),
            "policy_version": policy.version,
        },
    )
    _tell(uow, report, moment)


def _join_case(case: VettingCase, kind: str, details: dict[str, Any]) -> None:
    section, key = CHANGE_SECTIONS[kind]
    document = dict(case.applicant or {})
    data = dict(document.get("details") or {})
    holder = dict(data.get(section) or {}) if section else data
    holder[key] = [*holder.get(key, []), details]
    if section:
        data[section] = holder
    document["details"] = data
    case.applicant = document


def _review(
    uow: UnitOfWork,
    case: VettingCase,
    clearance: Clearance,
    report: CircumstanceReport,
    policy: Policy,
    details: dict[str, Any],
    moment: Any,
) -> None:
    """The report becomes an item of the case's review; an immediate kind suspends an active
    clearance meanwhile (one already suspended stays so: nothing to refuse)."""
    if case.status == CaseState.CLEARED:
        move(case, CaseState.REVIEW, moment)
        audit_decision(
            uow,
            Actor.system(),
            "case.review_opened",
            "case",
            case.id,
            detail={
                "kind": report.kind,
                "report_id": report.id,
                "recommendation": (case.risk or {}).get("recommendation"),
                "policy_version": policy.version,
            },
        )
    report.status, report.outcome = ReportStatus.OPEN, "UNDER_REVIEW"
    if policy.suspends_at_once(report.kind, details):
        report.immediate, report.outcome = True, "SUSPENDED"
        if clearance.status == ClearanceState.ACTIVE:
            clearances.suspend(
                uow,
                clearance,
                Actor.system(),
                "CHANGE_OF_CIRCUMSTANCES",
                f"{report.kind}: named by the policy as suspending at once",
                moment,
            )


def resolve(
    uow: UnitOfWork, case: VettingCase, review_outcome: str, actor: Actor, moment: Any
) -> None:
    """The officer completed the case's review: every report it held gets its final outcome,
    and each reporting organisation is told."""
    outcome = REVIEW_OUTCOMES[review_outcome]
    for report in uow.session.execute(
        select(CircumstanceReport)
        .where(
            CircumstanceReport.case_id == case.id, CircumstanceReport.status == ReportStatus.OPEN
        )
        .order_by(CircumstanceReport.received_at, CircumstanceReport.id)
    ).scalars():
        report.status, report.outcome = ReportStatus.DONE, outcome
        report.reviewed_at, report.reviewed_by = moment, actor.subject
        _tell(uow, report, moment)


def _tell(uow: UnitOfWork, report: CircumstanceReport, moment: Any) -> None:
    if report.organisation_id is None:
        return  # a case opened before cases recorded their organisation: nobody to tell
    outgoing.circumstances_reviewed(uow, report, moment)


def reports_view(uow_session: Any, case_id: str) -> list[dict[str, Any]]:
    """The case's reports, as the officer sees them beside the changes themselves."""
    return [
        {
            "id": r.id,
            "kind": r.kind,
            "application_id": r.application_id,
            "organisation_id": r.organisation_id,
            "clearance_id": r.clearance_id,
            "immediate": r.immediate,
            "status": r.status,
            "outcome": r.outcome,
            "received_at": r.received_at,
            "reviewed_at": r.reviewed_at,
            "reviewed_by": r.reviewed_by,
        }
        for r in uow_session.execute(
            select(CircumstanceReport)
            .where(CircumstanceReport.case_id == case_id)
            .order_by(CircumstanceReport.received_at, CircumstanceReport.id)
        ).scalars()
    ]
