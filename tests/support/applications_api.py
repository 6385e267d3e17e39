"""The applications API as organisations call it in a test: a migrated platform, its web app's
test client speaking for organisations A and B, and what the service published."""

from __future__ import annotations

import json
from typing import Any

from applications.schemas.examples import sample_application
from applications.service import definition
from applications.service_layer import organisations
from shared.db import outbox_table
from shared.events import Envelope
from shared.platform import Platform
from shared.web import create_web_app
from tests.support.events import hand
from tests.support.platforms import platform_for

GOOD = sample_application("s@example.org")
# API keys are remembered briefly per process (API_KEY_CACHE_S); short here, 5 s by default.
REVOCATION_DELAY_S = 0.5


class Client:
    """The test client, speaking as organisation A unless told otherwise."""

    def __init__(self, client: Any, keys: dict[str, str]) -> None:
        self.raw, self.keys = client, keys

    def call(
        self,
        method: str,
        path: str,
        org: str | None = "A",
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Any:
        auth = {"Authorization": f"Bearer {self.keys[org]}"} if org else {}
        return self.raw.open(path, method=method, headers={**auth, **(headers or {})}, **kwargs)

    def draft(self, body: dict[str, Any] | None = None, org: str = "A") -> dict[str, Any]:
        response = self.call("POST", "/applications", json=body or GOOD, org=org)
        assert response.status_code == 201, response.json
        return response.json


def organisations_api(env: dict[str, str], **overrides: Any) -> tuple[Client, Platform]:
    """(a test client speaking for organisations A and B, the platform), migrated."""
    platform = platform_for("applications", env, **overrides)
    app = create_web_app(definition(), platform)
    keys = {}
    for name in ("A", "B"):
        with platform.unit_of_work() as uow:
            org = organisations.create_organisation(uow, f"Org {name}", "NA", "c@example.org")
            uow.commit()
        with platform.unit_of_work() as uow:
            keys[name] = organisations.issue_api_key(uow, org.id, platform.settings.api_key_pepper)
            uow.commit()
    return Client(app.test_client(), keys), platform


def outbox_types(platform: Platform) -> list[tuple[str, dict[str, Any]]]:
    """(event type, data) of every event the service wrote to its outbox, in order."""
    with platform.engine.connect() as conn:
        return [
            (r.event_type, json.loads(r.body)["data"])
            for r in conn.execute(outbox_table.select().order_by(outbox_table.c.id))
        ]


def deliver(platform: Platform, event_type: str, **data: Any) -> Envelope:
    """Hand an event to the applications service's handlers, as its consumer would."""
    return hand(platform, "applications", event_type, data)


def published(platform: Platform, event_type: str) -> list[dict[str, Any]]:
    """The data of every event of this type the service wrote to its outbox, in order."""
    return [data for kind, data in outbox_types(platform) if kind == event_type]
