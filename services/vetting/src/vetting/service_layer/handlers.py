"""Every event vetting consumes, declared once: what the applications service tells it (a
submission, answers, a withdrawal, a change of circumstances, a reconsideration request, an
erasure request) and what establishments decide (access.excluded, access.revoked, and the
reasons in access.decision_evidence).

Each handler reads the event and calls a use case; the composition root (vetting.service)
binds HANDLERS to the collaborators in `Dependencies`. The `name`s are the handlers' inbox
keys from before they were declared here: an event handled under a key stays handled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from shared.handlers import Event, HandlerMap
from shared.reference import Establishment
from shared.uow import UnitOfWork
from vetting.domain.policy import Policy
from vetting.service_layer import (
    circumstances,
    erasure,
    history,
    intake,
    organisation_erasure,
)
from vetting.service_layer.intake import ProviderChoice


@dataclass(frozen=True)
class Dependencies:
    """What vetting's handlers need beside the unit of work and the event."""

    policy: Policy
    establishments: Mapping[str, Establishment]
    provider_for: ProviderChoice
    identity_key: bytes  # the key of the hashes people are recognised by


HANDLERS = HandlerMap()


@HANDLERS.on("application.submitted", name="vetting.service_layer.open_case")
def application_submitted(uow: UnitOfWork, event: Event, deps: Dependencies) -> None:
    intake.open_case(
        uow, event, deps.policy, deps.establishments, deps.provider_for, deps.identity_key
    )


@HANDLERS.on("application.withdrawn", name="vetting.service_layer.intake.close_withdrawn_case")
def application_withdrawn(uow: UnitOfWork, event: Event, deps: Dependencies) -> None:
    intake.close_withdrawn_case(uow, event)


@HANDLERS.on("application.info_provided", name="vetting.service_layer.record_information")
def info_provided(uow: UnitOfWork, event: Event, deps: Dependencies) -> None:
    intake.record_information(uow, event, deps.policy)


@HANDLERS.on(
    "application.circumstances_changed",
    name="vetting.service_layer.record_change_of_circumstances",
)
def circumstances_changed(uow: UnitOfWork, event: Event, deps: Dependencies) -> None:
    circumstances.record_change(uow, event, deps.policy)


@HANDLERS.on(
    "application.reconsideration_requested",
    name="vetting.service_layer.intake.open_reconsideration",
)
def reconsideration_requested(uow: UnitOfWork, event: Event, deps: Dependencies) -> None:
    intake.open_reconsideration(uow, event)


@HANDLERS.on("application.erasure_requested", name="vetting.service_layer.erasure.erase_person")
def erasure_requested(uow: UnitOfWork, event: Event, deps: Dependencies) -> None:
    """The data protection officer's request (scope PERSON) erases the person; an
    organisation's, only what that organisation supplied."""
    if event.data.get("scope") == "PERSON":
        erasure.erase_person(uow, event)
    else:
        organisation_erasure.erase_for_organisation(uow, event)


@HANDLERS.on("access.excluded", name="vetting.service_layer.history.record_excluded")
def access_excluded(uow: UnitOfWork, event: Event, deps: Dependencies) -> None:
    history.record_establishment_decision(uow, event, history.EXCLUDED)


@HANDLERS.on("access.revoked", name="vetting.service_layer.history.record_revoked")
def access_revoked(uow: UnitOfWork, event: Event, deps: Dependencies) -> None:
    history.record_establishment_decision(uow, event, history.REVOKED)


@HANDLERS.on("access.decision_evidence", name="vetting.service_layer.history.record_evidence")
def access_decision_evidence(uow: UnitOfWork, event: Event, deps: Dependencies) -> None:
    history.record_decision_evidence(uow, event)
