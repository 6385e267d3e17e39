"""Review items: vetting's news that would change who a grant is for, held for the security
team of the establishment (another establishment's items are a 404)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from access.domain.lifecycle import TEAM
from access.routes.access_control import SECURITY, actor, in_scope, platform
from access.schemas.review_items import (
    ResolutionSchema,
    ReviewItemQuerySchema,
    ReviewItemSchema,
)
from access.service_layer import review_items
from shared.web.auth import staff_required

blp = Blueprint(
    "review_items",
    __name__,
    description="News from vetting held for an establishment's security team.",
)


@blp.route("/establishments/<string:code>/review-items")
class ReviewItems(MethodView):
    decorators = [staff_required(*TEAM)]

    @blp.arguments(ReviewItemQuerySchema, location="query")
    @blp.response(200, ReviewItemSchema(many=True))
    @blp.doc(security=SECURITY)
    def get(self, query, code: str):
        """Review items here, oldest first: OPEN ones unless `status` says otherwise."""
        in_scope(code)
        with platform().session_factory() as session:
            return review_items.items_at(session, code, query["status"], query["limit"])


@blp.route("/review-items/<string:item_id>/resolution")
class Resolution(MethodView):
    decorators = [staff_required(*TEAM)]

    @blp.arguments(ResolutionSchema)
    @blp.response(200, ReviewItemSchema)
    @blp.doc(security=SECURITY)
    def post(self, body, item_id: str):
        """DISMISS (the grant stays as it is) or ACCEPT (heads of security: the held news is
        applied to the grant, its name and date of birth included). Audited with the reason."""
        with platform().unit_of_work() as uow:
            view = review_items.resolve(uow, actor(), item_id, body["outcome"], body["reason"])
            uow.commit()
            return view
