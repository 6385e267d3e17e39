"""Driving a running stack over HTTP and its CLIs, as a client and an operator would."""

from __future__ import annotations

import uuid
from typing import Any

import requests

from shared.devstack import Stack
from tests.support import cli_json


def organisation_key(stack: Stack, name: str = "AA Test Intergroup") -> str:
    org = cli_json(stack.cli("applications", "create-organisation", "--name", name,
                             "--fellowship", "AA", "--coordinator-email", "c@example.org"))
    return cli_json(stack.cli("applications", "create-api-key", org["organisation_id"]))["api_key"]


def staff_token(stack: Stack, service: str, role: str, *establishments: str) -> str:
    args = ["issue-staff-token", "--staff-id", f"test-{role}", "--role", role]
    for code in establishments:
        args += ["--establishment", code]
    return stack.cli(service, *args).stdout.strip()


def application_body(email: str | None = None) -> dict[str, Any]:
    return {
        "applicant": {"forenames": "Siobhán", "surname": "O'Connor",
                      "email": email or f"v-{uuid.uuid4().hex[:8]}@example.org",
                      "preferred_channel": "EMAIL"},
        "role": "GROUP_FACILITATOR", "establishments": ["WWI", "BMI"],
        "requested_access": "ESCORTED", "frequency": "REGULAR",
    }


def get(stack: Stack, service: str, path: str, token: str) -> requests.Response:
    return requests.get(stack.url(service) + path, headers={"Authorization": f"Bearer {token}"},
                        timeout=10)


def submit(stack: Stack, key: str, body: dict[str, Any] | None = None) -> requests.Response:
    return requests.post(stack.url("applications") + "/applications", json=body or
                         application_body(), headers={"Authorization": f"Bearer {key}"},
                         timeout=10)
