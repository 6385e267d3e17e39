"""A consumer killed mid-backlog on PostgreSQL + RabbitMQ: nothing is lost and nothing is doubled.

The broker dropping every connection is the chaos run's (tests/e2e/test_chaos.py): it restarts
a RabbitMQ node of its own under a steady flow, which closes every connection and refuses new
ones for a while, and counts every application's emails."""

from __future__ import annotations

import time
import uuid

from devstack.stack import Stack
from tests.support import wait_for
from tests.support.stack_client import (
    application_body,
    confirm_email,
    get,
    organisation_key,
    staff_token,
    start_stack,
    submit,
)


def all_cases(stack: Stack, officer: str) -> list[dict]:
    response = get(stack, "vetting", "/cases?limit=500", officer)
    return response.json()["items"] if response.ok else []


# Applications queued while vetting's consumer is away: enough that a SIGKILL lands mid-way,
# few enough to keep the suite quick (each means four emails: three to the volunteer, counting
# the link to confirm the address, one to the coordinator).
BACKLOG = 50


def test_consumer_killed_mid_backlog_loses_nothing_and_doubles_nothing(real_env, smtp, tmp_path):
    inbox, smtp_port = smtp
    # The processes on the path from intake to vetting's case and the two emails.
    stack = start_stack(
        real_env,
        smtp_port,
        tmp_path,
        migrate=False,
        only=(
            "applications-web",
            "applications-relay",
            "vetting-web",
            "vetting-consume",
            "vetting-check-runner",
            "vetting-relay",
            "notifications-consume",
            "notifications-send",
        ),
    )
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
        wait_for(
            lambda: len(all_cases(stack, officer)) == BACKLOG, timeout=60, message="every case"
        )
        # Each volunteer confirms their address; then three messages each: the link to confirm
        # it, application received, and checks started (once vetting has it).
        for email in emails:
            confirm_email(stack, inbox, email)
        wait_for(
            lambda: all(len(inbox.to(e)) >= 3 for e in emails),
            timeout=90,
            message="three emails each",
        )
        time.sleep(1.0)  # let any duplicate straggle in before counting
        cases = all_cases(stack, officer)
        assert 0 < done_at_kill < BACKLOG, "the kill did not land mid-backlog"
        assert len({c["application_id"] for c in cases}) == len(cases) == BACKLOG
        assert sorted(len(inbox.to(e)) for e in emails) == [3] * BACKLOG
    finally:
        stack.stop()
