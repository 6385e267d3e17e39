"""Readiness, submission (idempotent), withdrawal, renewal, answers, changes and
reconsideration: what an organisation does to an application once it is drafted."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from applications.domain.lifecycle import (
    COORDINATOR,
    INFORMATION_REQUEST,
    RequestState,
    step,
)
from applications.domain.readiness import (
    Needs,
    Problem,
    ReadinessPolicy,
    check_readiness,
    clearance_needs,
    is_ready,
)
from applications.models import Application, InformationRequest, Organisation
from applications.service_layer import contacts, outgoing, volunteer_sections
from applications.service_layer.contacts import ContactLinks
from applications.service_layer.drafts import (
    APPLICANT_SCHEMA,
    create_draft,
    loaded_application,
    summary_view,
)
from applications.service_layer.records import add_timeline, owned_application
from shared.clock import today
from shared.errors import Conflict, Invalid, NotFound
from shared.uow import UnitOfWork


@dataclass(frozen=True)
class SubmitResult:
    """What a submit did: the submitted application's summary (the first one again for a retry
    with the same Idempotency-Key), or, for a draft not ready, nothing but the problems."""

    summary: dict[str, Any] | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def submitted(self) -> bool:
        return self.summary is not None


def idempotency_key_reused() -> Invalid:
    return Invalid(
        "This Idempotency-Key was used for a different request.",
        {"Idempotency-Key": ["Use a new key for a new request."]},
    )


def readiness(
    application: Application | SimpleNamespace,
    establishments: Mapping[str, Any],
    policy: ReadinessPolicy,
    today: date,
) -> list[Problem]:
    """The problems, as the organisation may see them (volunteer_sections: the volunteer's
    sections only as "needs attention"); `volunteer_problems` has them whole."""
    return volunteer_sections.organisation_problems(
        application, volunteer_problems(application, establishments, policy, today)
    )


def volunteer_problems(
    application: Application | SimpleNamespace,
    establishments: Mapping[str, Any],
    policy: ReadinessPolicy,
    today: date,
) -> list[Problem]:
    return check_readiness(
        loaded_application(application), today=today, establishments=establishments, policy=policy
    )


def needs(
    application: Application | SimpleNamespace,
    establishments: Mapping[str, Any],
    policy: ReadinessPolicy,
) -> Needs:
    """The request's clearance level and the sections it does not need."""
    return clearance_needs(loaded_application(application), establishments, policy)


def readiness_view(problems: list[Problem], needed: Needs | None = None) -> dict[str, Any]:
    view: dict[str, Any] = {"ready": is_ready(problems), "problems": [asdict(p) for p in problems]}
    if needed is not None:
        view["clearance_level"] = {
            "code": needed.level.code,
            "label": needed.level.label,
            "sections": sorted(needed.level.sections),
        }
        view["not_needed"] = [asdict(n) for n in needed.not_needed]
    return view


def submit(
    uow: UnitOfWork,
    organisation_id: str,
    application_id: str,
    *,
    establishments: Mapping[str, Any],
    policy: ReadinessPolicy,
    links: ContactLinks,
    idempotency_key: str | None = None,
) -> SubmitResult:
    """Submit a ready draft; a retry with the same Idempotency-Key gets the first summary
    again and never a second submission. A draft not ready is left as it is.

    The key and the response are kept on the application row (unique per organisation), so
    a submit is one locked read, one update and one outbox insert. A twin request waits for the
    row lock and then reads the committed row, key and response included."""
    # Plain Core on this hot path: the ORM's unit-of-work bookkeeping cost more than the SQL.
    session = uow.session
    applications = cast(Table, Application.__table__)
    organisations = cast(Table, Organisation.__table__)
    row = session.execute(
        select(
            applications,
            organisations.c.coordinator_email,
            organisations.c.name.label("organisation_name"),
        )
        .join(organisations, organisations.c.id == applications.c.organisation_id)
        .where(
            applications.c.id == application_id, applications.c.organisation_id == organisation_id
        )
        .with_for_update(of=applications)
    ).first()
    if row is None:
        raise NotFound()
    if idempotency_key and row.submit_key == idempotency_key:
        return SubmitResult(row.submit_response or {})
    move = step(row.status, "submit", COORDINATOR)  # 409 naming the state
    draft = SimpleNamespace(**row._mapping)
    problems = readiness(draft, establishments, policy, today(uow.clock))
    if not is_ready(problems):
        return SubmitResult(None, problems)
    clash = contacts.coordinator_clash(row.applicant, row.coordinator_email)
    if clash:  # a draft made before the rule
        raise contacts.CoordinatorsContact(clash)
    moment = uow.now()
    application = SimpleNamespace(
        **{**row._mapping, "status": move.target, "submitted_at": moment, "updated_at": moment}
    )
    body = json.loads(json.dumps(summary_view(application), default=_iso))
    try:
        session.execute(
            update(applications)
            .where(applications.c.id == application_id)
            .values(
                status=move.target,
                submitted_at=moment,
                updated_at=moment,
                submit_key=idempotency_key,
                submit_response=body,
                contact_status=contacts.initial_status(),
            )
        )
    except IntegrityError as exc:  # the key already submitted another application
        raise idempotency_key_reused() from exc
    # The contacts first: notifications reads how to reach the volunteer and the coordinator
    # from them, and its consumer holds application.received back until it has them.
    contacts.start(
        uow, application_id, organisation_id, row.applicant, row.coordinator_email, links
    )
    outgoing.application_submitted(uow, application, organisation_id)
    outgoing.application_received(uow, application)
    outgoing.placement_announced(uow, application, organisation_id, row.organisation_name)
    return SubmitResult(body)


