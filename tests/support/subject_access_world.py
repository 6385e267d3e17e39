"""The four services in one process for subject access and encryption tests: each seeded
through its real flows, events carried between them as the broker would."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from applications.service_layer import organisations
from shared.audit import log as audit
from shared.db import outbox_table
from shared.handlers import RetryLater
from shared.inbox import Dispatcher
from shared.messaging.subscriptions import subscriptions
from shared.web.roles import DATA_PROTECTION_OFFICER
from tests.support.access_harness import STAFF as ACCESS_STAFF
from tests.support.access_harness import Access
from tests.support.notifications_harness import Notifications
from tests.support.platforms import service_handlers
from tests.support.service_harness import ServiceHarness
from tests.support.vetting_harness import STAFF as VETTING_STAFF
from tests.support.vetting_harness import Vetting

DPO = ("dpo-dee", (DATA_PROTECTION_OFFICER,), ())
EMAIL = "siobhan.sar@example.org"
ANSWER = "Sentinel-Answer: the Tuesday group at St Mary's"
SERVICES = ("applications", "vetting", "access", "notifications")
PATH = "/subject-access-request"


class SarApplications(ServiceHarness):
    service = "applications"
    staff = {"dpo": DPO, "officer": ("vet-ann", ("vetting_officer",), ())}

    def __init__(self, env: dict[str, str]) -> None:
        super().__init__(env)
        with self.platform.unit_of_work() as uow:
            org = organisations.create_organisation(
                uow, "Leeds Tuesday Group", "NA", "coordinator@example.org"
            )
            uow.commit()
        with self.platform.unit_of_work() as uow:
            self.key = organisations.issue_api_key(
                uow, org.id, self.platform.settings.api_key_pepper
            )
            uow.commit()

    def org(self, method: str, path: str, expect: int = 200, **kwargs: Any) -> dict[str, Any]:
        response = self.client.open(
            path, method=method, **kwargs, headers={"Authorization": f"Bearer {self.key}"}
        )
        assert response.status_code == expect, (path, response.status_code, response.json)
        return response.json

    def submit(self, body: dict[str, Any] | None = None, renewal_of: str | None = None) -> str:
        if renewal_of:
            draft = self.org("POST", f"/applications/{renewal_of}/renewals", 201)
        else:
            draft = self.org("POST", "/applications", 201, json=body)
        self.org("POST", f"/applications/{draft['id']}/submit")
        return draft["id"]


class SarVetting(Vetting):
    staff = {**VETTING_STAFF, "dpo": DPO}


class SarAccess(Access):
    staff = {**ACCESS_STAFF, "dpo": DPO}


class SarNotifications(Notifications):
    staff = {**Notifications.staff, "dpo": DPO}


class World:
    """The four services in one process, events carried between them as the broker would."""

    def __init__(self, env: dict[str, dict[str, str]]) -> None:
        self.services: dict[str, ServiceHarness] = {
            "applications": SarApplications(env["applications"]),
            "vetting": SarVetting(env["vetting"]),
            "access": SarAccess(env["access"]),
            "notifications": SarNotifications(env["notifications"], NOTIFICATIONS_QUIET_HOURS=""),
        }
        self.dispatchers = {
            name: Dispatcher.for_platform(h.platform, service_handlers(name, h.platform))
            for name, h in self.services.items()
        }
        self.relayed = dict.fromkeys(SERVICES, 0)

    def __getitem__(self, service: str) -> Any:
        return self.services[service]

    def pump(self) -> None:
        """Deliver every event published since the last pump to its subscribers, until quiet.
        A handler that asks to be retried later (news before what it needs) is run again after
        the events behind it, as the broker's retry queue would."""
        moved = True
        waiting: list[tuple[Dispatcher, Any, Any]] = []
        while moved or waiting:
            moved = False
            retry, waiting = waiting, []
            for dispatcher, handler, event in retry:
                waiting += self._run(dispatcher, handler, event)
            if retry and len(waiting) == len(retry) and not self._unrelayed():
                raise RetryLater(f"{len(waiting)} handler(s) still waiting on news that never came")
            for source, harness in self.services.items():
                with harness.platform.engine.connect() as connection:
                    rows = connection.execute(
                        select(outbox_table.c.id, outbox_table.c.event_type, outbox_table.c.body)
                        .where(outbox_table.c.id > self.relayed[source])
                        .order_by(outbox_table.c.id)
                    ).all()
                for row in rows:
                    self.relayed[source] = row.id
                    moved = True
                    for target, types in ((s, subscriptions(s)) for s in SERVICES):
                        if row.event_type in types:
                            dispatcher = self.dispatchers[target]
                            event = dispatcher.parse(row.body)
                            for handler in dispatcher.handlers_for(event):
                                waiting += self._run(dispatcher, handler, event)

    @staticmethod
    def _run(dispatcher: Dispatcher, handler: Any, event: Any) -> list[tuple[Any, Any, Any]]:
        try:
            dispatcher.run_handler(handler, event)
        except RetryLater:
            return [(dispatcher, handler, event)]
        return []

    def _unrelayed(self) -> bool:
        for source, harness in self.services.items():
            with harness.platform.engine.connect() as connection:
                if connection.execute(
                    select(outbox_table.c.id)
                    .where(outbox_table.c.id > self.relayed[source])
                    .limit(1)
                ).first():
                    return True
        return False

    def ask(self, service: str, who: str | None = "dpo", **query: str):
        return self.services[service].call("GET", PATH, who, query_string=query)

    def sar_audit(self, service: str) -> list[dict[str, Any]]:
        with self.services[service].platform.session_factory() as session:
            return [
                e for e in audit.entries(session, limit=500) if e["action"] == "subject_access.read"
            ]

    def close(self) -> None:
        for harness in self.services.values():
            harness.platform.engine.dispose()
