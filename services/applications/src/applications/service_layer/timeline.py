"""Event handlers: what vetting, access and notifications did, as the organisation sees it.

Every status move goes through the lifecycle table (applications.lifecycle): news never moves
an application back, nothing revives a withdrawn application or an ended sponsorship, a refusal
can still become a clearance (a reconsideration cleared it), a clearance never becomes a
refusal, and a clearance arriving for a withdrawn application (the withdrawal crossed it)
becomes an ended sponsorship, published so the prisons stop relying on it.

After clearance the status stays CLEARED and `outcome["clearance_status"]` follows the
clearance: ACTIVE -> SUSPENDED <-> ACTIVE -> REVOKED | EXPIRED. REVOKED and EXPIRED are final,
and a suspension or reinstatement older than the last change recorded is history only (it goes
in the timeline, in its place, and moves nothing).

The organisation sees what to do, never what the checks found: vetting's reason for asking is
not kept, and a sensitive request (it touches what the checks found) went to the volunteer
alone, so the organisation is told only that the volunteer was asked.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from applications.lifecycle import (
    DRAFT,
    SPONSORSHIP_ENDED,
    SYSTEM,
    WITHDRAWN,
    Transition,
    transition,
)
from applications.models import Application, InformationRequest
from applications.service_layer.common import add_timeline, organisation_conditions
from applications.service_layer.sponsorship import emit_sponsorship_ended
from shared.consumer import Event, RetryLater
from shared.uow import UnitOfWork

FINAL_CLEARANCE_STATUSES = ("REVOKED", "EXPIRED")
# A sensitive request's status: vetting asked the volunteer directly; nothing to answer here.
VOLUNTEER_ASKED = "VOLUNTEER_ASKED"
# The withdrawal's words stay with the organisation; the prisons get a code.
CROSSED_REASON = "OTHER"


def _application(uow: UnitOfWork, event: Event) -> Application | None:
    # Locked: two events for one application (a revocation and a late reinstatement, say) read
    # and write its status one after the other, never both from the same old state.
    return uow.session.get(Application, str(event.data["application_id"]), with_for_update=True)


def _move(uow: UnitOfWork, application: Application, action: str) -> Transition:
    row = transition(application.status, action, SYSTEM)
    if row.to(application.status) != application.status:
        application.status = row.to(application.status)
        application.updated_at = uow.now()
    return row


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def on_case_opened(uow: UnitOfWork, event: Event) -> None:
    application = _application(uow, event)
    if application is None:
        return  # not ours (e.g. erased): nothing to record
    _move(uow, application, "case_opened")
    add_timeline(uow.session, application.id, "checks_started", {}, event.data["opened_at"])


def on_info_requested(uow: UnitOfWork, event: Event) -> None:
    application = _application(uow, event)
    if application is None:
        return
    data = event.data
    sensitive = bool(data.get("sensitive"))
    if uow.session.get(InformationRequest, data["request_id"]) is None:
        # Neither the reason (it may name what the checks found) nor, for a sensitive request,
        # the questions: the organisation has no use for them.
        uow.session.add(
            InformationRequest(
                id=data["request_id"],
                application_id=application.id,
                items=[] if sensitive else data["items"],
                reason="",
                due_by=_iso(data.get("due_by")),
                status=VOLUNTEER_ASKED if sensitive else "OPEN",
                requested_at=data["requested_at"],
            )
        )
    _move(uow, application, "sensitive_info_requested" if sensitive else "info_requested")
    detail = (
        {"request_id": data["request_id"], "asked": "VOLUNTEER"}
        if sensitive
        else {
            "request_id": data["request_id"],
            "items": data["items"],
            "due_by": _iso(data.get("due_by")),
        }
    )
    add_timeline(uow.session, application.id, "information_requested", detail, data["requested_at"])


def on_clearance_granted(uow: UnitOfWork, event: Event) -> None:
    application = _application(uow, event)
    if application is None:
        return
    data = event.data
    # When this application was cleared: the person's clearance may be older (issued on
    # another organisation's application), and when it was issued is not this one's business.
    cleared_at = event.envelope.occurred_at
    # The clearance id and when it was issued stay inside (later news about the clearance is
    # matched and ordered by them); the API never shows them (schemas.applications).
    outcome = {
        "result": "CLEARED",
        "clearance_id": str(data["clearance_id"]),
        "level": data["level"],
        "access": data["access"],
        "conditions": organisation_conditions(data["conditions"]),
        "expires_at": data["expires_at"].isoformat(),
        "cleared_at": cleared_at.isoformat(),
        "clearance_status": "ACTIVE",
        "clearance_status_at": data["issued_at"].isoformat(),
    }
    crossed = application.status == WITHDRAWN
    if application.status not in (DRAFT, SPONSORSHIP_ENDED):
        application.outcome = outcome
    row = _move(uow, application, "cleared")
    add_timeline(
        uow.session,
        application.id,
        "cleared",
        {"level": data["level"], "expires_at": outcome["expires_at"]},
        cleared_at,
    )
    if crossed and "application.sponsorship_ended" in row.emits:
        moment = uow.now()
        add_timeline(
            uow.session,
            application.id,
            "sponsorship_ended",
            {"reason_code": CROSSED_REASON, "from_withdrawal": True},
            moment,
        )
        emit_sponsorship_ended(uow, application, CROSSED_REASON, from_withdrawal=True, at=moment)


def on_refused(uow: UnitOfWork, event: Event) -> None:
    """A refusal, or (reconsidered) a refusal upheld. A cleared application stays cleared."""
    application = _application(uow, event)
    if application is None:
        return
    upheld = bool(event.data.get("reconsidered"))
    if application.status in ("REFUSED", "SUBMITTED", "IN_VETTING", "INFO_REQUESTED"):
        application.outcome = (
            {"result": "REFUSED", "reconsidered": True} if upheld else {"result": "REFUSED"}
        )
    _move(uow, application, "refused")
    add_timeline(
        uow.session,
        application.id,
        "refusal_upheld" if upheld else "refused",
        {},
        event.data["refused_at"],
    )


def _clearance_change(
    uow: UnitOfWork,
    event: Event,
    kind: str,
    status: str | None,
    occurred_at: datetime,
    detail: dict[str, Any],
) -> None:
    """A later change to the clearance of a cleared application: a timeline entry, and
    `outcome["clearance_status"]` moved to `status` (None: the status does not change) unless
    the clearance is already revoked or expired, or the change is older than the last one."""
    application = _application(uow, event)
    if application is None:
        return  # not ours (e.g. erased)
    clearance_id = str(event.data["clearance_id"])
    outcome = dict(application.outcome or {})
    if application.status != "WITHDRAWN" and outcome.get("clearance_id") is None:
        # vetting.application_cleared comes first from vetting; this one overtook it.
        raise RetryLater(
            f"clearance {clearance_id} not yet granted on application {application.id}"
        )
    add_timeline(uow.session, application.id, kind, detail, occurred_at)
    if status is None or outcome.get("clearance_id") != clearance_id:
        return  # withdrawn, or another clearance than the one this application shows
    current = outcome.get("clearance_status", "ACTIVE")
    current_at = outcome.get("clearance_status_at")
    if current in FINAL_CLEARANCE_STATUSES:
        return
    if (
        status not in FINAL_CLEARANCE_STATUSES
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


def on_clearance_suspended(uow: UnitOfWork, event: Event) -> None:
    _clearance_change(
        uow,
        event,
        "clearance_suspended",
        "SUSPENDED",
        event.data["suspended_at"],
        {"reason": event.data["reason"]},
    )


def on_clearance_reinstated(uow: UnitOfWork, event: Event) -> None:
    _clearance_change(uow, event, "clearance_reinstated", "ACTIVE", event.data["reinstated_at"], {})


def on_clearance_revoked(uow: UnitOfWork, event: Event) -> None:
    _clearance_change(uow, event, "clearance_revoked", "REVOKED", event.data["revoked_at"], {})


def on_clearance_expiring(uow: UnitOfWork, event: Event) -> None:
    """A reminder: the clearance stays as it is (renew before `expires_at`)."""
    _clearance_change(
        uow,
        event,
        "clearance_expiring",
        None,
        event.envelope.occurred_at,
        {
            "days_before": event.data["days_before"],
            "expires_at": event.data["expires_at"].isoformat(),
        },
    )


def on_clearance_expired(uow: UnitOfWork, event: Event) -> None:
    _clearance_change(uow, event, "clearance_expired", "EXPIRED", event.data["expired_at"], {})


def on_access_decision(uow: UnitOfWork, event: Event) -> None:
    application = _application(uow, event)
    if application is None:
        return
    data = event.data
    kind = "access_approved" if event.envelope.type == "access.approved" else "access_refused"
    add_timeline(
        uow.session,
        application.id,
        kind,
        {
            "establishment": data["establishment_code"],
            "access_type": data.get("access_type"),
            "valid_until": _iso(data.get("valid_until")),
        },
        data["decided_at"],
    )


def on_access_change(uow: UnitOfWork, event: Event) -> None:
    """activated, suspended, reinstated, excluded, revoked, ended: history for the organisation
    (which establishment, what happened, who moved it), never the establishment's reasons."""
    application = _application(uow, event)
    if application is None:
        return
    data = event.data
    detail = {"establishment": data["establishment_code"], "by": data["by"]}
    if "valid_until" in data:
        detail.update(access_type=data["access_type"], valid_until=_iso(data["valid_until"]))
    if "review_on" in data:
        detail["review_on"] = _iso(data["review_on"])
    add_timeline(
        uow.session,
        application.id,
        "access_" + event.envelope.type.split(".")[1],
        detail,
        data["at"],
    )


