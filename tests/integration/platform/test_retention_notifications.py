"""Retention in notifications, on both run modes: its `retention run` purges what is past its
period and nothing else, keeps what statistics and what still lives need, audits each purge,
changes nothing on a dry run and purges nothing the second time."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from notifications.models import Notification, Recipient
from notifications.service_layer import retention as notifications_retention
from notifications.service_layer.delivery import mark_failed, mark_sent
from shared import retention
from tests.support.clock import now
from tests.support.notifications_harness import contacts_data
from tests.support.retention_world import (
    SIX_MONTHS_ON,
    audited,
    later,
    now_iso,
    purge,
    with_env,
    zeros,
)
from tests.support.service_harness import ServiceHarness


class Notifications(ServiceHarness):
    service = "notifications"
    staff = {"operator": ("op-ann", ("operator",), ())}

    def submitted(self, surname: str) -> str:
        application_id = str(uuid.uuid4())
        self.event(
            "application.contacts_recorded",
            contacts_data(
                application_id, surname=surname, email=f"{surname.lower()}@example.org", mobile=None
            ),
        )
        self.event(
            "application.received",
            {
                "application_id": application_id,
                "establishments": ["WWI"],
                "submitted_at": now_iso(),
            },
        )
        return application_id

    def rows(self) -> dict[str, Notification]:
        with self.platform.session_factory() as session:
            return {n.id: n for n in session.execute(select(Notification)).scalars()}

    def settle(self, notification_id: str, how: Callable[..., None], *args: Any) -> None:
        with self.platform.unit_of_work() as uow:
            notification = uow.session.get(Notification, notification_id)
            notification.status = "SENDING"
            how(uow, notification, now(), *args)
            uow.commit()


@pytest.fixture
def notes(backend_env):  # type: ignore[no-untyped-def]
    harness = Notifications(backend_env["notifications"], NOTIFICATIONS_QUIET_HOURS="")
    yield harness
    harness.platform.engine.dispose()


def test_notifications_forget_what_was_sent_and_to_whom_after_the_check_details_period(notes):
    done = notes.submitted("Retention-Sent-N1")
    waiting = notes.submitted("Retention-Queued-N2")
    rows = notes.rows()
    sent, failed = [n for n in rows.values() if n.application_id == done]
    notes.settle(sent.id, mark_sent, "smtp", None)
    notes.settle(failed.id, mark_failed, f"550 no such mailbox {failed.recipient}")
    before = notes.rows()
    platform = notes.platform
    assert zeros(
        retention.run(
            platform.session_factory,
            with_env(platform, RETENTION_OUTBOX_DAYS="365"),
            notifications_retention.PURGES,
            later(5 * 30),
            clock=platform.clock,
        )
    )
    six = later(SIX_MONTHS_ON)
    counts = purge(platform, notifications_retention.PURGES, six, dry_run=True)
    assert counts["messages"] == 2 and notes.rows()[sent.id].body == before[sent.id].body
    assert purge(platform, notifications_retention.PURGES, six)["messages"] == 2
    after = notes.rows()
    for n in (sent, failed):
        row, was = after[n.id], before[n.id]
        assert row.body == "" and row.subject == "" and row.last_error is None
        assert row.recipient == "anonymised:" + n.id
        for key in (
            "application_id",
            "template",
            "channel",
            "recipient_kind",
            "status",
            "attempts",
            "sent_at",
            "failed_at",
            "provider",
            "created_at",
        ):
            assert getattr(row, key) == getattr(was, key), key
    for n in after.values():
        if n.application_id == waiting:  # still to be sent: untouched
            assert n.status == "QUEUED" and "Retention-Queued-N2" in n.body
    assert "Retention-Sent-N1" not in repr(
        [(n.body, n.subject, n.recipient, n.last_error) for n in after.values()]
    )
    with platform.session_factory() as session:  # how to reach them: kept (see the module)
        assert session.get(Recipient, done).surname == "Retention-Sent-N1"
    assert len(audited(platform, "retention.message_purged")) == 2
    assert zeros(purge(platform, notifications_retention.PURGES, six))
