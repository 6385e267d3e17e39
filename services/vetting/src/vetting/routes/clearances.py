"""/clearances: a person's clearances and their lifecycle; /reports: service levels."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from shared.audit.trail import record_read
from shared.web.auth import staff_required
from shared.web.schemas import AuditEntrySchema
from vetting.adapters.report_csv import report_csv
from vetting.domain.actors import MANAGER_ROLE
from vetting.routes.access_control import SECURITY, VETTING_ROLES, actor
from vetting.routes.request_context import identity_key, now, platform
from vetting.schemas.clearances import (
    ClearanceQuerySchema,
    ClearanceSchema,
    ReportQuerySchema,
    ReportSchema,
)
from vetting.schemas.decisions import ReasonSchema
from vetting.service_layer import clearance_search, clearances, queries

blp = Blueprint(
    "clearances",
    __name__,
    url_prefix="/clearances",
    description="Clearances: one per person, for every establishment.",
)
reports = Blueprint("reports", __name__, url_prefix="/reports", description="Service levels.")
CSV = "text/csv"


@blp.route("")
class Clearances(MethodView):
    decorators = [staff_required(*VETTING_ROLES)]

    @blp.arguments(ClearanceQuerySchema, location="query")
    @blp.response(200, ClearanceSchema(many=True))
    @blp.doc(security=SECURITY)
    def get(self, query):
        """Clearances, soonest expiry first: by person, id, status, expiry (before a moment,
        or within N days), and the holder's surname and forenames (case-insensitive, from
        the start) and date of birth."""
        for name in ("person_id", "clearance_id"):
            if query.get(name):
                query[name] = str(query[name])
        with platform().session_factory() as session:
            return clearance_search.search(session, now(), identity_key(), **query)


@blp.route("/<string:clearance_id>")
class ClearanceById(MethodView):
    decorators = [staff_required(*VETTING_ROLES)]

    @blp.response(200, ClearanceSchema)
    @blp.doc(security=SECURITY)
    def get(self, clearance_id: str):
        """One clearance."""
        with platform().session_factory() as session:
            return clearance_search.one(session, clearance_id)


@blp.route("/<string:clearance_id>/audit")
class ClearanceAudit(MethodView):
    decorators = [staff_required(*VETTING_ROLES)]

    @blp.response(200, AuditEntrySchema(many=True))
    @blp.doc(security=SECURITY)
    def get(self, clearance_id: str):
        """Every change to the clearance, newest first."""
        with platform().session_factory() as session:
            trail = queries.audit_trail(session, "clearance", clearance_id)
            record_read(session, "clearance", clearance_id, detail={"view": "audit"})
            return trail


def _lifecycle(action, clearance_id: str, reason: str):
    with platform().unit_of_work() as uow:
        clearance = clearances.clearance_for_update(uow.session, clearance_id)
        action(uow, clearance, actor(), reason, uow.now())
        view = queries.clearance_view(clearance)
        uow.commit()
    return view


@blp.route("/<string:clearance_id>/suspension")
class Suspend(MethodView):
    decorators = [staff_required(*VETTING_ROLES)]

    @blp.arguments(ReasonSchema)
    @blp.response(200, ClearanceSchema)
    @blp.doc(security=SECURITY)
    def post(self, data, clearance_id: str):
        """Suspend an active clearance: emits vetting.clearance_suspended."""
        return _lifecycle(
            lambda uow, c, who, why, at: clearances.suspend(
                uow, c, who, "OFFICER_DECISION", why, at
            ),
            clearance_id,
            data["reason"],
        )


@blp.route("/<string:clearance_id>/reinstatement")
class Reinstate(MethodView):
    decorators = [staff_required(*VETTING_ROLES)]

    @blp.arguments(ReasonSchema)
    @blp.response(200, ClearanceSchema)
    @blp.doc(security=SECURITY)
    def post(self, data, clearance_id: str):
        """Reinstate a suspended clearance: emits vetting.clearance_reinstated."""
        return _lifecycle(clearances.reinstate, clearance_id, data["reason"])


@blp.route("/<string:clearance_id>/revocation")
class Revoke(MethodView):
    decorators = [staff_required(MANAGER_ROLE)]

    @blp.arguments(ReasonSchema)
    @blp.response(200, ClearanceSchema)
    @blp.doc(security=SECURITY)
    def post(self, data, clearance_id: str):
        """Revoke a clearance for good (vetting managers): emits vetting.clearance_revoked."""
        return _lifecycle(clearances.revoke, clearance_id, data["reason"])


@reports.route("/cases")
class CasesReport(MethodView):
    decorators = [staff_required(*VETTING_ROLES)]

    @reports.arguments(ReportQuerySchema, location="query")
    @reports.response(200, ReportSchema)
    @reports.doc(security=SECURITY)
    def get(self, query):
        """Counts and median / 90th percentile ages and waits (applicant, provider, officer)
        by level and by state, in seconds and in working days (England and Wales), the cases
        waiting longest, weekly intake and decisions (12 weeks), and the open cases' ages."""
        with platform().session_factory() as session:
            return queries.cases_report(session, now(), query.get("opened_since"))


@reports.route("/cases.csv")
class CasesReportCsv(MethodView):
    decorators = [staff_required(*VETTING_ROLES)]

    @reports.arguments(ReportQuerySchema, location="query")
    @reports.response(
        200, description="The report as a CSV file, one section after another.", content_type=CSV
    )
    @reports.doc(security=SECURITY)
    def get(self, query):
        """The same report as a CSV file to download (for a spreadsheet)."""
        moment = now()
        with platform().session_factory() as session:
            report = queries.cases_report(session, moment, query.get("opened_since"))
        name = f"vetting-service-levels-{moment.date().isoformat()}.csv"
        return Response(
            report_csv(report),
            mimetype=CSV,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
