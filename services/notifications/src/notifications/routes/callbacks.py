"""/callbacks/notify: GOV.UK Notify's delivery receipts (its "callbacks").

Notify is set up (in its web interface, "API integration → Callbacks") with this URL and a
bearer token; the same token is NOTIFICATIONS_NOTIFY_CALLBACK_TOKEN here. Without that setting
the endpoint answers 404, as if it did not exist: with no token nobody can be authenticated,
and an unconfigured endpoint should not advertise itself. A wrong or missing token is a 401.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from flask import abort, current_app
from flask.sansio.blueprints import BlueprintSetupState
from flask.views import MethodView
from flask_smorest import Blueprint

from notifications.adapters.channels import delivery_config
from notifications.schemas.callbacks import NotifyCallbackSchema
from notifications.service_layer import receipts
from shared.platform import Platform
from shared.web.auth import bearer_token

log = logging.getLogger(__name__)

blp = Blueprint(
    "callbacks",
    __name__,
    url_prefix="/callbacks",
    description="Delivery receipts from the providers that send our messages.",
)


@blp.record_once
def _check_configuration(state: BlueprintSetupState) -> None:
    # The web process reads the delivery settings at start-up too: a bad one stops it now
    # rather than at the first receipt.
    delivery_config(state.app.extensions["platform"])


def _platform() -> Platform:
    return current_app.extensions["platform"]


def _digest(text: str) -> bytes:
    # Compared as digests: equal lengths, so the comparison's time says nothing about the token.
    return hashlib.sha256(text.encode()).digest()


def notify_authenticated(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        expected = delivery_config(_platform()).callback_token
        if expected is None:
            log.warning("a Notify callback came but NOTIFICATIONS_NOTIFY_CALLBACK_TOKEN is unset")
            abort(404, "Not found.")
        presented = bearer_token()
        if presented is None or not hmac.compare_digest(_digest(presented), _digest(expected)):
            abort(401, "Authentication required.")
        return view(*args, **kwargs)

    return guarded


@blp.route("/notify")
class NotifyCallbacks(MethodView):
    decorators = [notify_authenticated]

    @blp.arguments(NotifyCallbackSchema)
    @blp.response(204)
    @blp.alt_response(404, description="No notification of ours has this id or reference.")
    @blp.doc(security=[{"bearer": []}])
    def post(self, receipt: dict[str, Any]) -> None:
        """A delivery receipt: delivered, permanent-failure, temporary-failure (final) or
        technical-failure (sent again). Repeats change nothing."""
        if not record_notify_receipt(_platform(), receipt):
            abort(404, "Not found.")


def record_notify_receipt(
    platform: Platform, receipt: dict[str, Any], now: datetime | None = None
) -> bool:
    """Apply a receipt and audit it; False if it names no notification of ours."""
    config = delivery_config(platform)
    with platform.unit_of_work() as uow:
        outcome = receipts.record_notify_receipt(
            uow,
            receipt,
            now or platform.clock.now(),
            max_attempts=config.max_attempts,
            retry_base_s=config.retry_base_s,
        )
        uow.commit()
    if outcome.send_again:
        sender = platform.extras.get("sender")
        if sender is not None:  # only in a process that runs one
            sender.wake()
    return outcome.found
