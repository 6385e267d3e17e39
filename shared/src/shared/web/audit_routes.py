"""`GET /audit`: a service's audit log, for auditors.

A module of its own because it needs shared.web.auth, which itself records refused
credentials through shared.audit.trail.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Api, Blueprint

from shared.audit import log as audit
from shared.audit.trail import record_read
from shared.web.auth import staff_required
from shared.web.roles import AUDITOR
from shared.web.schemas import AuditPageSchema, AuditQuerySchema


def register_audit_routes(api: Api) -> None:
    blp = Blueprint(
        "audit",
        __name__,
        url_prefix="/audit",
        description="This service's audit log, for auditors.",
    )

    @blp.route("")
    class AuditLog(MethodView):
        decorators = [staff_required(AUDITOR)]

        @blp.arguments(AuditQuerySchema, location="query")
        @blp.response(200, AuditPageSchema)
        @blp.doc(security=[{"bearer": []}])
        def get(self, query: dict[str, Any]) -> dict[str, Any]:
            """Entries newest first: who, what, when, subject, outcome, why, correlation id.
            Filter by subject, actor, action, outcome and time; page with before_id. Reading
            the log is itself written to it (it holds decision reasons)."""
            platform = current_app.extensions["platform"]
            with platform.session_factory() as session:
                found = audit.entries(session, **query)
                record_read(
                    session,
                    "audit_log",
                    platform.settings.service,
                    detail={
                        "filters": {k: str(v) for k, v in query.items() if k != "limit"},
                        "entries": len(found),
                    },
                )
            more = len(found) == query["limit"]
            return {"entries": found, "next_before_id": found[-1]["id"] if more else None}

    api.register_blueprint(blp)
