"""Every event vetting publishes, built here, one function per event type: what each carries,
and who may read it (the organisation's copies leave out why vetting asks, who the person is
and which establishment excludes them)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from shared import erasure
from shared.events import Envelope
from shared.uow import UnitOfWork
from vetting.domain.circumstances import ReportStatus
from vetting.domain.conditions import (
    connection_establishments,
    excluded,
    organisation_conditions,
)
from vetting.models import CircumstanceReport, Clearance, InformationRequest, VettingCase


def case_opened(uow: UnitOfWork, case: VettingCase, moment: datetime) -> Envelope:
    return uow.emit(
        "vetting.case_opened",
        subject=case.application_id,
        data={
            "case_id": case.id,
            "application_id": case.application_id,
            "establishments": case.establishments,
            "requested_access": case.requested_access,
            "opened_at": moment.isoformat(),
            "required_level": case.required_level,
            "checks": case.checks,
        },
    )


def check_completed(
    uow: UnitOfWork,
    case: VettingCase,
    check_name: str,
    outcome: str,
    provider: str,
    moment: datetime,
) -> Envelope:
    return uow.emit(
        "vetting.check_completed",
        subject=case.application_id,
        data={
            "case_id": case.id,
            "application_id": case.application_id,
            "check": check_name,
            "outcome": outcome,
            "provider": provider,
            "completed_at": moment.isoformat(),
        },
    )


def clearance_granted(uow: UnitOfWork, case: VettingCase, clearance: Clearance) -> Envelope:
    """Access's copy: who the person is (for the gate), where they may go, and where they
    declared a connection with someone held (the establishment only, never who)."""
    establishments = [c for c in case.establishments if c not in excluded(clearance.conditions)]
    return uow.emit(
        "vetting.clearance_granted",
        subject=case.application_id,
        data={
            "case_id": case.id,
            "application_id": case.application_id,
            "clearance_id": clearance.id,
            "level": clearance.level,
            "access": clearance.access,
            "conditions": clearance.conditions,
            "establishments": establishments,
            "connection_establishments": connection_establishments(case.applicant, establishments),
            "issued_at": clearance.issued_at.isoformat(),
            "expires_at": clearance.expires_at.isoformat(),
            "person_id": clearance.person_id,
            "replaces_clearance_id": clearance.replaces_id,
            "forenames": case.applicant_name.get("forenames"),
            "surname": case.applicant_name.get("surname"),
            "date_of_birth": (case.applicant or {}).get("date_of_birth"),
            "custom_conditions": clearance.custom_conditions or [],
            "review_on": clearance.review_on.isoformat() if clearance.review_on else None,
        },
    )


def application_cleared(uow: UnitOfWork, case: VettingCase, clearance: Clearance) -> Envelope:
    """The organisation's copy, apart: a queue receives whole messages, and access alone needs
    who the person is (for the gate) and which establishments exclude them."""
    return uow.emit(
        "vetting.application_cleared",
        subject=case.application_id,
        data={
            "case_id": case.id,
            "application_id": case.application_id,
            "clearance_id": clearance.id,
            "level": clearance.level,
            "access": clearance.access,
            "conditions": organisation_conditions(clearance.conditions),
            "issued_at": clearance.issued_at.isoformat(),
            "expires_at": clearance.expires_at.isoformat(),
        },
    )


def clearance_announced(uow: UnitOfWork, case: VettingCase, clearance: Clearance) -> Envelope:
    """What the volunteer and the coordinator are told, apart: no conditions, no person."""
    return uow.emit(
        "vetting.clearance_announced",
        subject=case.application_id,
        data={
            "application_id": case.application_id,
            "clearance_id": clearance.id,
            "level": clearance.level,
            "issued_at": clearance.issued_at.isoformat(),
            "expires_at": clearance.expires_at.isoformat(),
        },
    )


def _change(clearance: Clearance) -> dict[str, Any]:
    return {
        "clearance_id": clearance.id,
        "application_id": clearance.application_id,
        "person_id": clearance.person_id,
    }


def clearance_suspended(
    uow: UnitOfWork, clearance: Clearance, reason_code: str, moment: datetime
) -> Envelope:
    # The volunteer and the coordinator are told apart, without the reason's code.
    uow.emit(
        "vetting.clearance_suspension_announced",
        subject=clearance.application_id,
        data={
            "clearance_id": clearance.id,
            "application_id": clearance.application_id,
            "suspended_at": moment.isoformat(),
        },
    )
    return uow.emit(
        "vetting.clearance_suspended",
        subject=clearance.application_id,
        data={
            **_change(clearance),
            "reason": reason_code,
            "suspended_at": moment.isoformat(),
            "suspension_id": clearance.suspension_id,
        },
    )


def clearance_reinstated(
    uow: UnitOfWork, clearance: Clearance, lifted: str, moment: datetime
) -> Envelope:
    """`lifted`: the suspension this lifts (consumers lift that one only)."""
    return uow.emit(
        "vetting.clearance_reinstated",
        subject=clearance.application_id,
        data={**_change(clearance), "reinstated_at": moment.isoformat(), "suspension_id": lifted},
    )


def clearance_revoked(uow: UnitOfWork, clearance: Clearance, moment: datetime) -> Envelope:
    return uow.emit(
        "vetting.clearance_revoked",
        subject=clearance.application_id,
        data={**_change(clearance), "revoked_at": moment.isoformat()},
    )


def clearance_expired(uow: UnitOfWork, clearance: Clearance) -> Envelope:
    return uow.emit(
        "vetting.clearance_expired",
        subject=clearance.application_id,
        data={**_change(clearance), "expired_at": clearance.expires_at.isoformat()},
    )


def clearance_expiring(uow: UnitOfWork, clearance: Clearance, days_before: int) -> Envelope:
    return uow.emit(
        "vetting.clearance_expiring",
        subject=clearance.application_id,
        data={
            **_change(clearance),
            "expires_at": clearance.expires_at.isoformat(),
            "days_before": days_before,
        },
    )


def information_chased(
    uow: UnitOfWork, case: VettingCase, request: InformationRequest, lapses_on: date
) -> Envelope:
    return uow.emit(
        "vetting.information_chased",
        subject=case.application_id,
        data={
            "case_id": case.id,
            "application_id": case.application_id,
            "request_id": request.id,
            "due_by": request.due_by,
            "requested_at": request.requested_at.isoformat(),
            "chased_at": (request.chased_at or request.requested_at).isoformat(),
            "sensitive": bool(request.sensitive),
            "lapses_on": lapses_on.isoformat(),
        },
    )


def clearance_refused(
    uow: UnitOfWork, case: VettingCase, moment: datetime, *, reconsidered: bool
) -> Envelope:
    return uow.emit(
        "vetting.clearance_refused",
        subject=case.application_id,
        data={
            "case_id": case.id,
            "application_id": case.application_id,
            "refused_at": moment.isoformat(),
            "reconsidered": reconsidered,
        },
    )


def info_requested(
    uow: UnitOfWork,
    case: VettingCase,
    request: InformationRequest,
    items: list[dict[str, Any]],
    reason: str,
    sensitive: bool,
    moment: datetime,
) -> Envelope:
    return uow.emit(
        "vetting.info_requested",
        subject=case.application_id,
        data={
            "case_id": case.id,
            "application_id": case.application_id,
            "request_id": request.id,
            "items": items,
            "reason": reason,
            "due_by": request.due_by,
            "requested_at": moment.isoformat(),
            "sensitive": sensitive,
        },
    )


def info_request_announced(
    uow: UnitOfWork,
    case: VettingCase,
    request: InformationRequest,
    items: list[dict[str, Any]],
    sensitive: bool,
    moment: datetime,
) -> Envelope:
    """The organisation's service's copy, apart: a queue receives whole messages, and the reason
    can name what the checks found. A sensitive request's questions travel apart from `items`,
    for the volunteer alone (the applications service shows them only on the volunteer's
    pages)."""
    return uow.emit(
        "vetting.info_request_announced",
        subject=case.application_id,
        data={
            "case_id": case.id,
            "application_id": case.application_id,
            "request_id": request.id,
            "items": [] if sensitive else items,
            # A sensitive request's questions, for the volunteer's own pages in the portal: the
            # applications service keeps them encrypted and never shows them to the organisation.
            "volunteer_items": items if sensitive else [],
            "due_by": request.due_by,
            "requested_at": moment.isoformat(),
            "sensitive": sensitive,
        },
    )


def circumstances_reviewed(
    uow: UnitOfWork, report: CircumstanceReport, moment: datetime
) -> Envelope:
    return uow.emit(
        "vetting.circumstances_reviewed",
        subject=report.application_id,
        data={
            "application_id": report.application_id,
            "organisation_id": report.organisation_id,
            "report_id": report.id,
            "outcome": report.outcome,
            "final": report.status == ReportStatus.DONE,
            "reviewed_at": moment.isoformat(),
        },
    )


def applications_erased(
    uow: UnitOfWork,
    erasure_id: str,
    application_ids: list[str],
    counts: Mapping[str, int],
    moment: datetime,
) -> Envelope:
    """An organisation's erasure: its application ids only, no person id."""
    return uow.emit(
        "vetting.applications_erased",
        subject=application_ids[0],
        data={
            "erasure_id": erasure_id,
            "application_ids": application_ids,
            "counts": dict(counts),
            "erased_at": moment.isoformat(),
        },
    )


def person_erased(
    uow: UnitOfWork,
    erasure_id: str,
    person_id: str | None,
    application_ids: Iterable[str],
    counts: Mapping[str, int],
    moment: datetime,
) -> None:
    """The person-wide erasure, reported as every service reports one (shared.erasure)."""
    erasure.report(
        uow,
        "vetting.person_erased",
        erasure_id=erasure_id,
        person_id=person_id,
        application_ids=application_ids,
        counts=counts,
        moment=moment,
    )
