"""Every event the applications service consumes, and what it does with each: read the event,
call the use case (service_layer.timeline for what another service did to an application,
service_layer.erasure for erasure reports). The consumer commits.

The service needs no collaborators: the composition root binds these with none. Each handler
keeps the inbox key it had when it lived beside its use case (`name=`), so an event handled
before a deployment stays handled after it.

What HANDLERS declares is what the inbox is bound to (shared.messaging.subscriptions). The
organisation's service gets vetting's news in copies of its own: never why vetting asks, who
the person is, or which establishment excludes them.
"""

from __future__ import annotations

from typing import Any

from applications.domain.lifecycle import ClearanceStatus
from applications.service_layer import erasure, timeline
from shared.handlers import Event, HandlerMap
from shared.uow import UnitOfWork

HANDLERS = HandlerMap()
# Subscriptions retired from the topology (they carry what the organisation must not have):
# only a message queued before the upgrade still arrives, handled as the new events are.
RETIRED = HandlerMap()

_TIMELINE = "applications.service_layer.timeline"
_ERASURE = "applications.service_layer.erasure"
REPORTS = {
    "vetting.person_erased": "vetting",
    "access.person_erased": "access",
    "notification.person_erased": "notifications",
}


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _application_id(event: Event) -> str:
    return str(event.data["application_id"])


@HANDLERS.on("vetting.case_opened", name=f"{_TIMELINE}.on_case_opened")
def on_case_opened(uow: UnitOfWork, event: Event, deps: None) -> None:
    timeline.case_opened(uow, _application_id(event), event.data["opened_at"])


@RETIRED.on("vetting.info_requested", name=f"{_TIMELINE}.on_info_requested")
@HANDLERS.on("vetting.info_request_announced", name=f"{_TIMELINE}.on_info_requested")
def on_info_requested(uow: UnitOfWork, event: Event, deps: None) -> None:
    data = event.data
    sensitive = bool(data.get("sensitive"))
    timeline.info_requested(
        uow,
        _application_id(event),
        data["request_id"],
        items=[] if sensitive else data["items"],
        due_by=_iso(data.get("due_by")),
        requested_at=data["requested_at"],
        sensitive=sensitive,
        # The questions of a sensitive request, kept for the volunteer's own pages alone.
        volunteer_items=data.get("volunteer_items") or [] if sensitive else [],
    )


@RETIRED.on("vetting.clearance_granted", name=f"{_TIMELINE}.on_clearance_granted")
@HANDLERS.on("vetting.application_cleared", name=f"{_TIMELINE}.on_clearance_granted")
def on_clearance_granted(uow: UnitOfWork, event: Event, deps: None) -> None:
    timeline.clearance_granted(
        uow, _application_id(event), event.data, cleared_at=event.envelope.occurred_at
    )


@HANDLERS.on("vetting.clearance_refused", name=f"{_TIMELINE}.on_refused")
def on_refused(uow: UnitOfWork, event: Event, deps: None) -> None:
    timeline.refused(
        uow,
        _application_id(event),
        event.data["refused_at"],
        upheld=bool(event.data.get("reconsidered")),
    )


def _clearance_change(
    uow: UnitOfWork,
    event: Event,
    kind: str,
    status: ClearanceStatus | None,
    occurred_at: Any,
    detail: dict[str, Any],
) -> None:
    timeline.clearance_changed(
        uow,
        _application_id(event),
        str(event.data["clearance_id"]),
        kind,
        status,
        occurred_at,
        detail,
    )


@HANDLERS.on("vetting.clearance_suspended", name=f"{_TIMELINE}.on_clearance_suspended")
def on_clearance_suspended(uow: UnitOfWork, event: Event, deps: None) -> None:
    _clearance_change(
        uow,
        event,
        "clearance_suspended",
        ClearanceStatus.SUSPENDED,
        event.data["suspended_at"],
        {"reason": event.data["reason"]},
    )


@HANDLERS.on("vetting.clearance_reinstated", name=f"{_TIMELINE}.on_clearance_reinstated")
def on_clearance_reinstated(uow: UnitOfWork, event: Event, deps: None) -> None:
    _clearance_change(
        uow,
        event,
        "clearance_reinstated",
        ClearanceStatus.ACTIVE,
        event.data["reinstated_at"],
        {},
    )


