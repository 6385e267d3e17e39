"""SMS (and, if chosen, email) through GOV.UK Notify, with the official client.

We render every message ourselves (the wording rules live with our templates, not in Notify's
web interface), so Notify holds one generic template per channel whose content is `((body))`
(and subject `((subject))` for email); the rendered text goes in as personalisation. Our
notification id goes as `reference`, and Notify's id comes back: a delivery-status callback
names both.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from notifications.adapters.channels.base import PermanentFailure, TemporaryFailure

if TYPE_CHECKING:
    from notifications.models import Notification

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.notifications.service.gov.uk"
# Notify's own advice: 5xx and rate limiting (429) are worth retrying; other 4xx are not, except
# that an authentication or authorisation refusal (401, 403) is our key's fault, not the
# message's: retried, so that a key put right in time still gets the message out.
_RETRYABLE_4XX = frozenset({401, 403, 408, 429})


def make_client(
    api_key: str, base_url: str = DEFAULT_BASE_URL, timeout_s: float = 10.0
) -> NotificationsAPIClient:
    return NotificationsAPIClient(api_key, base_url=base_url, timeout=timeout_s)


def _failure(exc: APIError) -> TemporaryFailure | PermanentFailure:
    status = exc.status_code  # 503 when no response came back at all (connection, timeout)
    message = f"Notify {status}: {exc.message}"[:1000]
    if status < 400 or status >= 500 or status in _RETRYABLE_4XX:  # < 400: an unreadable 2xx
        return TemporaryFailure(message)
    return PermanentFailure(message)


class _NotifyChannel:
    provider = "notify"

    def __init__(self, client: NotificationsAPIClient, template_id: str) -> None:
        # The client is not thread-safe (a requests.Session); the sender is one thread.
        self.client = client
        self.template_id = template_id

    def send(self, notification: Notification) -> str | None:
        personalisation = {"body": notification.body, "subject": notification.subject or ""}
        try:
            response = self._post(notification, personalisation)
        except APIError as exc:
            # InvalidResponse (a 2xx we could not read) lands here too, as a retry: the message
            # may have gone, but a lost one is worse than a rare second copy.
            raise _failure(exc) from None
        reference = response.get("id") if isinstance(response, dict) else None
        if not reference:
            raise TemporaryFailure(f"Notify answered without an id: {response!r}"[:1000])
        return str(reference)

    def _post(self, notification: Notification, personalisation: dict[str, str]) -> Any:
        raise NotImplementedError

    def close(self) -> None:
        pass  # requests keeps its pooled connection for the next batch


class NotifySms(_NotifyChannel):
    def _post(self, notification: Notification, personalisation: dict[str, str]) -> Any:
        return self.client.send_sms_notification(
            phone_number=notification.recipient,
            template_id=self.template_id,
            personalisation=personalisation,
            reference=notification.id,
        )


class NotifyEmail(_NotifyChannel):
    def _post(self, notification: Notification, personalisation: dict[str, str]) -> Any:
        return self.client.send_email_notification(
            email_address=notification.recipient,
            template_id=self.template_id,
            personalisation=personalisation,
            reference=notification.id,
        )
