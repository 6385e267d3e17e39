"""A clearance's lifecycle from the workbench: suspend, reinstate, revoke (vetting managers),
with the API's use cases and roles; suspending and revoking are asked twice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import url_for

from shared.uow import UnitOfWork
from vetting.domain.actors import Actor
from vetting.schemas.decisions import ReasonSchema
from vetting.service_layer import clearance_search, clearances
from vetting.workbench.blueprint import bp, platform, require_manager
from vetting.workbench.decision_pages import CLEARANCE_PAGE, GET_POST, Step, decide
from vetting.workbench.forms import ReasonForm

Change = Callable[[UnitOfWork, Any, Actor, str, Any], None]


def _suspend(uow: UnitOfWork, clearance: Any, who: Actor, why: str, at: Any) -> None:
    clearances.suspend(uow, clearance, who, "OFFICER_DECISION", why, at)


def _lifecycle(clearance_id: str, title: str, change: Change, done: str, ask: str | None):
    with platform().session_factory() as session:
        shown = clearance_search.one(session, clearance_id)  # 404 for no such clearance

    def act(uow: UnitOfWork, who: Actor, data: dict[str, Any]) -> str:
        clearance = clearances.clearance_for_update(uow.session, clearance_id)
        change(uow, clearance, who, data["reason"], uow.now())
        return done

    step = Step(
        title,
        "decide_clearance.html",
        act,
        ReasonSchema(),
        confirm=(lambda _data: ask) if ask else None,
        button=title.split(" ")[0],
    )
    back = url_for(CLEARANCE_PAGE, clearance_id=clearance_id)
    return decide(step, ReasonForm(), back=back, context={"clearance": shown})


@bp.route("/clearances/<clearance_id>/suspend", methods=GET_POST)
def suspend(clearance_id: str):
    return _lifecycle(
        clearance_id,
        "Suspend the clearance",
        _suspend,
        "Clearance suspended.",
        "Suspend this clearance? The person loses access until it is reinstated.",
    )


@bp.route("/clearances/<clearance_id>/reinstate", methods=GET_POST)
def reinstate(clearance_id: str):
    return _lifecycle(
        clearance_id, "Reinstate the clearance", clearances.reinstate, "Clearance reinstated.", None
    )


@bp.route("/clearances/<clearance_id>/revoke", methods=GET_POST)
def revoke(clearance_id: str):
    require_manager()
    return _lifecycle(
        clearance_id,
        "Revoke the clearance",
        clearances.revoke,
        "Clearance revoked.",
        "Revoke this clearance for good? It cannot be reinstated.",
    )