def on_notification(uow: UnitOfWork, event: Event) -> None:
    application_id = event.data.get("application_id")
    if application_id is None or uow.session.get(Application, str(application_id)) is None:
        return
    sent = event.envelope.type == "notification.sent"
    add_timeline(
        uow.session,
        str(application_id),
        "notification_sent" if sent else "notification_failed",
        {
            "template": event.data["template"],
            "channel": event.data["channel"],
            "recipient": event.data["recipient_kind"],
        },
        event.data["sent_at" if sent else "failed_at"],
    )


def on_circumstances_reviewed(uow: UnitOfWork, event: Event) -> None:
    """What vetting made of a change this organisation reported: the outcome code joins the
    timeline (the application's own organisation alone reads it)."""
    application = _application(uow, event)
    data = event.data
    if application is None or application.organisation_id != str(data["organisation_id"]):
        return  # not ours (erased), or not this organisation's report: nothing to show
    add_timeline(
        uow.session,
        application.id,
        "change_reviewed",
        {"report_id": data["report_id"], "outcome": data["outcome"], "final": data["final"]},
        data["reviewed_at"],
    )


HANDLERS = {
    "vetting.case_opened": [on_case_opened],
    "vetting.info_request_announced": [on_info_requested],
    "vetting.application_cleared": [on_clearance_granted],
    # Retired subscriptions (they carry what the organisation must not have): only a message
    # queued before the upgrade still arrives, handled as the new events are.
    "vetting.info_requested": [on_info_requested],
    "vetting.clearance_granted": [on_clearance_granted],
    "vetting.clearance_refused": [on_refused],
    "vetting.clearance_suspended": [on_clearance_suspended],
    "vetting.clearance_reinstated": [on_clearance_reinstated],
    "vetting.clearance_revoked": [on_clearance_revoked],
    "vetting.clearance_expiring": [on_clearance_expiring],
    "vetting.clearance_expired": [on_clearance_expired],
    "vetting.circumstances_reviewed": [on_circumstances_reviewed],
    "access.approved": [on_access_decision],
    "access.refused": [on_access_decision],
    **{
        f"access.{change}": [on_access_change]
        for change in ("activated", "suspended", "reinstated", "excluded", "revoked", "ended")
    },
    "notification.sent": [on_notification],
    "notification.failed": [on_notification],
}
