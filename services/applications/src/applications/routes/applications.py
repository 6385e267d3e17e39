"""/applications: an MA organisation's applications (its own only)."""

from __future__ import annotations

from flask import abort, current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint

from applications import service_layer
from applications.schemas.applications import ApplicationCreateSchema, ApplicationSchema
from shared.platform import Platform
from shared.web.auth import organisation_required

blp = Blueprint("applications", __name__, url_prefix="/applications",
                description="Applications of the calling MA organisation.")


def _platform() -> Platform:
    return current_app.extensions["platform"]


@blp.route("")
class Applications(MethodView):
    decorators = [organisation_required]

    @blp.arguments(ApplicationCreateSchema)
    @blp.response(201, ApplicationSchema)
    @blp.doc(security=[{"bearer": []}])
    def post(self, data):  # type: ignore[no-untyped-def]
        """Submit an application for vetting."""
        with _platform().unit_of_work() as uow:
            application = service_layer.submit_application(uow, g.organisation_id, data)
            return service_layer.application_view(uow.session, application)


@blp.route("/<string:application_id>")
class ApplicationById(MethodView):
    decorators = [organisation_required]

    @blp.response(200, ApplicationSchema)
    @blp.doc(security=[{"bearer": []}])
    def get(self, application_id: str):  # type: ignore[no-untyped-def]
        """One application with its timeline (404 unless it is the caller's)."""
        with _platform().session_factory() as session:
            application = service_layer.get_application(session, g.organisation_id,
                                                        application_id)
            if application is None:
                abort(404, "Not found.")
            return service_layer.application_view(session, application)
