"""/metrics: what an operator alerts on, read when scraped — outbox lag, dead letters, the
inbox queue, vetting's waiting cases, the gate's answers — a scrape that still answers when the
broker is away, and (with a real gunicorn) every worker's requests counted in one scrape."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
from sqlalchemy import insert

from shared.clock import ManualClock
from shared.db import dead_letters_table
from tests.support import wait_for
from tests.support.access_harness import Access
from tests.support.clock import now
from tests.support.network import free_port
from tests.support.platforms import (
    ConsumerThread,
    platform_for,
    publish_raw,
    service_handlers,
    submitted_envelope,
)
from tests.support.service_harness import ServiceHarness


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample in Prometheus text, or None."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    pattern = re.escape(name) + (r"\{" + re.escape(wanted) + r"\}" if labels else "")
    found = re.search(rf"^{pattern} (\S+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else None


def scrape(harness: ServiceHarness) -> str:
    response = harness.client.get("/metrics")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_outbox_lag_dead_letters_inbox_and_gate_answers(real_env):
    clock = ManualClock(now())
    access = Access(real_env["access"], clock)
    with access.platform.connection() as connection:
        access.platform.topology.declare_all(connection)  # as its consumer would have
    access.grant_clearance(expires_in_days=200)  # its request waits in the outbox (no relay)
    clock.advance(seconds=90)
    with access.platform.engine.begin() as conn:
        conn.execute(
            insert(dead_letters_table).values(
                event_id=None, body="{}", error="boom", attempts=3, created_at=clock.now()
            )
        )
    access.gate(badge="NOBODY-1")
    access.gate(badge="NOBODY-2")
    text = scrape(access)
    assert sample(text, "outbox_unsent_messages") == len(access.published())
    assert sample(text, "outbox_unsent_messages") >= 1
    assert sample(text, "outbox_oldest_unsent_age_seconds") == 90.0
    assert sample(text, "dead_letters_unreplayed") == 1.0
    assert sample(text, "inbox_queue_messages") == 0.0
    assert sample(text, "inbox_queue_consumers") == 0.0
    assert sample(text, "service_dependency_up", dependency="database") == 1.0
    assert sample(text, "service_dependency_up", dependency="broker") == 1.0
    refused = {"outcome": "refused", "reason": "NO_GRANT"}
    assert sample(text, "gate_answers_total", **refused) == 2.0


def test_a_scrape_answers_while_the_broker_is_away(real_env):
    env = dict(real_env["access"])
    env["BROKER_URL"] = env["BROKER_URL"].replace(":5672/", f":{free_port()}/")
    text = scrape(Access(env))
    assert sample(text, "service_dependency_up", dependency="broker") == 0.0
    assert sample(text, "service_dependency_up", dependency="database") == 1.0
    assert sample(text, "outbox_unsent_messages") == 0.0
    assert sample(text, "inbox_queue_messages") is None


def test_vetting_reports_its_cases_by_the_party_they_wait_on(real_env):
    clock = ManualClock(now())
    vetting = platform_for("vetting", real_env["vetting"], clock)
    publish_raw(vetting, [submitted_envelope(), submitted_envelope()])
    with ConsumerThread(vetting, service_handlers("vetting", vetting)) as consumer:
        wait_for(lambda: consumer.dispatcher.stats["processed"] >= 2, message="two cases")
    clock.advance(timedelta(hours=3))

    class Vetting(ServiceHarness):
        service = "vetting"

    text = scrape(Vetting(real_env["vetting"], clock))
    waiting = {
        party: sample(text, "vetting_cases_waiting", waiting_on=party)
        for party in re.findall(r'^vetting_cases_waiting\{waiting_on="(\w+)"\}', text, re.M)
    }
    assert sum(waiting.values()) == 2, text
    (party,) = waiting
    assert sample(text, "vetting_oldest_wait_seconds", waiting_on=party) >= 3 * 3600


@pytest.mark.slow  # starts a process
def test_every_gunicorn_worker_is_counted_in_any_scrape(embedded, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        **embedded["access"],
        "VAR_DIR": str(tmp_path / "var"),
        "GUNICORN_CMD_ARGS": "--max-requests 10",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "access", "web", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:

        def answers() -> bool:
            try:
                return requests.get(url + "/health/liveness", timeout=2).ok
            except requests.RequestException:
                return False

        wait_for(answers, timeout=60, message="the web process answers")
        sent = 60
        with ThreadPoolExecutor(8) as pool:
            answers_ = list(
                pool.map(lambda _: requests.get(url + "/info", timeout=30), range(sent))
            )
        assert {answer.status_code for answer in answers_} == {200}
        # Each worker is replaced after about 10 requests: more processes served them than the
        # two alive now, and every one of them counts.
        folder = tmp_path / "var" / "metrics" / "access-web"
        assert len(list(folder.glob("counter_*.db"))) > 2
        for _ in range(6):  # whichever worker answers the scrape counts them all
            text = requests.get(url + "/metrics", timeout=30).text
            assert (
                sample(text, "http_requests_total", endpoint="/info", method="GET", status="200")
                == sent
            )
    finally:
        process.terminate()
        process.wait(timeout=30)
