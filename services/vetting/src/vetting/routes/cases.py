"""/cases: the vetting officers' queue (oldest first)."""

from __future__ import annotations

from flask import abort, current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from shared.web.auth import staff_required
from vetting import service_layer
from vetting.schemas.cases import CaseQuerySchema, CaseSchema

VETTING_ROLES = ("vetting_officer", "vetting_manager")

blp = Blueprint("cases", __name__, url_prefix="/cases", description="Vetting cases.")


@blp.route("")
class Cases(MethodView):
    decorators = [staff_required(*VETTING_ROLES)]

    @blp.arguments(CaseQuerySchema, location="query")
    @blp.response(200, CaseSchema(many=True))
    @blp.doc(security=[{"bearer": []}])
    def get(self, query):  # type: ignore[no-untyped-def]
        """The case queue, oldest first."""
        application_id = str(query["application_id"]) if query.get("application_id") else None
        with current_app.extensions["platform"].session_factory() as session:
            return service_layer.list_cases(session, status=query.get("status"),
                                            application_id=application_id,
                                            limit=query["limit"])


@blp.route("/<string:case_id>")
class CaseById(MethodView):
    decorators = [staff_required(*VETTING_ROLES)]

    @blp.response(200, CaseSchema)
    @blp.doc(security=[{"bearer": []}])
    def get(self, case_id: str):  # type: ignore[no-untyped-def]
        """One case."""
        with current_app.extensions["platform"].session_factory() as session:
            case = service_layer.get_case(session, case_id)
        if case is None:
            abort(404, "Not found.")
        return case
