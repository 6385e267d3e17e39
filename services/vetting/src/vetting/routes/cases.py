"""/cases: the vetting officers' queue (oldest first), one case in full, its audit trail."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from shared.audit.trail import record_read
from shared.web.auth import staff_required
from shared.web.schemas import AuditEntrySchema
from vetting.routes.access_control import SECURITY, VETTING_ROLES, actor
from vetting.routes.request_context import now, platform
from vetting.schemas.cases import CasePageSchema, CaseQuerySchema, CaseSchema
from vetting.service_layer import assignment, queries

blp = Blueprint("cases", __name__, url_prefix="/cases", description="Vetting cases.")


@blp.route("")
class Cases(MethodView):
    decorators = [staff_required(*VETTING_ROLES)]

    @blp.arguments(CaseQuerySchema, location="query")
    @blp.response(200, CasePageSchema)
    @blp.doc(security=SECURITY)
    def get(self, query):
        """The queue, oldest first: filter by state, level, who it waits on, and age."""
        application_id = str(query.pop("application_id")) if query.get("application_id") else None
        if query.get("assigned_to") == "me":
            query["assigned_to"] = actor().subject
        with platform().session_factory() as session:
            return queries.list_cases(session, now(), application_id=application_id, **query)


@blp.route("/<string:case_id>")
class CaseById(MethodView):
    decorators = [staff_required(*VETTING_ROLES)]

    @blp.response(200, CaseSchema)
    @blp.doc(security=SECURITY)
    def get(self, case_id: str):
        """One case: checks and results, risk summary, requests and answers, decisions."""
        with platform().session_factory() as session:
            view = queries.case_view(session, case_id, now())
            record_read(session, "case", case_id)
            return view


@blp.route("/<string:case_id>/audit")
class CaseAudit(MethodView):
    decorators = [staff_required(*VETTING_ROLES)]

    @blp.response(200, AuditEntrySchema(many=True))
    @blp.doc(security=SECURITY)
    def get(self, case_id: str):
        """Every decision on the case, newest first (who, when, what, why, policy version)."""
        with platform().session_factory() as session:
            trail = queries.audit_trail(session, "case", case_id)
            record_read(session, "case", case_id, detail={"view": "audit"})
            return trail


@blp.route("/<string:case_id>/assignment")
class Assignment(MethodView):
    decorators = [staff_required(*VETTING_ROLES)]

    @blp.response(200, CaseSchema)
    @blp.doc(security=SECURITY)
    def post(self, case_id: str):
        """Take the case: you work it, nobody else may (409 naming who holds it; taking your
        own again changes nothing; a decided case is not taken)."""
        return _assign(assignment.take, case_id)

    @blp.response(200, CaseSchema)
    @blp.doc(security=SECURITY)
    def delete(self, case_id: str):
        """Release the case: its holder, or a manager (409 for anyone else)."""
        return _assign(assignment.release, case_id)


def _assign(action, case_id: str):
    with platform().unit_of_work() as uow:
        action(uow, case_id, actor(), uow.now())
        uow.commit()
    with platform().session_factory() as session:
        return queries.case_view(session, case_id, now())
