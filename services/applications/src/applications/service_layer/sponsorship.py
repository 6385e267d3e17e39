"""Ending an organisation's sponsorship of a cleared volunteer, asked for by the organisation
(a withdrawal that crossed the clearance ends it too: service_layer.timeline)."""

from __future__ import annotations

from applications.domain.lifecycle import COORDINATOR, LIVE_CLEARANCE, ClearanceStatus, step
from applications.models import Application
from applications.service_layer import outgoing
from applications.service_layer.records import add_timeline, owned_application
from shared.errors import Conflict
from shared.uow import UnitOfWork


def end_sponsorship(
    uow: UnitOfWork, organisation_id: str, application_id: str, reason_code: str, note: str | None
) -> Application:
    application = owned_application(uow.session, organisation_id, application_id, for_update=True)
    move = step(application.status, "end_sponsorship", COORDINATOR)
    clearance_status = (application.outcome or {}).get("clearance_status", ClearanceStatus.ACTIVE)
    if clearance_status not in LIVE_CLEARANCE:
        raise Conflict(
            f"The clearance on this application is {clearance_status.lower()}: "
            "no prison admits the volunteer on it, so there is no sponsorship "
            "left to end."
        )
    moment = uow.now()
    application.status = move.target
    application.updated_at = moment
    detail = {"reason_code": reason_code, **({"note": note} if note else {})}
    add_timeline(uow.session, application.id, "sponsorship_ended", detail, moment)
    outgoing.application_sponsorship_ended(
        uow, application, reason_code, from_withdrawal=False, at=moment
    )
    return application
