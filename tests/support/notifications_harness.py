"""The notifications service in a test: its platform, its API, applicants it knows, the
notifications it queued."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select

from notifications.models import Notification
from shared.events import Envelope
from tests.support.clock import iso_now, now
from tests.support.service_harness import ServiceHarness

STAFF = {
    "operator": ("op-ann", ("operator",), ()),
    "officer": ("vet-bob", ("vetting_officer",), ()),
}


def contacts_data(
    application_id: str,
    *,
    channel: str = "EMAIL",
    mobile: str | None = "07700900123",
    coordinator: str | None = "coordinator@example.org",
    forenames: str = "Zoë",
    surname: str = "D'Arcy",
    email: str | None = "zoe@example.org",
    confirmed: tuple[str, ...] = ("EMAIL", "SMS"),
    opted_out: tuple[str, ...] = (),
    at: datetime | None = None,
) -> dict[str, Any]:
    """An application.contacts_recorded's data: the volunteer has confirmed the channels in
    `confirmed`."""
    return {
        "application_id": application_id,
        "organisation_id": str(uuid.uuid4()),
        "volunteer": {
            "forenames": forenames,
            "surname": surname,
            "email": email,
            "mobile": mobile,
            "email_confirmed": "EMAIL" in confirmed,
            "mobile_confirmed": "SMS" in confirmed,
            "preferred_channel": channel,
            "opted_out": list(opted_out),
        },
        "coordinator": {"email": coordinator} if coordinator else None,
        "recorded_at": (at or now()).isoformat(),
    }


class Notifications(ServiceHarness):
    service = "notifications"
    staff = STAFF

    def submitted(
        self,
        *,
        channel: str = "EMAIL",
        mobile: str | None = "07700900123",
        coordinator: str | None = "coordinator@example.org",
        forenames: str = "Zoë",
        surname: str = "D'Arcy",
        email: str | None = "zoe@example.org",
        confirmed: tuple[str, ...] = ("EMAIL", "SMS"),
    ) -> str:
        """A submitted application whose contacts were recorded first (the volunteer has
        confirmed the channels in `confirmed`)."""
        application_id = str(uuid.uuid4())
        self.contacts(
            application_id,
            channel=channel,
            mobile=mobile,
            coordinator=coordinator,
            forenames=forenames,
            surname=surname,
            email=email,
            confirmed=confirmed,
        )
        self.received(application_id)
        return application_id

    def received(self, application_id: str) -> Envelope:
        """application.received, the acknowledgement applications publishes on submission."""
        return self.event(
            "application.received",
            {
                "application_id": application_id,
                "establishments": ["WWI"],
                "submitted_at": iso_now(),
            },
        )

    def contacts(self, application_id: str, **options: Any) -> None:
        """application.contacts_recorded, as applications publishes it (see contacts_data)."""
        self.event("application.contacts_recorded", contacts_data(application_id, **options))

    def case_opened(self, application_id: str) -> None:
        self.event(
            "vetting.case_opened",
            {
                "case_id": str(uuid.uuid4()),
                "application_id": application_id,
                "establishments": ["WWI"],
                "requested_access": "ESCORTED",
                "opened_at": iso_now(),
            },
        )

    def rows(self, application_id: str | None = None) -> list[Notification]:
        with self.platform.session_factory() as session:
            query = select(Notification).order_by(Notification.created_at, Notification.id)
            if application_id:
                query = query.where(Notification.application_id == application_id)
            return list(session.execute(query).scalars())