@HANDLERS.on("vetting.clearance_revoked", name=f"{_TIMELINE}.on_clearance_revoked")
def on_clearance_revoked(uow: UnitOfWork, event: Event, deps: None) -> None:
    _clearance_change(
        uow, event, "clearance_revoked", ClearanceStatus.REVOKED, event.data["revoked_at"], {}
    )


@HANDLERS.on("vetting.clearance_expiring", name=f"{_TIMELINE}.on_clearance_expiring")
def on_clearance_expiring(uow: UnitOfWork, event: Event, deps: None) -> None:
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


@HANDLERS.on("vetting.clearance_expired", name=f"{_TIMELINE}.on_clearance_expired")
def on_clearance_expired(uow: UnitOfWork, event: Event, deps: None) -> None:
    _clearance_change(
        uow, event, "clearance_expired", ClearanceStatus.EXPIRED, event.data["expired_at"], {}
    )


@HANDLERS.on("vetting.circumstances_reviewed", name=f"{_TIMELINE}.on_circumstances_reviewed")
def on_circumstances_reviewed(uow: UnitOfWork, event: Event, deps: None) -> None:
    data = event.data
    timeline.circumstances_reviewed(
        uow,
        _application_id(event),
        str(data["organisation_id"]),
        {"report_id": data["report_id"], "outcome": data["outcome"], "final": data["final"]},
        data["reviewed_at"],
    )


@HANDLERS.on("access.approved", "access.refused", name=f"{_TIMELINE}.on_access_decision")
def on_access_decision(uow: UnitOfWork, event: Event, deps: None) -> None:
    data = event.data
    timeline.record_history(
        uow,
        _application_id(event),
        "access_approved" if event.envelope.type == "access.approved" else "access_refused",
        {
            "establishment": data["establishment_code"],
            "access_type": data.get("access_type"),
            "valid_until": _iso(data.get("valid_until")),
        },
        data["decided_at"],
    )


@HANDLERS.on(
    *(
        f"access.{change}"
        for change in ("activated", "suspended", "reinstated", "excluded", "revoked", "ended")
    ),
    name=f"{_TIMELINE}.on_access_change",
)
def on_access_change(uow: UnitOfWork, event: Event, deps: None) -> None:
    """History for the organisation (which establishment, what happened, who moved it), never
    the establishment's reasons."""
    data = event.data
    detail = {"establishment": data["establishment_code"], "by": data["by"]}
    if "valid_until" in data:
        detail.update(access_type=data["access_type"], valid_until=_iso(data["valid_until"]))
    if "review_on" in data:
        detail["review_on"] = _iso(data["review_on"])
    timeline.record_history(
        uow,
        _application_id(event),
        "access_" + event.envelope.type.split(".")[1],
        detail,
        data["at"],
    )


@HANDLERS.on("notification.sent", "notification.failed", name=f"{_TIMELINE}.on_notification")
def on_notification(uow: UnitOfWork, event: Event, deps: None) -> None:
    data = event.data
    if data.get("application_id") is None:
        return  # a message about no application (e.g. to a coordinator)
    sent = event.envelope.type == "notification.sent"
    timeline.record_history(
        uow,
        str(data["application_id"]),
        "notification_sent" if sent else "notification_failed",
        {
            "template": data["template"],
            "channel": data["channel"],
            "recipient": data["recipient_kind"],
        },
        data["sent_at" if sent else "failed_at"],
        lock=False,
    )


@HANDLERS.on(
    "vetting.person_erased", "vetting.applications_erased", name=f"{_ERASURE}.on_vetting_erased"
)
def on_vetting_erased(uow: UnitOfWork, event: Event, deps: None) -> None:
    data = event.data
    erasure.vetting_erased(
        uow,
        str(data["erasure_id"]),
        [str(i) for i in data["application_ids"]],
        str(data["person_id"]) if data.get("person_id") else None,
        data["counts"],
        data["erased_at"],
    )


@HANDLERS.on("access.person_erased", "notification.person_erased", name=f"{_ERASURE}.on_report")
def on_report(uow: UnitOfWork, event: Event, deps: None) -> None:
    erasure.service_reported(
        uow,
        str(event.data["erasure_id"]),
        REPORTS[event.envelope.type],
        event.data["counts"],
        event.data["erased_at"],
    )
