"""/establishments/…: a security team's views of its own establishments only."""

from __future__ import annotations

from flask import jsonify
from flask.views import MethodView
from flask_smorest import Blueprint

from access.adapters.metrics import count_gate_answer
from access.domain.lifecycle import TEAM
from access.routes.access_control import SECURITY, actor, in_scope, now, platform
from access.schemas.establishments import (
    EstablishmentSchema,
    GateQuerySchema,
    GateResultSchema,
    GrantQuerySchema,
    IncomingCaseSchema,
    IncomingQuerySchema,
    PageQuerySchema,
)
from access.schemas.grants import GrantPageSchema
from access.service_layer import gate, gate_by_name, incoming, queries
from shared.web.auth import staff_required

blp = Blueprint(
    "establishments",
    __name__,
    url_prefix="/establishments",
    description="Per-establishment views for its security team.",
)


@blp.route("")
class Establishments(MethodView):
    decorators = [staff_required(*TEAM)]

    @blp.response(200, EstablishmentSchema(many=True))
    @blp.doc(security=SECURITY)
    def get(self):
        """The establishments the caller works for."""
        with platform().session_factory() as session:
            return queries.establishments(session, actor())


@blp.route("/<string:code>/incoming")
class Incoming(MethodView):
    decorators = [staff_required(*TEAM)]

    @blp.arguments(IncomingQuerySchema, location="query")
    @blp.response(200, IncomingCaseSchema(many=True))
    @blp.doc(security=SECURITY)
    def get(self, query, code: str):
        """People in vetting who asked to come into this establishment, oldest first."""
        in_scope(code)
        with platform().session_factory() as session:
            return incoming.incoming_for(session, code, query["limit"])


@blp.route("/<string:code>/queue")
class Queue(MethodView):
    decorators = [staff_required(*TEAM)]

    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, GrantPageSchema)
    @blp.doc(security=SECURITY)
    def get(self, query, code: str):
        """Access requests (and renewals) awaiting this establishment's decision, oldest
        first."""
        in_scope(code)
        with platform().session_factory() as session:
            return queries.queue(session, code, limit=query["limit"], cursor=query["cursor"])


@blp.route("/<string:code>/grants")
class Grants(MethodView):
    decorators = [staff_required(*TEAM)]

    @blp.arguments(GrantQuerySchema, location="query")
    @blp.response(200, GrantPageSchema)
    @blp.doc(security=SECURITY)
    def get(self, query, code: str):
        """Every grant at this establishment (optionally in one state), oldest first."""
        in_scope(code)
        with platform().session_factory() as session:
            return queries.grants_at(
                session, code, status=query["status"], limit=query["limit"], cursor=query["cursor"]
            )


@blp.route("/<string:code>/gate-check")
class GateCheck(MethodView):
    """The hot path (bench/gatecheck.py): schemas built once, the answer serialised without a
    marshmallow dump (`gate.result_json`; a unit test holds it to GateResultSchema's dump)."""

    decorators = [staff_required(*TEAM)]

    @blp.arguments(GateQuerySchema(), location="query")
    @blp.response(200, GateResultSchema)
    @blp.doc(security=SECURITY)
    def get(self, query, code: str):
        """May this person (by id, badge number, or name and date of birth) come in here now?
        Allowed or not, why, and the terms; several people of that name and birthday: whom
        to choose from. Every check is audited."""
        who = in_scope(code)
        moment = now()
        if query["name"] is not None:
            # Without a badge: not the hot path, and perhaps several people to choose from.
            with platform().session_factory() as session:
                result, matches = gate_by_name.check_by_name(
                    session, who, code, moment, query["name"], query["date_of_birth"]
                )
                session.commit()
            count_gate_answer(result)
            return jsonify(gate_by_name.answer_json(result, matches, moment))
        person = str(query["person"]) if query["person"] else None
        engine = platform().engine
        if gate.fast_path(engine):
            # Autocommit on the pooled connection: the audit entry is in before the answer.
            result = gate.check_at_gate(
                engine, who, code, moment, person_id=person, badge=query["badge"]
            )
        else:
            with platform().session_factory() as session:
                result = gate.gate_check(
                    session, who, code, moment, person_id=person, badge=query["badge"]
                )
                session.commit()
        count_gate_answer(result)
        return jsonify(gate.result_json(result, moment))  # a Response: flask-smorest sends it
