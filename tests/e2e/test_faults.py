"""Faults on PostgreSQL + RabbitMQ: a consumer killed mid-backlog, the broker dropping every
connection. Nothing is lost and nothing is doubled."""

from __future__ import annotations

import subprocess
import threading
import time
import uuid
from collections.abc import Iterator

import pytest

from shared.devstack import Stack
from tests.support import wait_for
from tests.support.deployment_secrets import broker_user
from tests.support.stack_client import (
    application_body,
    get,
    organisation_key,
    staff_token,
    start_stack,
    submit,
)


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


@pytest.fixture
def vhost_env(real_env: dict[str, dict[str, str]]) -> Iterator[dict[str, dict[str, str]]]:
    """real_env on a vhost of its own, so that closing "all" connections closes only ours."""
    vhost = f"t_{uuid.uuid4().hex[:10]}"
    rabbitmqctl("add_vhost", vhost)
    base = real_env["applications"]["BROKER_URL"].rstrip("/")
    rabbitmqctl("set_permissions", "-p", vhost, broker_user(base), ".*", ".*", ".*")
    url = base.rsplit("/", 1)[0] if base.count("/") > 2 else base
    env = {s: {**e, "BROKER_URL": f"{url}/{vhost}"} for s, e in real_env.items()}
    yield env
    rabbitmqctl("delete_vhost", vhost)


def all_cases(stack: Stack, officer: str) -> list[dict]:
    response = get(stack, "vetting", "/cases?limit=500", officer)
    return response.json()["items"] if response.ok else []


# Applications queued while vetting's consumer is away: enough that a SIGKILL lands mid-way,
# few enough to keep the suite quick (each means three emails: two to the volunteer, one to the
# coordinator).
BACKLOG = 50


def test_consumer_killed_mid_backlog_loses_nothing_and_doubles_nothing(real_env, smtp, tmp_path):
    inbox, smtp_port = smtp
    stack = start_stack(real_env, smtp_port, tmp_path, migrate=False)
    try:
        key = organisation_key(stack)
        officer = staff_token(stack, "vetting", "vetting_officer")
        stack.kill("vetting-consume", 15)  # a backlog builds while vetting is away
        emails = [f"k{i}-{uuid.uuid4().hex[:6]}@example.org" for i in range(BACKLOG)]
        for email in emails:
            assert submit(stack, key, application_body(email)).status_code == 200
        stack.restart("vetting-consume")
        wait_for(lambda: len(all_cases(stack, officer)) > 0, interval=0.01, message="progress")
        stack.kill("vetting-consume")  # SIGKILL, with deliveries in flight
        done_at_kill = len(all_cases(stack, officer))
        stack.restart("vetting-consume")
        wait_for(lambda: len(all_cases(stack, officer)) == BACKLOG, timeout=60,
                 message="every case")
        # Two messages each: application received, and checks started (once vetting has it).
        wait_for(lambda: all(len(inbox.to(e)) >= 2 for e in emails), timeout=90,
                 message="two emails each")
        time.sleep(1.0)  # let any duplicate straggle in before counting
        cases = all_cases(stack, officer)
        assert 0 < done_at_kill < BACKLOG, "the kill did not land mid-backlog"
        assert len({c["application_id"] for c in cases}) == len(cases) == BACKLOG
        assert sorted(len(inbox.to(e)) for e in emails) == [2] * BACKLOG
    finally:
        stack.stop()


def test_broker_dropping_every_connection_is_survived_without_loss(vhost_env, smtp, tmp_path):
    inbox, smtp_port = smtp
    stack = start_stack(vhost_env, smtp_port, tmp_path, migrate=False)
    vhost = vhost_env["applications"]["BROKER_URL"].rsplit("/", 1)[1]
    try:
        key = organisation_key(stack)
        emails: list[str] = []
        stop = threading.Event()

        def steady_flow() -> None:
            while not stop.is_set():
                email = f"c{len(emails)}-{uuid.uuid4().hex[:6]}@example.org"
                if submit(stack, key, application_body(email)).status_code == 200:
                    emails.append(email)
                time.sleep(0.05)

        flow = threading.Thread(target=steady_flow)
        flow.start()
        # Counted in submissions, not seconds: a busy machine submits fewer a second.
        wait_for(lambda: len(emails) >= 20, timeout=60, message="a flow before the drop")
        rabbitmqctl("close_all_connections", "--vhost", vhost, "test: connection drop")
        dropped_at = len(emails)
        wait_for(lambda: len(emails) >= dropped_at + 20, timeout=60,
                 message="the flow going on after the drop")
        stop.set()
        flow.join()
        wait_for(lambda: all(len(inbox.to(e)) >= 2 for e in emails), timeout=90,
                 message="every email")
        time.sleep(1.0)
        assert sorted(len(inbox.to(e)) for e in emails) == [2] * len(emails)
        for name, process in stack.processes.items():
            assert process.poll() is None, f"{name} died"
    finally:
        stack.stop()

