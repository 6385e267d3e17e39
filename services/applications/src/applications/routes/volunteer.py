"""/volunteer: the pages the volunteer reaches from a message, authorised by the token in the
link (no organisation key: the organisation must not be able to confirm or opt out for them)."""

from __future__ import annotations

from flask import jsonify
from flask.views import MethodView
from flask_smorest import Blueprint

from applications.routes.app_context import contact_links, platform
from applications.schemas.volunteer import (
    ConfirmedSchema,
    ConfirmSchema,
    OptedOutSchema,
    OptOutSchema,
    PendingSchema,
)
from applications.service_layer import volunteer
from shared.web.errors import error_body

blp = Blueprint(
    "volunteer",
    __name__,
    url_prefix="/volunteer",
    description="The volunteer's own say over their contact details.",
)
TOKEN = {
    "in": "path",
    "name": "token",
    "required": True,
    "schema": {"type": "string"},
    "description": "From the link in the message.",
}


def _refused(refused: volunteer.LinkRefused):
    status = 429 if refused.locked else 410
    response = jsonify(error_body(status, refused.message))
    response.status_code = status
    return response


@blp.route("/confirmations/<string:token>")
class Confirmation(MethodView):
    @blp.response(200, PendingSchema)
    @blp.alt_response(410, description="Already used, or expired.")
    @blp.doc(parameters=[TOKEN])
    def get(self, token: str):
        """What the link confirms. Opening it confirms nothing (mail scanners open links)."""
        with platform().unit_of_work() as uow:
            found = volunteer.pending(uow, token)
        return _refused(found) if isinstance(found, volunteer.LinkRefused) else found

    @blp.arguments(ConfirmSchema)
    @blp.response(200, ConfirmedSchema)
    @blp.alt_response(410, description="Already used, or expired.")
    @blp.alt_response(429, description="Too many wrong codes: locked.")
    @blp.doc(parameters=[TOKEN])
    def post(self, data, token: str):
        """Confirm the channel (SMS: with the code sent to the mobile)."""
        with platform().unit_of_work() as uow:
            outcome = volunteer.confirm(uow, token, data["code"], contact_links())
            uow.commit()  # a wrong code counts even though it is refused
        if isinstance(outcome, volunteer.LinkRefused):
            return _refused(outcome)
        if not outcome.confirmed:
            response = jsonify(
                error_body(
                    422,
                    "That is not the code we sent.",
                    {
                        "code": [
                            f"Not the code sent to your mobile: {outcome.attempts_left} tries left."
                        ]
                    },
                )
            )
            response.status_code = 422
            return response
        return {"confirmed": True, "channel": outcome.channel}


@blp.route("/opt-outs/<string:token>")
class OptOut(MethodView):
    @blp.arguments(OptOutSchema)
    @blp.response(200, OptedOutSchema)
    @blp.doc(parameters=[TOKEN])
    def post(self, data, token: str):
        """Stop messages on these channels (both if none given), waiting ones too."""
        with platform().unit_of_work() as uow:
            result = volunteer.opt_out(uow, token, data["channels"], contact_links())
            uow.commit()
        return result
