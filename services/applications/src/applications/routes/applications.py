"""/applications: an MA organisation's drafts and applications (its own only)."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from applications.routes.app_context import establishments, platform, readiness_policy
from applications.schemas.applications import (
    ApplicationInputSchema,
    ApplicationPageSchema,
    ApplicationSchema,
    ListQuerySchema,
    ReadinessSchema,
)
from applications.service_layer import drafts, submission
from applications.service_layer.records import owned_application
from shared.audit.trail import record_read
from shared.clock import today
from shared.web.auth import organisation_required

blp = Blueprint(
    "applications",
    __name__,
    url_prefix="/applications",
    description="Drafts and applications of the calling MA organisation.",
)
SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]


@blp.route("")
class Applications(MethodView):
    decorators = [organisation_required]

    @blp.arguments(ListQuerySchema, location="query")
    @blp.response(200, ApplicationPageSchema)
    @blp.doc(security=SECURITY)
    def get(self, query):
        """List applications, oldest first, with filters and a cursor for the next page."""
        with platform().session_factory() as session:
            try:
                return drafts.list_applications(session, g.organisation_id, **query)
            except ValueError as exc:
                abort(422, message=str(exc), messages={"cursor": [str(exc)]})

    @blp.arguments(ApplicationInputSchema)
    @blp.response(201, ApplicationSchema)
    @blp.doc(security=SECURITY)
    def post(self, data):
        """Create a draft. It may be incomplete: the readiness check says what is missing."""
        with platform().unit_of_work() as uow:
            application = drafts.create_draft(uow, g.organisation_id, data)
            uow.commit()
            return drafts.application_view(uow.session, application)


@blp.route("/<string:application_id>")
class ApplicationById(MethodView):
    decorators = [organisation_required]

    @blp.response(200, ApplicationSchema)
    @blp.doc(security=SECURITY)
    def get(self, application_id: str):
        """One application with its status, information requests and timeline."""
        with platform().session_factory() as session:
            application = owned_application(session, g.organisation_id, application_id)
            view = drafts.application_view(session, application)
            record_read(session, "application", application_id)
            return view

    @blp.arguments(ApplicationInputSchema)
    @blp.response(200, ApplicationSchema)
    @blp.doc(security=SECURITY)
    def patch(self, changes, application_id: str):
        """Change a draft: each section given replaces the one stored."""
        with platform().unit_of_work() as uow:
            application = drafts.update_draft(uow, g.organisation_id, application_id, changes)
            uow.commit()
            return drafts.application_view(uow.session, application)


@blp.route("/<string:application_id>/readiness")
class Readiness(MethodView):
    decorators = [organisation_required]

    @blp.response(200, ReadinessSchema)
    @blp.doc(security=SECURITY)
    def get(self, application_id: str):
        """Every problem that would delay or sink the application, each with how to fix it,
        and the clearance level the request needs: sections that level does not need (for a
        one-off escorted visit: address history, declarations, referees) are not asked for."""
        known = establishments()  # before the session: SQLite allows one transaction at a time
        with platform().session_factory() as session:
            application = owned_application(session, g.organisation_id, application_id)
            policy = readiness_policy()
            problems = submission.readiness(application, known, policy, today(platform().clock))
            needed = submission.needs(application, known, policy)
        return submission.readiness_view(problems, needed)
