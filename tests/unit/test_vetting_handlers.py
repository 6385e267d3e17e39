"""Vetting's inbound handlers: declared once, on exactly the events the broker routes to it,
under the inbox keys they had before (an event handled under a key stays handled)."""

from shared.handlers import handler_name
from vetting.service_layer.handlers import HANDLERS


def test_every_handler_keeps_its_inbox_key() -> None:
    bound = HANDLERS.bind(deps=None)
    keys = {
        event_type: [handler_name(handler) for handler in handlers]
        for event_type, handlers in bound.items()
    }
    assert keys == {
        "application.submitted": ["vetting.service_layer.open_case"],
        "application.withdrawn": ["vetting.service_layer.intake.close_withdrawn_case"],
        "application.info_provided": ["vetting.service_layer.record_information"],
        "application.circumstances_changed": [
            "vetting.service_layer.record_change_of_circumstances"
        ],
        "application.reconsideration_requested": [
            "vetting.service_layer.intake.open_reconsideration"
        ],
        "application.erasure_requested": ["vetting.service_layer.erasure.erase_person"],
        "access.excluded": ["vetting.service_layer.history.record_excluded"],
        "access.revoked": ["vetting.service_layer.history.record_revoked"],
        "access.decision_evidence": ["vetting.service_layer.history.record_evidence"],
    }
