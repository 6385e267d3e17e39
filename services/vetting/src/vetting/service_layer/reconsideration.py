"""A refusal reconsidered at a governor's request. The organisation asks through the
applications service (service_layer.intake.open_reconsideration); the governor of an
establishment the case concerns may ask too, here. Either way a refused case goes back to an
officer once, and an officer who took no part in the refusal decides."""

from __future__ import annotations

from collections.abc import Collection

from shared.errors import Conflict, NotFound
from shared.uow import UnitOfWork
from vetting.domain.actors import Actor
from vetting.domain.lifecycles.case import CaseState
from vetting.models import CaseUpdate, VettingCase
from vetting.service_layer.audit_trail import audit_decision
from vetting.service_layer.case_moves import move, take
from vetting.service_layer.lookups import case_for_update


def request_by_governor(
    uow: UnitOfWork, case_id: str, actor: Actor, establishments: Collection[str], grounds: str
) -> VettingCase:
    """The governor of one of the case's establishments asks for the refusal to be
    reconsidered. Another establishment's governor is told the case does not exist (404)."""
    case = case_for_update(uow.session, case_id)
    concerned = sorted(set(case.establishments) & set(establishments))
    if not concerned:
        raise NotFound()
    if case.reconsideration is not None:
        raise Conflict(
            "A reconsideration of this refusal was already asked for: it is asked once.",
            {"status": [f"The case is {case.status}."]},
        )
    take(case, "reconsideration_requested_by_governor", actor)
    moment = uow.now()
    case.reconsideration = {
        "grounds": grounds,
        "requested_at": moment.isoformat(),
        "requested_by": actor.subject,
        "requested_as": "GOVERNOR",
        "establishments": concerned,
    }
    uow.session.add(
        CaseUpdate(
            case_id=case.id,
            kind="reconsideration_requested",
            data={"grounds": grounds, "requested_by": "GOVERNOR", "establishments": concerned},
            received_at=moment,
        )
    )
    move(case, CaseState.RECONSIDERATION, moment)
    audit_decision(
        uow,
        actor,
        "case.reconsideration_opened",
        "case",
        case.id,
        reason=grounds,
        detail={"requested_as": "GOVERNOR", "establishments": concerned},
    )
    return case
