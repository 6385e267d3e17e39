"""Event handlers: what vetting, access and notifications did, as the organisation sees it.

Status only moves forward (an old event arriving late never drags it back), and nothing
revives a withdrawn application.
"""

from __future__ import annotations

from typing import Any

from applications.models import Application, InformationRequest
from applications.service_layer.common import add_timeline, now
from shared.consumer import Event
from shared.uow import UnitOfWork

RANK = {"DRAFT": 0, "SUBMITTED": 1, "IN_VETTING": 2, "INFO_REQUESTED": 2, "CLEARED": 3,
        "REFUSED": 3, "WITHDRAWN": 4}


def _application(uow: UnitOfWork, event: Event) -> Application | None:
    return uow.session.get(Application, str(event.data["application_id"]))


def _move(application: Application, status: str) -> None:
    if RANK[status] >= RANK[application.status] and application.status != "WITHDRAWN":
        application.status = status
    application.updated_at = now()


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def on_case_opened(uow: UnitOfWork, event: Event) -> None:
    application = _application(uow, event)
    if application is None:
        return  # not ours (e.g. erased): nothing to record
    if application.status == "SUBMITTED":
        _move(application, "IN_VETTING")
    add_timeline(uow.session, application.id, "checks_started", {},
                 event.data["opened_at"])


def on_info_requested(uow: UnitOfWork, event: Event) -> None:
    application = _application(uow, event)
    if application is None:
        return
    data = event.data
    if uow.session.get(InformationRequest, data["request_id"]) is None:
        uow.session.add(InformationRequest(
            id=data["request_id"], application_id=application.id, items=data["items"],
            reason=data["reason"], due_by=_iso(data.get("due_by")), status="OPEN",
            requested_at=data["requested_at"]))
    if application.status in ("SUBMITTED", "IN_VETTING"):
        _move(application, "INFO_REQUESTED")
    add_timeline(uow.session, application.id, "information_requested", {
        "request_id": data["request_id"], "items": data["items"],
        "due_by": _iso(data.get("due_by"))}, data["requested_at"])


def on_clearance_granted(uow: UnitOfWork, event: Event) -> None:
    application = _application(uow, event)
    if application is None:
        return
    data = event.data
    outcome = {"result": "CLEARED", "clearance_id": str(data["clearance_id"]),
               "level": data["level"], "access": data["access"],
               "conditions": data["conditions"], "expires_at": data["expires_at"].isoformat()}
    if application.status != "WITHDRAWN":
        application.outcome = outcome
    _move(application, "CLEARED")
    add_timeline(uow.session, application.id, "cleared",
                 {"level": data["level"], "expires_at": outcome["expires_at"]}, data["issued_at"])


def on_refused(uow: UnitOfWork, event: Event) -> None:
    application = _application(uow, event)
    if application is None:
        return
    if application.status != "WITHDRAWN":
        application.outcome = {"result": "REFUSED"}
    _move(application, "REFUSED")
    add_timeline(uow.session, application.id, "refused", {}, event.data["refused_at"])


def on_access_decision(uow: UnitOfWork, event: Event) -> None:
    application = _application(uow, event)
    if application is None:
        return
    data = event.data
    kind = "access_approved" if event.envelope.type == "access.approved" else "access_refused"
    add_timeline(uow.session, application.id, kind, {
        "establishment": data["establishment_code"], "access_type": data.get("access_type"),
        "valid_until": _iso(data.get("valid_until"))}, data["decided_at"])


def on_notification(uow: UnitOfWork, event: Event) -> None:
    application_id = event.data.get("application_id")
    if application_id is None or uow.session.get(Application, str(application_id)) is None:
        return
    sent = event.envelope.type == "notification.sent"
    add_timeline(uow.session, str(application_id),
                 "notification_sent" if sent else "notification_failed",
                 {"template": event.data["template"], "channel": event.data["channel"],
                  "recipient": event.data["recipient_kind"]},
                 event.data["sent_at" if sent else "failed_at"])


HANDLERS = {
    "vetting.case_opened": [on_case_opened],
    "vetting.info_requested": [on_info_requested],
    "vetting.clearance_granted": [on_clearance_granted],
    "vetting.clearance_refused": [on_refused],
    "access.approved": [on_access_decision],
    "access.refused": [on_access_decision],
    "notification.sent": [on_notification],
    "notification.failed": [on_notification],
}
