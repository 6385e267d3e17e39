"""The delivery tests' harness: a sender on a clock of the test's own, over a migrated
notifications platform; an SMTP server that refuses when told; rows put straight in the table."""

from __future__ import annotations

import json
import random
import threading
import uuid
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import Message
from typing import Any

from sqlalchemy import select

from notifications.models import Notification
from notifications.workers.sender import Sender
from shared.clock import ManualClock
from shared.db import outbox_table
from tests.support.notify_double import NotifyDouble
from tests.support.platforms import platform_for

NOON = datetime(2026, 6, 10, 11, 0, tzinfo=UTC)  # 12:00 in London (BST): not quiet hours
TOKEN = "callback-token-" + "x" * 24


class SmtpServer:
    """aiosmtpd handler: keeps what it accepts; refuses DATA (451) `refuse_data` times; refuses
    the recipients in `unknown` for good (550)."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.refuse_data = 0
        self.unknown: set[str] = set()
        self.lock = threading.Lock()

    async def handle_RCPT(
        self, _server: Any, _session: Any, envelope: Any, address: str, _options: Any
    ) -> str:
        if address in self.unknown:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        with self.lock:
            if self.refuse_data > 0:
                self.refuse_data -= 1
                return "451 4.3.0 try again later"
            self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def notify_env(double: NotifyDouble, **more: str) -> dict[str, str]:
    return {
        "NOTIFICATIONS_SMS_CHANNEL": "notify",
        "NOTIFICATIONS_NOTIFY_API_KEY": double.api_key,
        "NOTIFICATIONS_NOTIFY_BASE_URL": double.base_url,
        "NOTIFICATIONS_NOTIFY_SMS_TEMPLATE_ID": double.sms_template_id,
        "NOTIFICATIONS_NOTIFY_EMAIL_TEMPLATE_ID": double.email_template_id,
        **more,
    }


class Delivery:
    """A migrated notifications platform, its sender on a clock of our own, and rows to send."""

    def __init__(self, env: dict[str, str]) -> None:
        self.clock = ManualClock(NOON)
        self.platform = platform_for("notifications", env, self.clock)
        self.sender = Sender(self.platform, rng=random.Random(7))

    def add(
        self, channel: str = "EMAIL", to: str | None = None, due: datetime = NOON, **values: Any
    ) -> str:
        notification_id = str(uuid.uuid4())
        with self.platform.session_factory.begin() as session:
            session.add(
                Notification(
                    id=notification_id,
                    event_id=str(uuid.uuid4()),
                    application_id=str(uuid.uuid4()),
                    recipient=to or ("jo@example.org" if channel == "EMAIL" else "07700 900123"),
                    recipient_kind="volunteer",
                    channel=channel,
                    template="vetting_started",
                    subject="Your application is being checked",
                    body=f"Dear Jo,\nChecks have started. ({notification_id[:8]})",
                    created_at=due,
                    next_attempt_at=due,
                    **{"status": "QUEUED", "attempts": 0, **values},
                )
            )
        return notification_id

    def row(self, notification_id: str) -> Notification:
        with self.platform.session_factory() as session:
            found = session.get(Notification, notification_id)
            assert found is not None
            return found

    def send_at(self, moment: datetime) -> int:
        self.clock.set(moment)
        return self.sender.send_due()

    def events(self, event_type: str) -> list[dict[str, Any]]:
        with self.platform.engine.connect() as connection:
            bodies = connection.execute(
                select(outbox_table.c.body)
                .where(outbox_table.c.event_type == event_type)
                .order_by(outbox_table.c.id)
            ).scalars()
            return [json.loads(body)["data"] for body in bodies]
