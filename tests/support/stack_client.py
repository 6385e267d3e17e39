"""Driving a running stack over HTTP and its CLIs, as a client and an operator would."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import requests

from applications.schemas.examples import sample_application
from devstack.stack import Stack
from shared.messaging.topology import SERVICES
from tests.support import cli_json
from tests.support.identity import mint
from tests.support.network import free_port

# What every stack a test starts runs with: quick retries, and SMS sent at any hour (quiet
# hours are proven on a clock of the test's own, in tests/integration/notifications).
STACK_ENV = {"CONSUMER_RETRY_BASE_S": "0.1", "NOTIFICATIONS_QUIET_HOURS": ""}


def organisation_key(
    stack: Stack, name: str = "AA Test Intergroup", coordinator_email: str = "c@example.org"
) -> str:
    org = cli_json(
        stack.cli(
            "applications",
            "create-organisation",
            "--name",
            name,
            "--fellowship",
            "AA",
            "--coordinator-email",
            coordinator_email,
        )
    )
    return cli_json(stack.cli("applications", "create-api-key", org["organisation_id"]))["api_key"]


def staff_token(
    stack: Stack, service: str, role: str, *establishments: str, staff_id: str | None = None
) -> str:
    """An access token for the stack's `service` (its audience) from the test identity
    provider the stack's processes trust."""
    audience = stack.env_for(service).get("OIDC_AUDIENCE") or service
    return mint(audience, staff_id or f"test-{role}", {role}, establishments)


def application_body(email: str | None = None) -> dict[str, Any]:
    return sample_application(email or f"v-{uuid.uuid4().hex[:8]}@example.org")


def get(stack: Stack, service: str, path: str, token: str) -> requests.Response:
    return requests.get(
        stack.url(service) + path, headers={"Authorization": f"Bearer {token}"}, timeout=10
    )


def post(
    stack: Stack,
    service: str,
    path: str,
    credential: str,
    body: Any = None,
    expect: tuple[int, ...] = (200, 201, 202),
) -> Any:
    """POST as a client would; the JSON answer (the status must be one of `expect`)."""
    response = requests.post(
        stack.url(service) + path,
        json=body,
        timeout=15,
        headers={"Authorization": f"Bearer {credential}"},
    )
    assert response.status_code in expect, (path, response.status_code, response.text)
    return response.json()


def submit(
    stack: Stack,
    key: str,
    body: dict[str, Any] | None = None,
    session: requests.Session | None = None,
) -> requests.Response:
    """Create a draft and submit it, as a client would: the submit response (or the draft's
    if creating it failed)."""
    http = session or requests
    headers = {"Authorization": f"Bearer {key}"}
    base = stack.url("applications") + "/applications"
    draft = http.post(base, json=body or application_body(), headers=headers, timeout=10)
    if draft.status_code != 201:
        return draft
    return http.post(
        f"{base}/{draft.json()['id']}/submit",
        timeout=10,
        headers={**headers, "Idempotency-Key": draft.json()["id"]},
    )


def start_stack(
    env: Any,
    smtp_port: int,
    tmp_path: Path,
    *,
    migrate: bool = True,
    only: Sequence[str] | None = None,
) -> Stack:
    """Every process of every service (or `only` those named), ready. `migrate=False` where
    the databases are copies of the migrated templates already (tests/support/backends.py)."""
    stack = Stack(
        var_dir=tmp_path / "var",
        service_env=env,
        smtp_port=smtp_port,
        ports={service: free_port() for service in SERVICES},
        base_env=STACK_ENV,
    )
    if migrate:
        stack.migrate()
    stack.start(only=only)
    stack.wait_ready()
    return stack


CONFIRMATION_PATH = re.compile(r"/volunteer/confirmations/([A-Za-z0-9_-]+)")


def confirm_email(stack: Stack, inbox: Any, address: str, timeout: float = 60) -> None:
    """The volunteer opens the link in the confirmation email sent to `address` and confirms
    it, as they would (on this stack's applications address, whatever the link's host)."""
    from tests.support import wait_for

    def token() -> str | None:
        for message in inbox.to(address):
            found = CONFIRMATION_PATH.search(message.get_payload(decode=True).decode())
            if found:
                return found.group(1)
        return None

    confirmation = wait_for(token, timeout=timeout, message=f"the confirmation email to {address}")
    response = requests.post(
        stack.url("applications") + f"/volunteer/confirmations/{confirmation}", json={}, timeout=10
    )
    assert response.status_code == 200, response.text
