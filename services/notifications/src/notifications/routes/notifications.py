"""/notifications: what was sent to whom, and its state (operators)."""

from __future__ import annotations

from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint

from notifications.schemas.notifications import (
    NotificationQuerySchema,
    NotificationSchema,
)
from notifications.service_layer import records
from shared.platform import Platform
from shared.web.auth import staff_required

OPERATOR = "operator"
SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]

blp = Blueprint(
    "notifications",
    __name__,
    url_prefix="/notifications",
    description="Notifications and their delivery state.",
)


def platform() -> Platform:
    return current_app.extensions["platform"]


@blp.route("")
class Notifications(MethodView):
    decorators = [staff_required(OPERATOR)]

    @blp.arguments(NotificationQuerySchema, location="query")
    @blp.response(200, NotificationSchema(many=True))
    @blp.doc(security=SECURITY)
    def get(self, query):
        """Notifications, oldest first, by application, recipient or state."""
        with platform().session_factory() as session:
            return records.list_notifications(
                session,
                application_id=str(query["application_id"]) if query["application_id"] else None,
                recipient=query["recipient"],
                status=query["status"],
                limit=query["limit"],
            )


@blp.route("/<string:notification_id>/resend")
class Resend(MethodView):
    decorators = [staff_required(OPERATOR)]

    @blp.response(200, NotificationSchema)
    @blp.doc(security=SECURITY)
    def post(self, notification_id: str):
        """Send a failed notification again (the same notification: still one per event,
        recipient and channel)."""
        # The sender (in the consume process) picks it up on its next pass, within a second.
        with platform().unit_of_work() as uow:
            notification = records.resend(uow, g.staff.staff_id, notification_id)
            view = records.notification_view(notification)
            uow.commit()
        return view
