"""Every event notifications consumes, declared once: each event the message catalogue names
(queued as its messages), the request to confirm a channel, a portal invitation, the
volunteer's contact details, and the erasures.

Each handler reads the event and calls a use case; the composition root (notifications.service)
binds HANDLERS to the collaborators in `Dependencies`. The `name`s are the handlers' inbox keys
from before they were declared here: an event handled under a key stays handled.

What is declared here is what the inbox is bound to (shared.messaging.subscriptions). Never
application.submitted nor vetting.clearance_granted: a queue receives whole messages, and those
carry the applicant document and the clearance's conditions; application.received and
vetting.clearance_announced say what notifications needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from notifications.domain.messages import CONFIRMATION, DIRECT, INVITATION, MESSAGES, VOLUNTEER_LINK
from notifications.service_layer import contacts, erasure, queueing
from notifications.service_layer.queueing import Queueing
from shared.handlers import Event, HandlerMap
from shared.uow import UnitOfWork


@dataclass(frozen=True)
class Dependencies:
    """What the handlers need beside the unit of work and the event."""

    queueing: Queueing
    log_file: Path | None  # the log channel's file, rewritten on erasure


HANDLERS = HandlerMap()


def notify(uow: UnitOfWork, event: Event, deps: Dependencies) -> None:
    """An event of the catalogue → its messages, queued for the sender."""
    queueing.queue_messages(uow, event, deps.queueing)


# One declaration per event type: each had an inbox key of its own.
for _event_type in MESSAGES:
    if _event_type not in DIRECT:
        HANDLERS.on(_event_type, name=f"notifications.notify:{_event_type}")(notify)


@HANDLERS.on(CONFIRMATION, name=f"notifications.notify:{CONFIRMATION}")
def confirmation_requested(uow: UnitOfWork, event: Event, deps: Dependencies) -> None:
    queueing.ask_to_confirm(uow, event, deps.queueing)


@HANDLERS.on(VOLUNTEER_LINK, name=f"notifications.notify:{VOLUNTEER_LINK}")
def volunteer_link_sent(uow: UnitOfWork, event: Event, deps: Dependencies) -> None:
    queueing.ask_to_confirm(uow, event, deps.queueing)


@HANDLERS.on(INVITATION, name=f"notifications.notify:{INVITATION}")
def member_invited(uow: UnitOfWork, event: Event, deps: Dependencies) -> None:
    queueing.invite(uow, event, deps.queueing)


@HANDLERS.on("application.contacts_recorded", name="notifications.contacts.remember_contacts")
def contacts_recorded(uow: UnitOfWork, event: Event, deps: Dependencies) -> None:
    contacts.remember_contacts(uow, event.data)


# An organisation's erasure (vetting.applications_erased) names applications and no person:
# the same use case erases what is held for those applications.
@HANDLERS.on(*erasure.EVENT_TYPES, name="notifications.erasure.erase_person")
def erase_person(uow: UnitOfWork, event: Event, deps: Dependencies) -> None:
    erasure.erase_person(uow, event.data, deps.log_file)
