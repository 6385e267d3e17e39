"""/notifications: what was sent to whom and its state; /recipients: opt-outs. Operators."""

from __future__ import annotations

from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint

from notifications import records
from notifications.schemas.notifications import (
    NotificationQuerySchema,
    NotificationSchema,
    OptOutsSchema,
    RecipientSchema,
)
from shared.platform import Platform
from shared.web.auth import staff_required

OPERATOR = "operator"
SECURITY = [{"bearer": []}]

blp = Blueprint("notifications", __name__, url_prefix="/notifications",
                description="Notifications and their delivery state.")
recipients = Blueprint("recipients", __name__, url_prefix="/recipients",
                       description="How an applicant may be contacted.")


def _platform() -> Platform:
    return current_app.extensions["platform"]


@blp.route("")
class Notifications(MethodView):
    decorators = [staff_required(OPERATOR)]

    @blp.arguments(NotificationQuerySchema, location="query")
    @blp.response(200, NotificationSchema(many=True))
    @blp.doc(security=SECURITY)
    def get(self, query):  # type: ignore[no-untyped-def]
        """Notifications, oldest first, by application, recipient or state."""
        with _platform().session_factory() as session:
            return records.list_notifications(
                session, application_id=str(query["application_id"])
                if query["application_id"] else None,
                recipient=query["recipient"], status=query["status"], limit=query["limit"])


@blp.route("/<string:notification_id>/resend")
class Resend(MethodView):
    decorators = [staff_required(OPERATOR)]

    @blp.response(200, NotificationSchema)
    @blp.doc(security=SECURITY)
    def post(self, notification_id: str):  # type: ignore[no-untyped-def]
        """Send a failed notification again (the same notification: still one per event,
        recipient and channel)."""
        platform = _platform()
        with platform.unit_of_work() as uow:
            notification = records.resend(uow, g.staff.staff_id, notification_id)
            view = records.notification_view(notification)
            uow.commit()
        sender = platform.extras.get("sender")
        if sender is not None:
            sender.wake()
        return view


@recipients.route("/<string:application_id>/opt-outs")
class OptOuts(MethodView):
    decorators = [staff_required(OPERATOR)]

    @recipients.arguments(OptOutsSchema)
    @recipients.response(200, RecipientSchema)
    @recipients.doc(security=SECURITY)
    def put(self, data, application_id: str):  # type: ignore[no-untyped-def]
        """The applicant's opt-outs per channel (messages then go by the other channel, or
        not at all)."""
        with _platform().unit_of_work() as uow:
            recipient = records.set_opt_outs(uow, g.staff.staff_id, application_id,
                                             email=data["email_opt_out"],
                                             sms=data["sms_opt_out"])
            view = records.recipient_view(recipient)
            uow.commit()
        return view
