"""/establishments/{code}/visits and /on-site: the on-site register of one establishment."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from access.domain.lifecycle import TEAM
from access.routes.access_control import SECURITY, in_scope, now, platform
from access.schemas.visits import SignInSchema, VisitQuerySchema, VisitSchema
from access.service_layer import visits
from shared.audit.trail import record_read
from shared.web.auth import staff_required

blp = Blueprint(
    "visits",
    __name__,
    url_prefix="/establishments",
    description="Who is on site: signing in and out at the gate.",
)


@blp.route("/<string:code>/visits")
class Visits(MethodView):
    decorators = [staff_required(*TEAM)]

    @blp.arguments(VisitQuerySchema, location="query")
    @blp.response(200, VisitSchema(many=True))
    @blp.doc(security=SECURITY)
    def get(self, query, code: str):
        """A person's visits here, newest first."""
        in_scope(code)
        person_id = str(query["person_id"])
        with platform().session_factory() as session:
            found = visits.person_history(session, [code], person_id, now(), query["limit"])
            record_read(session, "person", person_id, {"view": "visits", "establishment": code})
            return found

    @blp.arguments(SignInSchema)
    @blp.response(201, VisitSchema)
    @blp.alt_response(409, description="Not allowed in now, or already signed in here.")
    @blp.doc(security=SECURITY)
    def post(self, data, code: str):
        """Sign a person in: only if the gate check answers ALLOWED now, and only one open
        visit per person. Audited (a refusal too)."""
        who = in_scope(code)
        with platform().unit_of_work() as uow:
            try:
                visit = visits.sign_in(uow, who, code, str(data["person_id"]))
            except visits.NotLetIn:
                uow.commit()  # the refusal's audit entry
                raise
            uow.commit()
            return visits.visit_at(uow.session, code, visit.id, uow.now())


@blp.route("/<string:code>/visits/<string:visit_id>/sign-out")
class SignOut(MethodView):
    decorators = [staff_required(*TEAM)]

    @blp.response(200, VisitSchema)
    @blp.alt_response(409, description="Already signed out.")
    @blp.doc(security=SECURITY)
    def post(self, code: str, visit_id: str):
        """Sign a visit out. Audited."""
        who = in_scope(code)
        with platform().unit_of_work() as uow:
            visits.sign_out(uow, who, code, visit_id)
            uow.commit()
            return visits.visit_at(uow.session, code, visit_id, uow.now())


@blp.route("/<string:code>/on-site")
class OnSite(MethodView):
    decorators = [staff_required(*TEAM)]

    @blp.response(200, VisitSchema(many=True))
    @blp.doc(security=SECURITY)
    def get(self, code: str):
        """Everyone signed in and not yet out, earliest first; `left_open` marks a visit still
        open from an earlier day."""
        in_scope(code)
        with platform().session_factory() as session:
            return visits.on_site(session, code, now())
