"""A governor asks for a refusal concerning their establishment to be reconsidered."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from shared.web.auth import staff_required
from vetting.domain.actors import GOVERNOR
from vetting.routes.access_control import SECURITY, actor
from vetting.routes.request_context import platform
from vetting.schemas.reconsiderations import ReconsiderationInputSchema, ReconsiderationSchema
from vetting.service_layer import reconsideration

blp = Blueprint(
    "reconsiderations",
    __name__,
    url_prefix="/cases",
    description="Reconsideration of a refusal, asked for by an establishment's governor.",
)


@blp.route("/<string:case_id>/reconsideration")
class Reconsideration(MethodView):
    decorators = [staff_required(GOVERNOR)]

    @blp.arguments(ReconsiderationInputSchema)
    @blp.response(202, ReconsiderationSchema)
    @blp.alt_response(404, description="No such case, or none concerning your establishments.")
    @blp.alt_response(409, description="Not refused, or a reconsideration was already asked for.")
    @blp.doc(security=SECURITY)
    def post(self, data, case_id: str):
        """The governor of an establishment the case concerns asks for its refusal to be
        reconsidered (once, as the organisation may through the applications service): the case
        goes back to an officer who took no part in the refusal. The governor is shown nothing
        of the case."""
        with platform().unit_of_work() as uow:
            case = reconsideration.request_by_governor(
                uow, case_id, actor(), g.staff.establishments, data["grounds"]
            )
            view = {
                "case_id": case.id,
                "status": case.status,
                "requested_at": case.updated_at,
            }
            uow.commit()
        return view
