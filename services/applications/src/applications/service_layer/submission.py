"""Readiness, submission (idempotent), withdrawal, renewal, answers, changes and
reconsideration."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import date
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from applications.lifecycle import COORDINATOR, transition
from applications.models import Application, InformationRequest, Organisation
from applications.readiness import Problem, ReadinessPolicy, check_readiness, is_ready
from applications.service_layer import contacts
from applications.service_layer.common import (
    Conflict,
    NotFound,
    add_timeline,
    owned_application,
)
from applications.service_layer.contacts import ContactLinks
from applications.service_layer.drafts import (
    APPLICANT_SCHEMA,
    create_draft,
    loaded_application,
    summary_view,
)
from shared.clock import today
from shared.uow import UnitOfWork


class NotReady(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("not ready")
        self.problems = problems


class IdempotencyKeyReused(Exception):
    """The same Idempotency-Key came with a different request."""


def readiness(
    application: Application,
    establishments: Mapping[str, Any],
    policy: ReadinessPolicy,
    today: date,
) -> list[Problem]:
    return check_readiness(
        loaded_application(application), today=today, establishments=establishments, policy=policy
    )


def readiness_view(problems: list[Problem]) -> dict[str, Any]:
    return {"ready": is_ready(problems), "problems": [asdict(p) for p in problems]}


def submit(
    uow: UnitOfWork,
    organisation_id: str,
    application_id: str,
    *,
    establishments: Mapping[str, Any],
    policy: ReadinessPolicy,
    links: ContactLinks,
    idempotency_key: str | None = None,
) -> tuple[int, dict[str, Any]]:
    """Submit a ready draft. Returns (status code, body); a retry with the same
    Idempotency-Key gets the first response again and never a second submission.

    The key and the response are kept on the application row (unique per organisation), so
    a submit is one locked read, one update and one outbox insert. A twin request waits for the
    row lock and then reads the committed row, key and response included."""
    # Plain Core on this hot path: the ORM's unit-of-work bookkeeping cost more than the SQL.
    session = uow.session
    applications = Application.__table__
    organisations = Organisation.__table__
    row = session.execute(
        select(applications, organisations.c.coordinator_email)
        .join(organisations, organisations.c.id == applications.c.organisation_id)
        .where(
            applications.c.id == application_id, applications.c.organisation_id == organisation_id
        )
        .with_for_update(of=applications)
    ).first()
    if row is None:
        raise NotFound(application_id)
    if idempotency_key and row.submit_key == idempotency_key:
        return 200, row.submit_response or {}
    transition(row.status, "submit", COORDINATOR)  # 409 naming the state
    problems = readiness(row, establishments, policy, today(uow.clock))
    if not is_ready(problems):
        raise NotReady(problems)
    clash = contacts.coordinator_clash(row.applicant, row.coordinator_email)
    if clash:  # a draft made before the rule
        raise contacts.CoordinatorsContact(clash)
    moment = uow.now()
    application = SimpleNamespace(
        **{**row._mapping, "status": "SUBMITTED", "submitted_at": moment, "updated_at": moment}
    )
    body = json.loads(json.dumps(summary_view(application), default=_iso))
    try:
        session.execute(
            update(applications)
            .where(applications.c.id == application_id)
            .values(
                status=transition(row.status, "submit", COORDINATOR).target,
                submitted_at=moment,
                updated_at=moment,
                submit_key=idempotency_key,
                submit_response=body,
                contact_status=contacts.initial_status(),
            )
        )
    except IntegrityError as exc:  # the key already submitted another application
        raise IdempotencyKeyReused(idempotency_key) from exc
    # The contacts first: notifications reads how to reach the volunteer and the coordinator
    # from them, and its consumer holds application.received back until it has them.
    contacts.start(
        uow, application_id, organisation_id, row.applicant, row.coordinator_email, links
    )
    uow.emit(
        "application.submitted",
        subject=application_id,
        data=submitted_event(application, organisation_id),
    )
    # The acknowledgement has an event of its own: a queue receives whole messages, and
    # application.submitted carries the applicant document, which only vetting may have.
    uow.emit("application.received", subject=application_id, data=received_event(application))
    uow.commit()
    return 200, body


def _iso(value: Any) -> str:
    return value.isoformat()


def submitted_event(application: Application, organisation_id: str) -> dict[str, Any]:
    applicant = dict(application.applicant)
    contact = applicant.pop("contact")
    details = {
        k: v
        for k, v in applicant.items()
        if k not in ("forenames", "surname", "middle_names", "date_of_birth")
    }
    return {
        "application_id": application.id,
        "organisation_id": organisation_id,
        "applicant": {
            "forenames": applicant["forenames"],
            "surname": applicant["surname"],
            "middle_names": applicant.get("middle_names"),
            "date_of_birth": applicant.get("date_of_birth"),
            # Vetting's checks use the email; the mobile and the coordinator's address are for
            # notifications alone, which has them from application.contacts_recorded.
            "email": contact["email"],
            "preferred_channel": contact.get("preferred_channel", "EMAIL"),
            "details": details,
        },
        "role": application.role,
        "establishments": application.establishments,
        "requested_access": application.requested_access,
        "frequency": application.frequency,
        "submitted_at": application.submitted_at.isoformat(),
        "renewal_of": application.renewal_of,
    }


def received_event(application: Application) -> dict[str, Any]:
    return {
        "application_id": application.id,
        "establishments": application.establishments,
        "submitted_at": application.submitted_at.isoformat(),
    }


def withdraw(
    uow: UnitOfWork, organisation_id: str, application_id: str, reason: str
) -> Application:
    application = owned_application(uow.session, organisation_id, application_id, for_update=True)
    row = transition(application.status, "withdraw", COORDINATOR)
    moment = uow.now()
    application.status = row.to(application.status)
    application.withdrawn_reason = reason
    application.updated_at = moment
    add_timeline(uow.session, application.id, "withdrawn", {"reason": reason}, moment)
    if "application.withdrawn" in row.emits:
        uow.emit(
            "application.withdrawn",
            subject=application.id,
            data={
                "application_id": application.id,
                "reason": reason,
                "withdrawn_at": moment.isoformat(),
            },
        )
        # Without the reason, for the services that only stop work (a queue receives whole
        # messages, and the organisation's reason is vetting's alone).
        uow.emit(
            "application.withdrawal_announced",
            subject=application.id,
            data={"application_id": application.id, "withdrawn_at": moment.isoformat()},
        )
    return application


def start_renewal(uow: UnitOfWork, organisation_id: str, application_id: str) -> Application:
    """A new draft pre-filled from a cleared application, with renewal_of set."""
    previous = owned_application(uow.session, organisation_id, application_id)
    transition(previous.status, "renew", COORDINATOR)
    data = {
        "applicant": APPLICANT_SCHEMA.load(previous.applicant),
        "role": previous.role,
        "establishments": previous.establishments,
        "requested_access": previous.requested_access,
        "frequency": previous.frequency,
    }
    draft = create_draft(uow, organisation_id, data, renewal_of=previous.id)
    add_timeline(uow.session, previous.id, "renewal_started", {"renewal_id": draft.id}, uow.now())
    return draft


CHANGE_SECTIONS: dict[str, Callable[[dict[str, Any], dict[str, Any]], None]] = {
    "NEW_CONVICTION": lambda doc, d: (
        doc.setdefault("declarations", {}).setdefault("convictions", []).append(d)
    ),
    "NEW_CONNECTION": lambda doc, d: doc.setdefault("connections", []).append(d),
    "CHANGE_OF_ADDRESS": lambda doc, d: doc.setdefault("addresses", []).append(d),
}


def report_change(
    uow: UnitOfWork, organisation_id: str, application_id: str, kind: str, details: dict[str, Any]
) -> dict[str, Any]:
    """A change of circumstances on a cleared applicant: recorded here, reviewed by vetting."""
    application = owned_application(uow.session, organisation_id, application_id, for_update=True)
    transition(application.status, "report_change", COORDINATOR)
    applicant = json.loads(json.dumps(application.applicant))
    CHANGE_SECTIONS[kind](applicant, details)
    application.applicant = applicant
    moment = uow.now()
    application.updated_at = moment
    # The report's id: vetting's outcome for it (vetting.circumstances_reviewed) names it.
    report_id = str(uuid.uuid4())
    add_timeline(
        uow.session,
        application.id,
        "change_reported",
        {"kind": kind, "report_id": report_id},
        moment,
    )
    uow.emit(
        "application.circumstances_changed",
        subject=application.id,
        data={
            "application_id": application.id,
            "kind": kind,
            "details": details,
            "reported_at": moment.isoformat(),
            "report_id": report_id,
        },
    )
    return {"id": report_id, "kind": kind, "reported_at": moment, "outcome": None}


def answer_request(
    uow: UnitOfWork,
    organisation_id: str,
    application_id: str,
    request_id: str,
    answers: list[dict[str, Any]],
) -> Application:
    application = owned_application(uow.session, organisation_id, application_id, for_update=True)
    request = uow.session.get(InformationRequest, request_id)
    if request is None or request.application_id != application.id:
        raise NotFound(request_id)
    if request.status != "OPEN":
        raise Conflict("This request has already been answered or closed.")
    last = not _other_open_requests(uow.session, application.id, request.id)
    row = transition(application.status, "answer_last" if last else "answer", COORDINATOR)
    moment = uow.now()
    request.status, request.answers, request.answered_at = "ANSWERED", answers, moment
    application.status = row.to(application.status)
    application.updated_at = moment
    add_timeline(
        uow.session, application.id, "information_provided", {"request_id": request.id}, moment
    )
    uow.emit(
        "application.info_provided",
        subject=application.id,
        data={
            "application_id": application.id,
            "request_id": request.id,
            "answers": answers,
            "provided_at": moment.isoformat(),
        },
    )
    return application


def _other_open_requests(session: Session, application_id: str, request_id: str) -> bool:
    query = select(InformationRequest.id).where(
        InformationRequest.application_id == application_id,
        InformationRequest.status == "OPEN",
        InformationRequest.id != request_id,
    )
    return session.execute(query).first() is not None


def request_reconsideration(
    uow: UnitOfWork, organisation_id: str, application_id: str, grounds: str
) -> Application:
    """Ask, once, for a refusal to be reconsidered. The row lock makes a twin request wait and
    then see the first one's mark, so it gets a conflict and never emits a second event."""
    application = owned_application(uow.session, organisation_id, application_id, for_update=True)
    if application.reconsideration_requested_at is not None:
        raise Conflict(
            "A reconsideration of this application was already requested on "
            f"{application.reconsideration_requested_at:%d %B %Y}; "
            "it can be requested only once."
        )
    transition(application.status, "request_reconsideration", COORDINATOR)
    moment = uow.now()
    application.reconsideration_requested_at = moment
    application.updated_at = moment
    add_timeline(
        uow.session, application.id, "reconsideration_requested", {"grounds": grounds}, moment
    )
    uow.emit(
        "application.reconsideration_requested",
        subject=application.id,
        data={
            "application_id": application.id,
            "grounds": grounds,
            "requested_at": moment.isoformat(),
        },
    )
    return application
