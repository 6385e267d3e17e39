"""What vetting, access and notifications did, as the organisation sees it: the use cases the
inbound event handlers (service_layer.handlers) call.

Every status move goes through the lifecycle table (domain.lifecycle): news never moves an
application back, nothing revives a withdrawn application or an ended sponsorship, a refusal
can still become a clearance (a reconsideration cleared it), a clearance never becomes a
refusal, and a clearance arriving for a withdrawn application (the withdrawal crossed it)
becomes an ended sponsorship, published so the prisons stop relying on it.

After clearance the status stays CLEARED and `outcome["clearance_status"]` follows the
clearance (domain.lifecycle.FOLLOWED_CLEARANCE): ACTIVE -> SUSPENDED <-> ACTIVE -> REVOKED |
EXPIRED. REVOKED and EXPIRED are final, and a suspension or reinstatement older than the last
change recorded is history only (it goes in the timeline, in its place, and moves nothing).

The organisation sees what to do, never what the checks found: vetting's reason for asking is
not kept, and a sensitive request (it touches what the checks found) went to the volunteer
alone, so the organisation is told only that the volunteer was asked.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from applications.domain.conditions import organisation_conditions
from applications.domain.lifecycle import (
    DRAFT,
    FINAL_CLEARANCE,
    FOLLOWED_CLEARANCE,
    IN_PROGRESS,
    REFUSED,
    SPONSORSHIP_ENDED,
    SYSTEM,
    WITHDRAWN,
    ApplicationState,
    ClearanceStatus,
    RequestState,
    step,
)
from applications.models import Application, InformationRequest
from applications.service_layer import outgoing
from applications.service_layer.records import add_timeline
from shared.handlers import RetryLater
from shared.lifecycle import Transition
from shared.uow import UnitOfWork

# The withdrawal's words stay with the organisation; the prisons get a code.
CROSSED_REASON = "OTHER"


def _application(uow: UnitOfWork, application_id: str) -> Application | None:
    # Locked: two events for one application (a revocation and a late reinstatement, say) read
    # and write its status one after the other, never both from the same old state.
    return uow.session.get(Application, application_id, with_for_update=True)


def _move(uow: UnitOfWork, application: Application, action: str) -> Transition:
    move = step(application.status, action, SYSTEM)
    if move.target != application.status:
        application.status = move.target
        application.updated_at = uow.now()
    return move


def case_opened(uow: UnitOfWork, application_id: str, opened_at: datetime) -> None:
    application = _application(uow, application_id)
    if application is None:
        return  # not ours (e.g. erased): nothing to record
    _move(uow, application, "case_opened")
    add_timeline(uow.session, application.id, "checks_started", {}, opened_at)


def info_requested(
    uow: UnitOfWork,
    application_id: str,
    request_id: str,
    *,
    items: list[Any],
    due_by: str | None,
    requested_at: datetime,
    sensitive: bool,
    volunteer_items: list[Any] | None = None,
) -> None:
    application = _application(uow, application_id)
    if application is None:
        return
    if uow.session.get(InformationRequest, request_id) is None:
        # Neither the reason (it may name what the checks found) nor, for a sensitive request,
        # the questions: the organisation has no use for them.
        uow.session.add(
            InformationRequest(
                id=request_id,
                application_id=application.id,
                items=[] if sensitive else items,
                reason="",
                due_by=due_by,
                status=RequestState.VOLUNTEER_ASKED if sensitive else RequestState.OPEN,
                requested_at=requested_at,
                volunteer_items=list(volunteer_items or []) if sensitive else None,
            )
        )
    _move(uow, application, "sensitive_info_requested" if sensitive else "info_requested")
    detail = (
        {"request_id": request_id, "asked": "VOLUNTEER"}
        if sensitive
        else {"request_id": request_id, "items": items, "due_by": due_by}
    )
    add_timeline(uow.session, application.id, "information_requested", detail, requested_at)


def clearance_granted(
    uow: UnitOfWork,
    application_id: str,
    clearance: dict[str, Any],
    cleared_at: datetime,
) -> None:
    """`clearance`: vetting.application_cleared's data. `cleared_at`: when this application was
    cleared (the person's clearance may be older, issued on another organisation's application,
    and when it was issued is not this one's business)."""
    application = _application(uow, application_id)
    if application is None:
        return
    # The clearance id and when it was issued stay inside (later news about the clearance is
    # matched and ordered by them); the API never shows them (schemas.applications).
    outcome = {
        "result": ApplicationState.CLEARED,
        "clearance_id": str(clearance["clearance_id"]),
        "level": clearance["level"],
        "access": clearance["access"],
        "conditions": organisation_conditions(clearance["conditions"]),
        "expires_at": clearance["expires_at"].isoformat(),
        "cleared_at": cleared_at.isoformat(),
        "clearance_status": ClearanceStatus.ACTIVE,
        "clearance_status_at": clearance["issued_at"].isoformat(),
    }
    crossed = application.status == WITHDRAWN
    if application.status not in (DRAFT, SPONSORSHIP_ENDED):
        application.outcome = outcome
    move = _move(uow, application, "cleared")
    add_timeline(
        uow.session,
        application.id,
        "cleared",
        {"level": clearance["level"], "expires_at": outcome["expires_at"]},
        cleared_at,
    )
    if crossed and "application.sponsorship_ended" in move.events:
        moment = uow.now()
        add_timeline(
            uow.session,
            application.id,
            "sponsorship_ended",
            {"reason_code": CROSSED_REASON, "from_withdrawal": True},
            moment,
        )
        outgoing.application_sponsorship_ended(
            uow, application, CROSSED_REASON, from_withdrawal=True, at=moment
        )


def refused(uow: UnitOfWork, application_id: str, refused_at: datetime, *, upheld: bool) -> None:
    """A refusal, or (reconsidered) a refusal upheld. A cleared application stays cleared."""
    application = _application(uow, application_id)
    if application is None:
        return
    if application.status in (REFUSED, *IN_PROGRESS):
        application.outcome = (
            {"result": REFUSED, "reconsidered": True} if upheld else {"result": REFUSED}
        )
    _move(uow, application, "refused")
    add_timeline(
        uow.session, application.id, "refusal_upheld" if upheld else "refused", {}, refused_at
    )


def clearance_changed(
    uow: UnitOfWork,
    application_id: str,
    clearance_id: str,
    kind: str,
    status: ClearanceStatus | None,
    occurred_at: datetime,
    detail: dict[str, Any],
) -> None:
    """A later change to the clearance of a cleared application: a timeline entry, and
    `outcome["clearance_status"]` moved to `status` (None: the status does not change) unless
    the clearance is already revoked or expired, or the change is older than the last one."""
    application = _application(uow, application_id)
    if application is None:
        return  # not ours (e.g. erased)
    outcome = dict(application.outcome or {})
    if application.status != WITHDRAWN and outcome.get("clearance_id") is None:
        # vetting.application_cleared comes first from vetting; this one overtook it.
        raise RetryLater(
            f"clearance {clearance_id} not yet granted on application {application.id}"
        )
    add_timeline(uow.session, application.id, kind, detail, occurred_at)
    if status is None or outcome.get("clearance_id") != clearance_id:
        return  # withdrawn, or another clearance than the one this application shows
    current = outcome.get("clearance_status", ClearanceStatus.ACTIVE)
    current_at = outcome.get("clearance_status_at")
    if not FOLLOWED_CLEARANCE.allows(current, status):
        return  # revoked or expired: final
    if (
        status not in FINAL_CLEARANCE
        and current_at is not None
        and occurred_at < datetime.fromisoformat(current_at)
    ):
        return  # older news than the status recorded
    application.outcome = {
        **outcome,
        "clearance_status": status,
        "clearance_status_at": occurred_at.isoformat(),
    }
    application.updated_at = uow.now()


def record_history(
    uow: UnitOfWork,
    application_id: str,
    kind: str,
    detail: dict[str, Any],
    occurred_at: datetime,
    *,
    lock: bool = True,
) -> Application | None:
    """What another service did that moves nothing here: a timeline entry, if the application
    is ours (not erased). The application, or None."""
    application = (
        _application(uow, application_id) if lock else uow.session.get(Application, application_id)
    )
    if application is not None:
        add_timeline(uow.session, application.id, kind, detail, occurred_at)
    return application


def circumstances_reviewed(
    uow: UnitOfWork,
    application_id: str,
    organisation_id: str,
    detail: dict[str, Any],
    reviewed_at: datetime,
) -> None:
    """What vetting made of a change this organisation reported: the outcome code joins the
    timeline (the application's own organisation alone reads it)."""
    application = _application(uow, application_id)
    if application is None or application.organisation_id != organisation_id:
        return  # not ours (erased), or not this organisation's report: nothing to show
    add_timeline(uow.session, application.id, "change_reviewed", detail, reviewed_at)
