"""Every event the access service consumes, and the use case each goes to: vetting's news about
cases and clearances (service_layer.incoming, service_layer.following), the organisations'
(service_layer.sponsorship) and erasure (service_layer.erasure, .organisation_erasure). The
consumer commits.

The service needs no collaborators: the composition root binds these with none. Each handler
keeps the inbox key it had when it lived beside its use case (`name=`), so an event handled
before a deployment stays handled after it.
"""

from __future__ import annotations

from access.service_layer import (
    clearance_changes,
    erasure,
    following,
    incoming,
    organisation_erasure,
    placements,
    sponsorship,
)
from shared.handlers import Event, HandlerMap
from shared.uow import UnitOfWork

HANDLERS = HandlerMap()
# Subscriptions retired from the topology (application.withdrawn carries the organisation's
# reason): only a message queued before the upgrade still arrives, handled as the new one is.
RETIRED = HandlerMap()

_LAYER = "access.service_layer"


@HANDLERS.on("vetting.case_opened", name=f"{_LAYER}.incoming.record_incoming_case")
def case_opened(uow: UnitOfWork, event: Event, deps: None) -> None:
    incoming.record_incoming_case(uow, event)


@RETIRED.on("application.withdrawn", name=f"{_LAYER}.incoming.forget_withdrawn")
@HANDLERS.on("application.withdrawal_announced", name=f"{_LAYER}.incoming.forget_withdrawn")
def withdrawn(uow: UnitOfWork, event: Event, deps: None) -> None:
    incoming.forget_withdrawn(uow, event)


@HANDLERS.on("application.placement_announced", name=f"{_LAYER}.placements.record_placement")
def placement_announced(uow: UnitOfWork, event: Event, deps: None) -> None:
    placements.record_placement(uow, event)


@HANDLERS.on("vetting.clearance_granted", name=f"{_LAYER}.following.open_requests")
def clearance_granted(uow: UnitOfWork, event: Event, deps: None) -> None:
    following.open_requests(uow, event)


# The handlers' names are stable (the inbox records them), whichever module now holds the code.
@HANDLERS.on("vetting.clearance_suspended", name=f"{_LAYER}.following.suspend_with_clearance")
def clearance_suspended(uow: UnitOfWork, event: Event, deps: None) -> None:
    clearance_changes.suspend_with_clearance(uow, event)


@HANDLERS.on("vetting.clearance_reinstated", name=f"{_LAYER}.following.reinstate_with_clearance")
def clearance_reinstated(uow: UnitOfWork, event: Event, deps: None) -> None:
    clearance_changes.reinstate_with_clearance(uow, event)


@HANDLERS.on("vetting.clearance_revoked", name=f"{_LAYER}.following.end_with_revoked_clearance")
def clearance_revoked(uow: UnitOfWork, event: Event, deps: None) -> None:
    clearance_changes.end_with_revoked_clearance(uow, event)


@HANDLERS.on("vetting.clearance_expired", name=f"{_LAYER}.following.end_with_expired_clearance")
def clearance_expired(uow: UnitOfWork, event: Event, deps: None) -> None:
    clearance_changes.end_with_expired_clearance(uow, event)


@HANDLERS.on("application.sponsorship_ended", name=f"{_LAYER}.sponsorship.end_sponsorship")
def sponsorship_ended(uow: UnitOfWork, event: Event, deps: None) -> None:
    sponsorship.end_sponsorship(uow, event)


@HANDLERS.on("vetting.person_erased", name=f"{_LAYER}.erasure.erase_person")
def person_erased(uow: UnitOfWork, event: Event, deps: None) -> None:
    erasure.erase_person(uow, event)


@HANDLERS.on(
    "vetting.applications_erased", name=f"{_LAYER}.organisation_erasure.erase_applications"
)
def applications_erased(uow: UnitOfWork, event: Event, deps: None) -> None:
    organisation_erasure.erase_applications(uow, event)
