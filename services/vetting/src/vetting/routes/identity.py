"""Possible identity matches: an officer links the case's applicant to a person vetting knows,
or separates the two (remembered)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from shared.web.auth import staff_required
from vetting.routes.access_control import SECURITY, VETTING_ROLES, actor
from vetting.routes.request_context import now, platform, policy
from vetting.schemas.cases import CaseSchema
from vetting.schemas.decisions import IdentityDecisionSchema
from vetting.service_layer import identity_decisions, queries

blp = Blueprint(
    "identity",
    __name__,
    url_prefix="/cases",
    description="Who the applicant is: possible matches, linked or separated.",
)


def _case(case_id: str):
    with platform().session_factory() as session:
        return queries.case_view(session, case_id, now())


@blp.route("/<string:case_id>/identity/link")
class Link(MethodView):
    decorators = [staff_required(*VETTING_ROLES)]

    @blp.arguments(IdentityDecisionSchema)
    @blp.response(200, CaseSchema)
    @blp.doc(security=SECURITY)
    def post(self, data, case_id: str):
        """The applicant is this person: the case joins their record (and their clearance
        serves it if it covers the request)."""
        with platform().unit_of_work() as uow:
            identity_decisions.link(
                uow, policy(), case_id, data["person_id"], actor(), data["reason"]
            )
            uow.commit()
        return _case(case_id)


@blp.route("/<string:case_id>/identity/separation")
class Separate(MethodView):
    decorators = [staff_required(*VETTING_ROLES)]

    @blp.arguments(IdentityDecisionSchema)
    @blp.response(200, CaseSchema)
    @blp.doc(security=SECURITY)
    def post(self, data, case_id: str):
        """Two different people: never offered as a match again."""
        with platform().unit_of_work() as uow:
            identity_decisions.separate(
                uow, policy(), case_id, data["person_id"], actor(), data["reason"]
            )
            uow.commit()
        return _case(case_id)
