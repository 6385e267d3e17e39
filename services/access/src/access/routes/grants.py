"""/grants/{id}: one grant, its history, and every decision about it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from access.domain.lifecycle import HEAD, TEAM
from access.routes.access_control import SECURITY, actor, platform
from access.schemas.grants import (
    ApprovalSchema,
    ExclusionSchema,
    GrantSchema,
    InductionItemSchema,
    PersonSchema,
    ReasonSchema,
)
from access.service_layer import decisions, queries
from access.service_layer.actors import grant_for_update
from shared.audit.trail import record_read
from shared.web.auth import staff_required
from shared.web.schemas import AuditEntrySchema

blp = Blueprint(
    "grants",
    __name__,
    url_prefix="/grants",
    description="Access grants: one person at one establishment.",
)
people = Blueprint(
    "people",
    __name__,
    url_prefix="/people",
    description="A person's grants at the caller's establishments.",
)


def _decide(grant_id: str, decide: Callable[..., None], *args: Any, **kwargs: Any) -> dict:
    """Lock the grant (in the caller's scope), decide, commit; the grant as it now is."""
    who = actor()
    with platform().unit_of_work() as uow:
        grant = grant_for_update(uow.session, who, grant_id)
        decide(uow, grant, who, uow.now(), *args, **kwargs)
        uow.commit()
        return queries.grant_view(grant)


@blp.route("/<string:grant_id>")
class GrantById(MethodView):
    decorators = [staff_required(*TEAM)]

    @blp.response(200, GrantSchema)
    @blp.doc(security=SECURITY)
    def get(self, grant_id: str):
        """One grant: the person, the clearance it rests on, the terms, the induction."""
        with platform().session_factory() as session:
            view = queries.get_grant(session, actor(), grant_id)
            record_read(session, "grant", grant_id)
            return view


@blp.route("/<string:grant_id>/history")
class History(MethodView):
    decorators = [staff_required(*TEAM)]

    @blp.response(200, AuditEntrySchema(many=True))
    @blp.doc(security=SECURITY)
    def get(self, grant_id: str):
        """Every decision and gate check about the grant, newest first."""
        with platform().session_factory() as session:
            trail = queries.history(session, actor(), grant_id)
            record_read(session, "grant", grant_id, detail={"view": "history"})
            return trail


@blp.route("/<string:grant_id>/approval")
class Approve(MethodView):
    decorators = [staff_required(*TEAM)]

    @blp.arguments(ApprovalSchema)
    @blp.response(200, GrantSchema)
    @blp.doc(security=SECURITY)
    def post(self, data, grant_id: str):
        """Approve a request (or a renewal's terms): access type never above the clearance,
        valid until never past its expiry. Emits access.approved (and access.activated when
        induction is already complete)."""
        return _decide(grant_id, decisions.approve, **data)


@blp.route("/<string:grant_id>/refusal")
class Refuse(MethodView):
    decorators = [staff_required(*TEAM)]

    @blp.arguments(ReasonSchema)
    @blp.response(200, GrantSchema)
    @blp.doc(security=SECURITY)
    def post(self, data, grant_id: str):
        """Refuse a request, with the reason. Emits access.refused."""
        return _decide(grant_id, decisions.refuse, data["reason"])


@blp.route("/<string:grant_id>/induction")
class Induction(MethodView):
    decorators = [staff_required(*TEAM)]

    @blp.arguments(InductionItemSchema)
    @blp.response(200, GrantSchema)
    @blp.doc(security=SECURITY)
    def post(self, data, grant_id: str):
        """Record one induction item (the badge with its number). The last one makes the
        grant ACTIVE: emits access.activated."""
        return _decide(
            grant_id,
            decisions.record_induction,
            item=data["item"],
            badge_number=data["badge_number"],
        )


@blp.route("/<string:grant_id>/suspension")
class Suspend(MethodView):
    decorators = [staff_required(*TEAM)]

    @blp.arguments(ReasonSchema)
    @blp.response(200, GrantSchema)
    @blp.doc(security=SECURITY)
    def post(self, data, grant_id: str):
        """Suspend the grant here. Emits access.suspended."""
        return _decide(grant_id, decisions.suspend, data["reason"])


@blp.route("/<string:grant_id>/reinstatement")
class Reinstate(MethodView):
    decorators = [staff_required(*TEAM)]

    @blp.arguments(ReasonSchema)
    @blp.response(200, GrantSchema)
    @blp.doc(security=SECURITY)
    def post(self, data, grant_id: str):
        """Lift this establishment's suspension (one that came with the clearance stays until
        vetting reinstates it). Emits access.reinstated."""
        return _decide(grant_id, decisions.reinstate, data["reason"])


@blp.route("/<string:grant_id>/exclusion")
class Exclude(MethodView):
    decorators = [staff_required(HEAD)]

    @blp.arguments(ExclusionSchema)
    @blp.response(200, GrantSchema)
    @blp.doc(security=SECURITY)
    def post(self, data, grant_id: str):
        """Exclude the person from this establishment until a review date (head of
        security). Emits access.excluded."""
        return _decide(grant_id, decisions.exclude, data["reason"], data["review_on"])


@blp.route("/<string:grant_id>/revocation")
class Revoke(MethodView):
    decorators = [staff_required(HEAD)]

    @blp.arguments(ReasonSchema)
    @blp.response(200, GrantSchema)
    @blp.doc(security=SECURITY)
    def post(self, data, grant_id: str):
        """Revoke the grant (head of security). Emits access.revoked."""
        return _decide(grant_id, decisions.revoke, data["reason"])


@blp.route("/<string:grant_id>/ending")
class End(MethodView):
    decorators = [staff_required(*TEAM)]

    @blp.arguments(ReasonSchema)
    @blp.response(200, GrantSchema)
    @blp.doc(security=SECURITY)
    def post(self, data, grant_id: str):
        """End the grant (no fault implied: the group ended, the person moved on). Emits
        access.ended."""
        return _decide(grant_id, decisions.end, data["reason"])


@people.route("/<string:person_id>")
class Person(MethodView):
    decorators = [staff_required(*TEAM)]

    @people.response(200, PersonSchema)
    @people.doc(security=SECURITY)
    def get(self, person_id: str):
        """The person's grants at the caller's establishments."""
        with platform().session_factory() as session:
            return queries.person(session, actor(), person_id)
