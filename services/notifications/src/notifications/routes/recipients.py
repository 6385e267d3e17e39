"""/recipients: how an applicant may be contacted (operators)."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from notifications.routes.notifications import OPERATOR, SECURITY, platform
from notifications.schemas.notifications import OptOutsSchema, RecipientSchema
from notifications.service_layer import records
from shared.web.auth import staff_required

recipients = Blueprint(
    "recipients",
    __name__,
    url_prefix="/recipients",
    description="How an applicant may be contacted.",
)


@recipients.route("/<string:application_id>/opt-outs")
class OptOuts(MethodView):
    decorators = [staff_required(OPERATOR)]

    @recipients.arguments(OptOutsSchema)
    @recipients.response(200, RecipientSchema)
    @recipients.doc(security=SECURITY)
    def put(self, data, application_id: str):
        """The applicant's opt-outs per channel (messages then go by the other channel, or
        not at all)."""
        with platform().unit_of_work() as uow:
            recipient = records.set_opt_outs(
                uow,
                g.staff.staff_id,
                application_id,
                email=data["email_opt_out"],
                sms=data["sms_opt_out"],
            )
            view = records.recipient_view(recipient)
            uow.commit()
        return view
