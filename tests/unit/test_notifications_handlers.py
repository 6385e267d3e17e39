"""Notifications' inbound handlers: declared once (service_layer.handlers), consuming exactly
what the broker routes to the service, each under the inbox key it has always had."""

from __future__ import annotations

from notifications.domain.lifecycle import NOTIFICATION, NotificationState
from notifications.domain.messages import MESSAGES
from notifications.service_layer.handlers import HANDLERS
from shared.handlers import handler_name


def _bound() -> dict[str, list[str]]:
    # No collaborators: the handlers are not called, only their names read.
    return {t: [handler_name(h) for h in hs] for t, hs in HANDLERS.bind(None).items()}


def test_every_handler_keeps_its_inbox_key():
    expected = {event_type: [f"notifications.notify:{event_type}"] for event_type in MESSAGES}
    expected["application.contacts_recorded"] = ["notifications.contacts.remember_contacts"]
    expected["vetting.person_erased"] = ["notifications.erasure.erase_person"]
    expected["vetting.applications_erased"] = ["notifications.erasure.erase_person"]
    assert _bound() == expected


def test_the_lifecycle_table_names_every_state():
    assert set(NOTIFICATION.states) == set(NotificationState)
    for state in NotificationState:
        assert NOTIFICATION.from_state(state) or state in NOTIFICATION.final, state
