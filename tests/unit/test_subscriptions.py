"""Each inbox is bound to exactly what its service's handler map declares: the bindings, the
event catalogue and the handlers cannot drift apart, because there is one declaration."""

from __future__ import annotations

import importlib

import pytest

from shared.config import load_settings
from shared.events.catalogue import build_registry
from shared.events.docs import render
from shared.handlers import HandlerMap
from shared.messaging.subscriptions import subscriptions
from shared.messaging.topology import RETIRED_SUBSCRIPTIONS, SERVICES, Topology

AMQP = {"BROKER_URL": "amqp://guest:guest@127.0.0.1:5672//", "BROKER_PREFIX": "p."}


def _bound(service: str) -> set[str]:
    inbox = Topology(load_settings(service, AMQP)).inbox_queue(service)
    return {binding.routing_key for binding in inbox.bindings}


def _handlers(service: str) -> HandlerMap:
    return importlib.import_module(f"{service}.service_layer.handlers").HANDLERS


@pytest.mark.parametrize("service", SERVICES)
def test_the_inbox_is_bound_to_what_the_handler_map_declares(service: str) -> None:
    declared = _handlers(service).event_types
    assert declared, f"{service} handles nothing"
    assert _bound(service) == set(declared) == set(subscriptions(service))
    # Bound for the handlers the consumer runs: binding the map gives the same types.
    assert set(_handlers(service).bind(None)) == set(declared)


@pytest.mark.parametrize("service", SERVICES)
def test_every_subscription_is_a_catalogued_event_not_a_retired_one(service: str) -> None:
    catalogue = {spec.type for spec in build_registry()}
    assert subscriptions(service) <= catalogue
    assert not subscriptions(service) & set(RETIRED_SUBSCRIPTIONS.get(service, ()))


def test_a_handler_added_to_the_map_binds_its_event_and_the_catalogue_names_the_consumer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    module = importlib.import_module("vetting.service_layer.handlers")
    widened = HandlerMap()
    for event_type in module.HANDLERS.event_types:
        widened.on(event_type)(lambda uow, event, deps: None)
    widened.on("notification.sent")(lambda uow, event, deps: None)
    monkeypatch.setattr(module, "HANDLERS", widened)
    subscriptions.cache_clear()
    try:
        assert "notification.sent" in _bound("vetting")
        section = render().split("## `notification.sent`")[1].split("## ")[0]
        assert "**vetting**" in section
    finally:
        monkeypatch.undo()
        subscriptions.cache_clear()
    assert "notification.sent" not in _bound("vetting")
