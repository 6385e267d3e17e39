"""/notifications: what was sent to whom, for operators."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from notifications import service_layer
from notifications.schemas.notifications import NotificationQuerySchema, NotificationSchema
from shared.web.auth import staff_required

blp = Blueprint("notifications", __name__, url_prefix="/notifications",
                description="Notifications and their delivery state.")


@blp.route("")
class Notifications(MethodView):
    decorators = [staff_required("operator")]

    @blp.arguments(NotificationQuerySchema, location="query")
    @blp.response(200, NotificationSchema(many=True))
    @blp.doc(security=[{"bearer": []}])
    def get(self, query):  # type: ignore[no-untyped-def]
        """Notifications, oldest first, optionally for one application."""
        application_id = str(query["application_id"]) if query.get("application_id") else None
        with current_app.extensions["platform"].session_factory() as session:
            return service_layer.list_notifications(session, application_id, query["limit"])
