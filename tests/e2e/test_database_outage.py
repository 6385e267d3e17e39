"""PostgreSQL restarted while requests arrive: 503 + Retry-After during the outage, never a
500; every accepted submission is really committed with its outbox row; back to success
within a second."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import psycopg
import pytest
import requests

from tests.support.stack_client import application_body, organisation_key, start_stack, submit

# It restarts the machine's PostgreSQL: make test runs it alone, after the rest.
pytestmark = pytest.mark.serial


def pg_cluster(action: str) -> None:
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action,
                    *(["-m", "fast"] if action == "stop" else [])],
                   check=True, capture_output=True, timeout=120)


def postgres_ready(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=1) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def test_postgres_restart_gives_503_then_recovers_within_a_second(real_env, smtp, tmp_path):
    _inbox, smtp_port = smtp
    stack = start_stack(real_env, smtp_port, tmp_path)
    database_url = real_env["applications"]["DATABASE_URL"]
    results: list[tuple[float, requests.Response]] = []
    stop = threading.Event()
    try:
        key = organisation_key(stack)

        def requests_arrive() -> None:
            session = requests.Session()
            while not stop.is_set():
                response = submit(stack, key, application_body(), session=session)
                results.append((time.monotonic(), response))
                time.sleep(0.02)

        flow = threading.Thread(target=requests_arrive)
        flow.start()
        try:
            time.sleep(1.0)
            pg_cluster("stop")
            time.sleep(2.0)
            pg_cluster("start")
            while not postgres_ready(database_url):
                time.sleep(0.02)
            back_at = time.monotonic()
            time.sleep(3.0)
        finally:
            stop.set()
            flow.join()
            if not postgres_ready(database_url):
                pg_cluster("start")

        statuses = [response.status_code for _, response in results]
        assert set(statuses) <= {200, 503}, sorted(set(statuses))
        unavailable = [response for _, response in results if response.status_code == 503]
        assert unavailable, "no request arrived during the outage"
        for response in unavailable:
            assert response.headers["Retry-After"] == "1"
            assert response.json()["status"] == 503 and "Traceback" not in response.text
        first_success_after = min(t for t, r in results if t >= back_at and r.status_code == 200)
        assert first_success_after - back_at <= 1.0

        submitted = {response.json()["id"] for _, response in results
                     if response.status_code == 200}
        with psycopg.connect(database_url) as conn:
            stored = {row[0] for row in conn.execute("SELECT id FROM applications")}
            in_outbox = {row[0] for row in conn.execute(
                "SELECT subject FROM outbox WHERE event_type = 'application.submitted'")}
        assert submitted <= stored and submitted <= in_outbox
    finally:
        stack.stop()
