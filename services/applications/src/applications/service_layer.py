"""Use cases of the applications service: small functions over a unit of work."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from applications.models import ApiKey, Application, Organisation, TimelineEntry
from shared.auth import generate_api_key
from shared.consumer import Event
from shared.uow import UnitOfWork
from shared.web.auth import StoredApiKey

FELLOWSHIPS = ("AA", "NA", "CA", "AL_ANON", "SMART", "OTHER")


def now() -> datetime:
    return datetime.now(UTC)


def create_organisation(uow: UnitOfWork, name: str, fellowship: str,
                        coordinator_email: str) -> Organisation:
    if fellowship not in FELLOWSHIPS:
        raise ValueError(f"fellowship must be one of {', '.join(FELLOWSHIPS)}")
    organisation = Organisation(id=str(uuid.uuid4()), name=name, fellowship=fellowship,
                                coordinator_email=coordinator_email, created_at=now())
    uow.session.add(organisation)
    uow.commit()
    return organisation


def issue_api_key(uow: UnitOfWork, organisation_id: str, pepper: str) -> str:
    """Create a key for the organisation and return its plaintext (shown once)."""
    if uow.session.get(Organisation, organisation_id) is None:
        raise LookupError(f"no organisation {organisation_id}")
    key = generate_api_key(pepper)
    uow.session.add(ApiKey(key_id=key.key_id, organisation_id=organisation_id,
                           secret_hash=key.secret_hash, created_at=now(), revoked_at=None))
    uow.commit()
    return key.plaintext


def revoke_api_key(uow: UnitOfWork, key_id: str) -> None:
    api_key = uow.session.get(ApiKey, key_id)
    if api_key is None:
        raise LookupError(f"no api key {key_id}")
    api_key.revoked_at = api_key.revoked_at or now()
    uow.commit()


def find_api_key(session: Session, key_id: str) -> StoredApiKey | None:
    api_key = session.get(ApiKey, key_id)
    if api_key is None:
        return None
    return StoredApiKey(api_key.organisation_id, api_key.secret_hash,
                        revoked=api_key.revoked_at is not None)


def submit_application(uow: UnitOfWork, organisation_id: str, data: dict[str, Any]) -> Application:
    moment = now()
    application = Application(
        id=str(uuid.uuid4()), organisation_id=organisation_id, status="SUBMITTED",
        applicant=data["applicant"], role=data["role"], establishments=data["establishments"],
        requested_access=data["requested_access"], frequency=data["frequency"],
        created_at=moment, submitted_at=moment, updated_at=moment,
    )
    uow.session.add(application)
    _add_timeline(uow.session, application.id, "submitted", {}, moment)
    uow.emit("application.submitted", subject=application.id, data={
        "application_id": application.id,
        "organisation_id": organisation_id,
        "applicant": application.applicant,
        "role": application.role,
        "establishments": application.establishments,
        "requested_access": application.requested_access,
        "frequency": application.frequency,
        "submitted_at": moment.isoformat(),
    })
    uow.commit()
    return application


def get_application(session: Session, organisation_id: str,
                    application_id: str) -> Application | None:
    """The application, only if it belongs to the organisation asking."""
    return session.execute(
        select(Application).where(Application.id == application_id,
                                  Application.organisation_id == organisation_id)
    ).scalar_one_or_none()


def application_view(session: Session, application: Application) -> dict[str, Any]:
    """The application as its organisation sees it, with its timeline."""
    entries = session.execute(
        select(TimelineEntry).where(TimelineEntry.application_id == application.id)
        .order_by(TimelineEntry.occurred_at, TimelineEntry.id)
    ).scalars()
    return {
        "id": application.id, "status": application.status, "applicant": application.applicant,
        "role": application.role, "establishments": application.establishments,
        "requested_access": application.requested_access, "frequency": application.frequency,
        "created_at": application.created_at, "submitted_at": application.submitted_at,
        "timeline": [{"kind": e.kind, "detail": e.detail, "occurred_at": e.occurred_at}
                     for e in entries],
    }


# Event handlers --------------------------------------------------------------------------

def on_vetting_case_opened(uow: UnitOfWork, event: Event) -> None:
    application = uow.session.get(Application, str(event.data["application_id"]))
    if application is None:
        return  # not ours (e.g. erased); nothing to update
    if application.status == "SUBMITTED":
        application.status = "IN_VETTING"
        application.updated_at = now()
    _add_timeline(uow.session, application.id, "vetting_started",
                  {"case_id": str(event.data["case_id"])}, event.data["opened_at"])


def on_notification_sent(uow: UnitOfWork, event: Event) -> None:
    application_id = event.data.get("application_id")
    if application_id is None or uow.session.get(Application, str(application_id)) is None:
        return
    _add_timeline(uow.session, str(application_id), "notification_sent",
                  {"template": event.data["template"], "channel": event.data["channel"],
                   "recipient": event.data["recipient_kind"]}, event.data["sent_at"])


def _add_timeline(session: Session, application_id: str, kind: str, detail: dict[str, Any],
                  occurred_at: datetime) -> None:
    session.add(TimelineEntry(application_id=application_id, kind=kind, detail=detail,
                              occurred_at=occurred_at))
