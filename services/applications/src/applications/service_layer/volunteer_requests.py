"""Vetting's sensitive questions, which the volunteer alone is asked and answers on their own
pages: the questions are kept apart from what the organisation sees (InformationRequest's
`volunteer_items`), and the answer takes the organisation's path to vetting
(application.info_provided), but the organisation never reads it."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from applications.domain.lifecycle import COORDINATOR, RequestState, step
from applications.models import Application, InformationRequest
from applications.schemas.applications import AnswerSchema
from applications.service_layer import outgoing
from applications.service_layer.records import add_timeline
from shared.audit import log as audit
from shared.errors import Conflict, Invalid, NotFound
from shared.uow import UnitOfWork

ANSWERS = AnswerSchema(many=True)


def waiting(session: Session, application_id: str) -> list[InformationRequest]:
    """The sensitive requests the volunteer has not answered yet, oldest first."""
    return list(
        session.execute(
            select(InformationRequest)
            .where(
                InformationRequest.application_id == application_id,
                InformationRequest.status == RequestState.VOLUNTEER_ASKED,
                InformationRequest.answered_at.is_(None),
            )
            .order_by(InformationRequest.requested_at)
        ).scalars()
    )


def questions(request: InformationRequest) -> list[str]:
    return [
        str(item.get("question") or "").strip()
        for item in request.volunteer_items or ()
        if str(item.get("question") or "").strip()
    ]


def asked(session: Session, application: Application, request_id: str) -> InformationRequest:
    """One of the application's sensitive requests (any other: not found)."""
    request = session.get(InformationRequest, request_id)
    if (
        request is None
        or request.application_id != application.id
        or request.status != RequestState.VOLUNTEER_ASKED
    ):
        raise NotFound()
    return request


def answer(
    uow: UnitOfWork, application: Application, request_id: str, answers: list[dict[str, Any]]
) -> None:
    request = asked(uow.session, application, request_id)
    if request.answered_at is not None:
        raise Conflict("You have already answered these questions.")
    # The organisation's path to vetting: allowed in the states its answers are.
    step(application.status, "answer", COORDINATOR)
    try:
        loaded = ANSWERS.load(answers)
    except ValidationError as exc:
        raise Invalid("Check your answers.", {"answers": [str(exc.messages)]}) from exc
    moment = uow.now()
    request.answers, request.answered_at = loaded, moment
    add_timeline(
        uow.session,
        application.id,
        "information_provided",
        {"request_id": request.id, "by": "VOLUNTEER"},
        moment,
    )
    outgoing.application_info_provided(uow, application, request.id, loaded, moment)
    audit.record(
        uow.session,
        service="applications",
        actor="volunteer",
        actor_kind=audit.SYSTEM,
        action="information_request.answered_by_volunteer",
        subject_type="application",
        subject_id=application.id,
        detail={"request_id": request.id, "answers": len(loaded)},
        at=moment,
    )
