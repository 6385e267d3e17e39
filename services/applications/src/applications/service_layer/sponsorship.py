"""Ending an organisation's sponsorship of a cleared volunteer, asked for or by a withdrawal
that crossed the clearance."""

from __future__ import annotations

from datetime import datetime

from applications.lifecycle import COORDINATOR, transition
from applications.models import Application
from applications.service_layer.common import Conflict, add_timeline, owned_application
from shared.uow import UnitOfWork

# A sponsorship is live while the clearance it rests on is: a revoked or expired clearance
# already ended every grant on it.
LIVE_CLEARANCE = ("ACTIVE", "SUSPENDED")


def end_sponsorship(
    uow: UnitOfWork, organisation_id: str, application_id: str, reason_code: str, note: str | None
) -> Application:
    application = owned_application(uow.session, organisation_id, application_id, for_update=True)
    row = transition(application.status, "end_sponsorship", COORDINATOR)
    clearance_status = (application.outcome or {}).get("clearance_status", "ACTIVE")
    if clearance_status not in LIVE_CLEARANCE:
        raise Conflict(
            f"The clearance on this application is {clearance_status.lower()}: "
            "no prison admits the volunteer on it, so there is no sponsorship "
            "left to end."
        )
    moment = uow.now()
    application.status = row.to(application.status)
    application.updated_at = moment
    detail = {"reason_code": reason_code, **({"note": note} if note else {})}
    add_timeline(uow.session, application.id, "sponsorship_ended", detail, moment)
    emit_sponsorship_ended(uow, application, reason_code, from_withdrawal=False, at=moment)
    return application


def emit_sponsorship_ended(
    uow: UnitOfWork,
    application: Application,
    reason_code: str,
    *,
    from_withdrawal: bool,
    at: datetime,
) -> None:
    uow.emit(
        "application.sponsorship_ended",
        subject=application.id,
        data={
            "application_id": application.id,
            "organisation_id": application.organisation_id,
            "reason_code": reason_code,
            "from_withdrawal": from_withdrawal,
            "ended_at": at.isoformat(),
        },
    )
