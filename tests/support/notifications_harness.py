"""The notifications service in a test: its platform, its API, applicants it knows, the
notifications it queued."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from notifications.models import Notification
from tests.support.clock import iso_now
from tests.support.service_harness import ServiceHarness

STAFF = {"operator": ("op-ann", ("operator",), ()),
         "officer": ("vet-bob", ("vetting_officer",), ())}


class Notifications(ServiceHarness):
    service = "notifications"
    staff = STAFF

    def submitted(self, *, channel: str = "EMAIL", mobile: str | None = "07700900123",
                  coordinator: str | None = "coordinator@example.org",
                  forenames: str = "Zoë", surname: str = "D'Arcy",
                  email: str = "zoe@example.org") -> str:
        application_id = str(uuid.uuid4())
        self.event("application.submitted", {
            "application_id": application_id, "organisation_id": str(uuid.uuid4()),
            "applicant": {"forenames": forenames, "surname": surname, "email": email,
                          "mobile": mobile, "preferred_channel": channel},
            "role": "GROUP_FACILITATOR", "establishments": ["WWI"],
            "requested_access": "ESCORTED", "frequency": "REGULAR",
            "submitted_at": iso_now(), "coordinator_email": coordinator})
        return application_id

    def case_opened(self, application_id: str) -> None:
        self.event("vetting.case_opened", {
            "case_id": str(uuid.uuid4()), "application_id": application_id,
            "establishments": ["WWI"], "requested_access": "ESCORTED", "opened_at": iso_now()})

    def rows(self, application_id: str | None = None) -> list[Notification]:
        with self.platform.session_factory() as session:
            query = select(Notification).order_by(Notification.created_at, Notification.id)
            if application_id:
                query = query.where(Notification.application_id == application_id)
            return list(session.execute(query).scalars())
