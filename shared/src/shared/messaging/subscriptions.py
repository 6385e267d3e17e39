"""Which event types a service's inbox is bound to, read from the one place it is declared:
the service's handler map (`<service>.service_layer.handlers.HANDLERS`, a
`shared.handlers.HandlerMap`).

The broker's queue bindings (shared.messaging.topology), the event catalogue
(shared.events.docs) and the tests all ask here, so adding or removing a handler changes the
bindings with it: an inbox is never bound to an event nobody handles, nor misses one a handler
waits for. Reading a service's map imports its handlers module: whatever declares every
service's queue (`python -m shared broker-setup`, or a process that is its own broker admin)
runs where the four services are installed.
"""

from __future__ import annotations

import importlib
from functools import cache


@cache
def subscriptions(service: str) -> frozenset[str]:
    """The event types `service` handles, so its inbox is bound to."""
    module = f"{service}.service_layer.handlers"
    try:
        handlers = importlib.import_module(module).HANDLERS
    except ModuleNotFoundError as exc:
        raise RuntimeError(
            f"Binding {service}'s inbox needs its handler map ({module}), which is not "
            "installed here: declare the topology where every service is installed "
            "(`python -m shared broker-setup`)."
        ) from exc
    # Read, not type-checked: the messaging core does not import the handler machinery.
    event_types: frozenset[str] = handlers.event_types
    return event_types
