"""The docker compose stack, for real: build, start, ready, and one application end to end.

Needs a Docker engine with the compose plugin. Without one the test skips, or fails under
REQUIRE_DOCKER=1. The check runs in a session fixture that pytest-docker's `docker_services`
depends on (through `docker_compose_file`), so nothing of pytest-docker runs when it skips.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

import pytest

from shared.config import DEFAULT_PORTS
from shared.messaging.topology import SERVICES

pytestmark = pytest.mark.docker

ROOT = Path(__file__).resolve().parents[2]
REQUIRE_DOCKER = os.environ.get("REQUIRE_DOCKER") == "1"
STARTUP_TIMEOUT_S = float(os.environ.get("COMPOSE_STARTUP_TIMEOUT_S", 600))
FLOW_TIMEOUT_S = 120.0


def _docker_unavailable() -> str | None:
    """Why the stack cannot be started here, or None."""
    for argv in (["docker", "info"], ["docker", "compose", "version"]):
        try:
            result = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"`{' '.join(argv)}` failed: {exc!r}"
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()
            return f"`{' '.join(argv)}` failed: {detail[-1] if detail else result.returncode}"
    return None


@pytest.fixture(scope="session")
def docker_available() -> None:
    reason = _docker_unavailable()
    if reason is None:
        return
    if REQUIRE_DOCKER:
        pytest.fail(f"Docker unavailable (REQUIRE_DOCKER=1): {reason}", pytrace=False)
    pytest.skip(f"Docker unavailable: {reason}")


# pytest-docker's fixtures, pointed at the repository's compose file. `docker_services`
# requests `docker_compose_file`, which requests `docker_available`: no Docker, no compose call.
@pytest.fixture(scope="session")
def docker_compose_file(docker_available: None) -> str:
    return str(ROOT / "docker-compose.yml")


@pytest.fixture(scope="session")
def env_file(docker_available: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The stack's secrets, made as `make secrets` makes them (the compose file has none)."""
    path = tmp_path_factory.mktemp("compose") / ".env"
    subprocess.run(
        [sys.executable, "-m", "shared", "secrets", "--out", str(path)], check=True, timeout=60
    )
    return path


@pytest.fixture(scope="session")
def docker_setup(env_file: Path) -> list[str]:
    # Not `up --wait`: some compose versions treat the migrate one-shots' exit as a failure.
    # Readiness is awaited below, on each service's /health/readiness.
    return [f"--env-file {env_file} up --build --detach"]


@pytest.fixture(scope="session")
def docker_cleanup(env_file: Path) -> list[str]:
    return [f"--env-file {env_file} down --volumes --remove-orphans"]


class Stack:
    """The running compose project: commands into it and HTTP to its published ports."""

    def __init__(
        self, services: Any, compose_file: str, project: str, ip: str, env_file: Path
    ) -> None:
        self.services = services
        self.compose_file = compose_file
        self.env_file = env_file
        self.project = project
        self.ip = ip

    def compose(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                "docker",
                "compose",
                "-f",
                self.compose_file,
                "-p",
                self.project,
                "--env-file",
                str(self.env_file),
                *args,
            ],
            capture_output=True,
            text=True,
            check=check,
            timeout=300,
        )

    def cli(self, service: str, *args: str) -> dict[str, Any]:
        """`python -m <service> ...` in its web container; its JSON output."""
        result = self.compose(
            "exec", "-T", f"{service}-web", "python", "-m", service, *args, check=False
        )
        assert result.returncode == 0, f"{service} {args}: {result.stderr}"
        return last_json_line(result.stdout)

    def url(self, container: str, port: int, path: str) -> str:
        return f"http://{self.ip}:{self.services.port_for(container, port)}{path}"

    def diagnostics(self) -> str:
        status = self.compose("ps", "--all", check=False).stdout
        logs = self.compose("logs", "--no-color", "--tail", "40", check=False).stdout
        return f"\n--- docker compose ps ---\n{status}\n--- logs (tail) ---\n{logs}"


def last_json_line(output: str) -> dict[str, Any]:
    for line in reversed(output.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise AssertionError(f"no JSON in output: {output!r}")


def http(
    url: str, *, token: str | None = None, body: dict[str, Any] | None = None
) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = Request(
        url,
        method="POST" if body is not None else "GET",
        headers=headers,
        data=json.dumps(body).encode() if body is not None else None,
    )
    try:
        with urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def wait_for(check: Callable[[], Any], timeout: float, what: str, stack: Stack) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except (URLError, OSError, ValueError) as exc:
            last = exc
        time.sleep(1.0)
    pytest.fail(f"timed out waiting for {what} (last: {last!r}){stack.diagnostics()}")


@pytest.fixture(scope="session")
def stack(
    docker_services: Any,
    docker_compose_file: str,
    docker_compose_project_name: str,
    docker_ip: str,
    env_file: Path,
) -> Stack:
    running = Stack(
        docker_services, docker_compose_file, docker_compose_project_name, docker_ip, env_file
    )
    for service in SERVICES:
        url = running.url(f"{service}-web", DEFAULT_PORTS[service], "/health/readiness")
        wait_for(
            lambda url=url: http(url)[0] == 200,
            STARTUP_TIMEOUT_S,
            f"{service} to be ready",
            running,
        )
    return running


def test_every_web_service_is_ready(stack: Stack) -> None:
    for service in SERVICES:
        status, body = http(
            stack.url(f"{service}-web", DEFAULT_PORTS[service], "/health/readiness")
        )
        assert status == 200, f"{service}: {status} {body}"
        assert body["checks"] == {"database": "ok", "broker": "ok"}


def test_one_application_end_to_end(stack: Stack) -> None:
    organisation = stack.cli(
        "applications",
        "create-organisation",
        "--name",
        "Compose AA Intergroup",
        "--fellowship",
        "AA",
        "--coordinator-email",
        "liaison@example.org",
    )
    api_key = stack.cli("applications", "create-api-key", organisation["organisation_id"])[
        "api_key"
    ]
    applications = stack.url("applications-web", DEFAULT_PORTS["applications"], "/applications")
    status, application = http(
        applications,
        token=api_key,
        body={
            "applicant": {
                "forenames": "Siobhán",
                "surname": "O'Connor",
                "email": "siobhan@example.org",
                "preferred_channel": "EMAIL",
            },
            "role": "GROUP_FACILITATOR",
            "establishments": ["WWI", "BMI"],
            "requested_access": "ESCORTED",
            "frequency": "REGULAR",
        },
    )
    assert status == 201, application
    assert application["status"] == "SUBMITTED"

    # applications → (relay, RabbitMQ) → vetting opens a case → applications hears of it.
    def in_vetting() -> bool:
        status, body = http(f"{applications}/{application['id']}", token=api_key)
        assert status == 200, body
        return body["status"] == "IN_VETTING"

    wait_for(in_vetting, FLOW_TIMEOUT_S, "the application to reach IN_VETTING", stack)

    # notifications told the applicant by email, through Mailpit.
    mailpit = stack.url("mailpit", 8025, "/api/v1/messages")

    def emailed() -> bool:
        status, body = http(mailpit)
        recipients = (
            [to["Address"] for message in body.get("messages", []) for to in message.get("To", [])]
            if status == 200
            else []
        )
        return "siobhan@example.org" in recipients

    wait_for(emailed, FLOW_TIMEOUT_S, "the applicant's email in Mailpit", stack)
