"""/erasure-requests: ask for an organisation's data about a person to be erased (or, for the
data protection officer, the person everywhere), and follow each service's part."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from applications.routes.app_context import platform
from applications.schemas.erasure import ErasureRequestInputSchema, ErasureRequestSchema
from applications.service_layer import erasure
from shared.web.auth import organisation_or_staff
from shared.web.roles import DATA_PROTECTION_OFFICER

blp = Blueprint(
    "erasure-requests",
    __name__,
    url_prefix="/erasure-requests",
    description="Erasure of a person's data in every service.",
)
SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]


def _caller() -> tuple[str | None, str]:
    """(the organisation scoping the request, or None for the officer; who asked)."""
    if "organisation_id" in g:
        return g.organisation_id, f"organisation:{g.organisation_id}"
    return None, f"staff:{g.staff.staff_id}"


@blp.route("")
class ErasureRequests(MethodView):
    decorators = [organisation_or_staff(DATA_PROTECTION_OFFICER)]

    @blp.arguments(ErasureRequestInputSchema)
    @blp.response(202, ErasureRequestSchema, description="Accepted: erasure under way.")
    @blp.alt_response(
        200,
        schema=ErasureRequestSchema,
        description="A request for this application is already under way.",
    )
    @blp.doc(security=SECURITY)
    def post(self, body):
        """An organisation: erase what it supplied about the person behind its application
        (its applications, their timeline and messages; grants only it asked for end). The
        data protection officer: erase the person in every service (their clearances and
        grants end first). Each service reports when it has erased."""
        organisation_id, who = _caller()
        with platform().unit_of_work() as uow:
            request, created = erasure.request_erasure(
                uow, str(body["application_id"]), organisation_id=organisation_id, requested_by=who
            )
            view = erasure.request_view(request, for_organisation=organisation_id is not None)
            uow.commit()
        return view, 202 if created else 200


@blp.route("/<string:erasure_id>")
class ErasureRequestById(MethodView):
    decorators = [organisation_or_staff(DATA_PROTECTION_OFFICER)]

    @blp.response(200, ErasureRequestSchema)
    @blp.doc(security=SECURITY)
    def get(self, erasure_id: str):
        """How far each service has got."""
        organisation_id, _who = _caller()
        with platform().session_factory() as session:
            return erasure.request_view(
                erasure.find_request(session, erasure_id, organisation_id),
                for_organisation=organisation_id is not None,
            )
