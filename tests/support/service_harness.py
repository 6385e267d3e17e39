"""What the per-service test harnesses share: a migrated platform, its web app's test client,
staff tokens, events handed to the service's handlers, and what the service published."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from shared.auth import StaffIdentity
from shared.clock import Clock
from shared.db import outbox_table
from shared.events import Envelope
from shared.web.app import create_web_app
from tests.support.events import hand
from tests.support.identity import TestTokens
from tests.support.platforms import platform_for


class ServiceHarness:
    service: str
    # Who is who: name -> (staff id, roles, establishments).
    staff: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]

    def __init__(self, env: dict[str, str], clock: Clock | None = None, **extra_env: str) -> None:
        module = __import__(f"{self.service}.service", fromlist=["definition"])
        self.platform = platform_for(self.service, {**env, **extra_env}, clock)
        self.app = create_web_app(module.definition(), self.platform)
        self.client = self.app.test_client()
        # Minted by the test identity provider at this service's clock's time.
        self.tokens = TestTokens(self.platform.settings.oidc.audience, self.platform.clock)

    def token(self, who: str) -> str:
        staff_id, roles, establishments = self.staff[who]
        return self.tokens.issue(
            StaffIdentity(staff_id, frozenset(roles), frozenset(establishments))
        )

    def call(self, method: str, path: str, who: str | None = "officer", **kwargs: Any):
        headers = {"Authorization": f"Bearer {self.token(who)}"} if who else {}
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def event(self, event_type: str, data: dict[str, Any]) -> Envelope:
        """Hand an event to this service's handlers, as its consumer would."""
        return hand(self.platform, self.service, event_type, data)

    def published(self, event_type: str | None = None) -> list[dict[str, Any]]:
        with self.platform.engine.connect() as connection:
            rows = connection.execute(
                select(outbox_table.c.event_type, outbox_table.c.body).order_by(outbox_table.c.id)
            ).all()
        return [
            {"type": t, **json.loads(body)["data"]}
            for t, body in rows
            if event_type is None or t == event_type
        ]
