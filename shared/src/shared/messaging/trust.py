"""Which broker user may send which event: only the user of the service the catalogue names as
the type's publisher. RabbitMQ guarantees a message's `user_id` is its sender's (it refuses a
publish that claims another), so a consumer can trust it; see docs/operations.md, "The
broker: each service its own principal"."""

from __future__ import annotations

from shared.config import Settings
from shared.events.vocabulary import publisher_of

# The error a dead letter records when its sender may not publish its type (its prefix); such a
# dead letter is never replayed.
UNTRUSTED_PUBLISHER = "UNTRUSTED_PUBLISHER"


def untrusted_publisher(
    settings: Settings, event_type: str, sender: str | None, retried: bool
) -> str | None:
    """Why `sender` may not have sent `event_type` to this service, or None. A retry comes back
    from the service's own retry queue as its own user: only it can write there, after it
    checked the original."""
    publisher = publisher_of(event_type)
    expected = settings.broker_user(publisher)
    if sender == expected or (retried and sender == settings.broker_principal):
        return None
    return (
        f"{UNTRUSTED_PUBLISHER}: {event_type} is published by {publisher} "
        f"(broker user {expected!r}); this one came from {sender!r}"
    )


def is_untrusted(error: str | None) -> bool:
    """Whether a dead letter's error says its sender was not its publisher."""
    return (error or "").startswith(UNTRUSTED_PUBLISHER)
