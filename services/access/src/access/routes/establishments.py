"""/establishments/{code}/…: a security team's view of its own establishment only."""

from __future__ import annotations

from flask import abort, current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint

from access import service_layer
from access.schemas.establishments import IncomingCaseSchema, IncomingQuerySchema
from shared.web.auth import staff_required

SECURITY_ROLES = ("security_officer", "head_of_security")

blp = Blueprint("establishments", __name__, url_prefix="/establishments",
                description="Per-establishment views for its security team.")


@blp.route("/<string:code>/incoming")
class Incoming(MethodView):
    decorators = [staff_required(*SECURITY_ROLES)]

    @blp.arguments(IncomingQuerySchema, location="query")
    @blp.response(200, IncomingCaseSchema(many=True))
    @blp.doc(security=[{"bearer": []}])
    def get(self, query, code: str):  # type: ignore[no-untyped-def]
        """People in vetting who asked to come into this establishment, oldest first."""
        if not g.staff.covers(code):
            abort(404, "Not found.")  # another establishment's data does not exist for you
        with current_app.extensions["platform"].session_factory() as session:
            return service_layer.incoming_for(session, code, query["limit"])
