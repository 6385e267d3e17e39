"""The access service's inbound handlers, declared once: what they consume is what the broker's
topology binds to its inbox, and each keeps the inbox key it had before it moved."""

from __future__ import annotations

from access.service_layer.handlers import HANDLERS, RETIRED
from shared.handlers import handler_name
from shared.messaging.topology import RETIRED_SUBSCRIPTIONS

LAYER = "access.service_layer"
# The inbox keys the handlers had in service.py's map, before service_layer.handlers.
KEYS = {
    "vetting.case_opened": f"{LAYER}.incoming.record_incoming_case",
    "application.withdrawal_announced": f"{LAYER}.incoming.forget_withdrawn",
    "application.withdrawn": f"{LAYER}.incoming.forget_withdrawn",
    "vetting.clearance_granted": f"{LAYER}.following.open_requests",
    "vetting.clearance_suspended": f"{LAYER}.following.suspend_with_clearance",
    "vetting.clearance_reinstated": f"{LAYER}.following.reinstate_with_clearance",
    "vetting.clearance_revoked": f"{LAYER}.following.end_with_revoked_clearance",
    "vetting.clearance_expired": f"{LAYER}.following.end_with_expired_clearance",
    "application.sponsorship_ended": f"{LAYER}.sponsorship.end_sponsorship",
    "vetting.person_erased": f"{LAYER}.erasure.erase_person",
    "vetting.applications_erased": f"{LAYER}.organisation_erasure.erase_applications",
    "application.placement_announced": f"{LAYER}.placements.record_placement",
}


def test_retired_subscriptions_are_still_handled_for_what_was_queued_before():
    assert RETIRED.event_types == set(RETIRED_SUBSCRIPTIONS["access"])


def test_inbox_keys_are_those_of_the_handlers_before_they_moved():
    bound = {**HANDLERS.bind(None), **RETIRED.bind(None)}
    names = {
        event_type: [handler_name(h) for h in handlers] for event_type, handlers in bound.items()
    }
    assert names == {event_type: [key] for event_type, key in KEYS.items()}
