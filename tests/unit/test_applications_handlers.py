"""The applications service's inbound handlers, declared once: what they consume is what the
broker's topology binds to its inbox, and each keeps the inbox key it had before it moved."""

from __future__ import annotations

from applications.service_layer.handlers import HANDLERS, RETIRED
from shared.handlers import handler_name
from shared.messaging.topology import RETIRED_SUBSCRIPTIONS


def test_retired_subscriptions_are_still_handled_for_what_was_queued_before():
    assert RETIRED.event_types == set(RETIRED_SUBSCRIPTIONS["applications"])


def test_inbox_keys_are_those_of_the_handlers_before_they_moved():
    bound = {**HANDLERS.bind(None), **RETIRED.bind(None)}
    names = {
        event_type: [handler_name(h) for h in handlers] for event_type, handlers in bound.items()
    }
    timeline, erasure = "applications.service_layer.timeline", "applications.service_layer.erasure"
    assert names["vetting.case_opened"] == [f"{timeline}.on_case_opened"]
    assert names["vetting.info_request_announced"] == [f"{timeline}.on_info_requested"]
    assert names["vetting.info_requested"] == [f"{timeline}.on_info_requested"]
    assert names["vetting.application_cleared"] == [f"{timeline}.on_clearance_granted"]
    assert names["access.revoked"] == [f"{timeline}.on_access_change"]
    assert names["notification.failed"] == [f"{timeline}.on_notification"]
    assert names["vetting.applications_erased"] == [f"{erasure}.on_vetting_erased"]
    assert names["access.person_erased"] == [f"{erasure}.on_report"]
    assert all(len(handlers) == 1 for handlers in names.values())
