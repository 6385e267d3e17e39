"""What every delivery channel is: something that hands one message to a provider.

A channel says how a send went by returning (the provider's reference for the message, if it
gives one) or by raising one of two exceptions. The sender owns the state machine; a channel only
classifies: "try again later" (the provider or the network is having trouble) or "this message
will never go" (the address is refused, the request is invalid).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from notifications.models import Notification


class DeliveryFailure(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TemporaryFailure(DeliveryFailure):
    """The send may succeed later: the sender retries it with growing delays, up to a limit."""


class PermanentFailure(DeliveryFailure):
    """The send will never succeed: the notification fails at once."""


class Channel(Protocol):
    # What `Notification.provider` records for messages this channel sent: smtp, notify, log.
    provider: str

    def send(self, notification: Notification) -> str | None:
        """Send one message; the provider's reference for it (None if it gives none).
        Raises TemporaryFailure or PermanentFailure."""
        ...

    def close(self) -> None:
        """The end of a batch: let go of any connection kept open across its messages."""
        ...
