"""/establishments/{code}/people: find a person here without their badge or id."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from access.domain.lifecycle import TEAM
from access.routes.access_control import SECURITY, in_scope, now, platform
from access.schemas.people import FindQuerySchema, PeopleFoundSchema
from access.service_layer.finding import Search, find_people
from shared.web.auth import staff_required

blp = Blueprint(
    "find-people",
    __name__,
    url_prefix="/establishments",
    description="Finding a person at one of the caller's establishments.",
)


@blp.route("/<string:code>/people")
class People(MethodView):
    decorators = [staff_required(*TEAM)]

    @blp.arguments(FindQuerySchema, location="query")
    @blp.response(200, PeopleFoundSchema)
    @blp.doc(security=SECURITY)
    def get(self, query, code: str):
        """The people here (current grants) matching every criterion given: a name (accents
        and case do not matter; each word the start of a word of the name), a date of birth,
        a badge number, an application reference. At least one; sorted by name. Audited."""
        who = in_scope(code)
        with platform().session_factory() as session:
            found = find_people(session, who, code, Search(**query), now())
            session.commit()
        return found