def _iso(value: Any) -> str:
    return value.isoformat()


def withdraw(
    uow: UnitOfWork, organisation_id: str, application_id: str, reason: str
) -> Application:
    application = owned_application(uow.session, organisation_id, application_id, for_update=True)
    move = step(application.status, "withdraw", COORDINATOR)
    moment = uow.now()
    application.status = move.target
    application.withdrawn_reason = reason
    application.updated_at = moment
    add_timeline(uow.session, application.id, "withdrawn", {"reason": reason}, moment)
    if "application.withdrawn" in move.events:  # a draft was never announced
        outgoing.application_withdrawn(uow, application, reason, moment)
        outgoing.application_withdrawal_announced(uow, application, moment)
    return application


def start_renewal(uow: UnitOfWork, organisation_id: str, application_id: str) -> Application:
    """A new draft pre-filled from a cleared application, with renewal_of set."""
    previous = owned_application(uow.session, organisation_id, application_id)
    step(previous.status, "renew", COORDINATOR)
    data = {
        "applicant": APPLICANT_SCHEMA.load(previous.applicant),
        "role": previous.role,
        "establishments": previous.establishments,
        "requested_access": previous.requested_access,
        "frequency": previous.frequency,
        "group_name": previous.group_name,
        "area": previous.area,
    }
    draft = create_draft(uow, organisation_id, data, renewal_of=previous.id)
    if previous.volunteer_sections is not None:
        # The volunteer's sections stay theirs: the organisation must not read them in the draft.
        draft.volunteer_sections = {
            "sections": list(previous.volunteer_sections.get("sections") or []),
            "completed": {},
        }
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
    step(application.status, "report_change", COORDINATOR)
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
    outgoing.application_circumstances_changed(uow, application, kind, details, report_id, moment)
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
        raise NotFound()
    if request.status != RequestState.OPEN:
        raise Conflict("This request has already been answered or closed.")
    last = not _other_open_requests(uow.session, application.id, request.id)
    move = step(application.status, "answer_last" if last else "answer", COORDINATOR)
    answered = INFORMATION_REQUEST.step(request.status, "answer", (COORDINATOR,))
    moment = uow.now()
    request.status, request.answers, request.answered_at = answered.target, answers, moment
    application.status = move.target
    application.updated_at = moment
    add_timeline(
        uow.session, application.id, "information_provided", {"request_id": request.id}, moment
    )
    outgoing.application_info_provided(uow, application, request.id, answers, moment)
    return application


def _other_open_requests(session: Session, application_id: str, request_id: str) -> bool:
    query = select(InformationRequest.id).where(
        InformationRequest.application_id == application_id,
        InformationRequest.status == RequestState.OPEN,
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
    step(application.status, "request_reconsideration", COORDINATOR)
    moment = uow.now()
    application.reconsideration_requested_at = moment
    application.updated_at = moment
    add_timeline(
        uow.session, application.id, "reconsideration_requested", {"grounds": grounds}, moment
    )
    outgoing.application_reconsideration_requested(uow, application, grounds, moment)
    return application
