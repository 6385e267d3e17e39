"""PostgreSQL restarted while requests arrive: 503 + Retry-After during the outage, never a
500; every accepted submission is really committed with its outbox row; back to success
within a second.

The PostgreSQL stopped and started is a private one (tests/support/private_servers.py): the
stack's databases live there, and the machine's own server, which others use, is left alone.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import requests

from applications.service import definition
from shared.config import load_settings
from shared.messaging.topology import SERVICES
from shared.migrations import upgrade
from tests.support.backends import unavailable
from tests.support.private_servers import (
    PrivatePostgres,
    PrivateServerUnavailable,
    private_postgres,
)
from tests.support.stack_client import application_body, organisation_key, start_stack, submit


@pytest.fixture
def postgres() -> Iterator[PrivatePostgres]:
    try:
        server = private_postgres()
    except PrivateServerUnavailable as exc:
        unavailable(str(exc))
    print(f"private PostgreSQL on :{server.port}, started in {server.startup_s}s")  # pytest -s
    with server:
        yield server


def postgres_ready(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=1) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def test_postgres_restart_gives_503_then_recovers_within_a_second(
    postgres: PrivatePostgres, real_env, smtp, tmp_path: Path
) -> None:
    _inbox, smtp_port = smtp
    # The intake's database is the one that goes away; the others stay on the shared server.
    env = {service: dict(real_env[service]) for service in SERVICES}
    env["applications"]["DATABASE_URL"] = postgres.create_database("applications")
    upgrade(load_settings("applications", env["applications"]), definition().migrations_dir)
    # Only the intake's web process: what is under test is its answer during the outage.
    stack = start_stack(env, smtp_port, tmp_path, migrate=False, only=("applications-web",))
    database_url = env["applications"]["DATABASE_URL"]
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
            postgres.stop()
            time.sleep(2.0)
            postgres.start()
            while not postgres_ready(database_url):
                time.sleep(0.02)
            back_at = time.monotonic()
            time.sleep(3.0)
        finally:  # the fixture deletes the server, whatever state it is in
            stop.set()
            flow.join()

        statuses = [response.status_code for _, response in results]
        assert set(statuses) <= {200, 503}, sorted(set(statuses))
        unavailable = [response for _, response in results if response.status_code == 503]
        assert unavailable, "no request arrived during the outage"
        for response in unavailable:
            assert response.headers["Retry-After"] == "1"
            assert response.json()["status"] == 503 and "Traceback" not in response.text
        first_success_after = min(t for t, r in results if t >= back_at and r.status_code == 200)
        assert first_success_after - back_at <= 1.0

        submitted = {
            response.json()["id"] for _, response in results if response.status_code == 200
        }
        with psycopg.connect(database_url) as conn:
            stored = {row[0] for row in conn.execute("SELECT id FROM applications")}
            in_outbox = {
                row[0]
                for row in conn.execute(
                    "SELECT subject FROM outbox WHERE event_type = 'application.submitted'"
                )
            }
        assert submitted <= stored and submitted <= in_outbox
    finally:
        stack.stop()
