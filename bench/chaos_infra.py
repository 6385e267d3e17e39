"""What bench/chaos.py does to the machine's shared servers, and how it puts them right.

PostgreSQL and RabbitMQ here are shared with other runs (tests, benchmarks): restarting either
fails whatever else is using it, so `wait_until_alone` waits for other runs to finish first, and
`ensure_*_up` is called on every way out so that neither is ever left stopped.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid
from pathlib import Path

import psycopg
from kombu import Connection

from shared.db import create_database, drop_database

PG_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL",
                              "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_BASE = os.environ.get("BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")


def log(message: str) -> None:
    import sys

    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------
# Being alone on the machine
# ------------------------------------------------------------------------------------------

def _family(pid: int) -> set[int]:
    """This process, its ancestors (the pytest running us) and its descendants."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                parents[int(entry.name)] = int(stat[1])
            except (OSError, IndexError, ValueError):
                continue
    mine = {pid}  # descendants of this process only: an ancestor's other children are others
    changed = True
    while changed:
        children = {child for child, parent in parents.items() if parent in mine} - mine
        changed = bool(children)
        mine |= children
    ancestor = pid
    while ancestor in parents and ancestor > 1:
        ancestor = parents[ancestor]
        mine.add(ancestor)
    return mine


def other_runs() -> list[str]:
    """Other test or benchmark runs on this machine (`pgrep -af "pytest|bench/"`)."""
    found = subprocess.run(["pgrep", "-af", "pytest|bench/"], capture_output=True, text=True)
    mine = _family(os.getpid())
    return [line for line in found.stdout.splitlines()
            if line.split(" ", 1)[0].isdigit() and int(line.split(" ", 1)[0]) not in mine]


def wait_until_alone(limit_s: float, every_s: float = 20.0) -> bool:
    """True once no other run is active (checked every `every_s`); False after `limit_s`."""
    deadline = time.monotonic() + limit_s
    while True:
        others = other_runs()
        if not others:
            return True
        if time.monotonic() >= deadline:
            log(f"still busy after {limit_s:g}s: {others[:3]}")
            return False
        log(f"waiting for {len(others)} other run(s) to finish: {others[0][:100]}")
        time.sleep(min(every_s, max(0.5, deadline - time.monotonic())))


# ------------------------------------------------------------------------------------------
# PostgreSQL
# ------------------------------------------------------------------------------------------

def postgres_ready(url: str = PG_ADMIN_URL) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=1) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def pg_cluster(action: str) -> None:
    """As tests/e2e/test_database_outage.py does it (no systemd in the container)."""
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action,
                    *(["-m", "fast"] if action in ("stop", "restart") else [])],
                   check=True, capture_output=True, timeout=120)


def wait_postgres(timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not postgres_ready():
        if time.monotonic() > deadline:
            raise TimeoutError("PostgreSQL did not come back")
        time.sleep(0.1)


def restart_postgres() -> None:
    try:
        pg_cluster("restart")
    finally:
        ensure_postgres_up()
    wait_postgres()


def terminate_backends(prefix: str) -> int:
    """Every connection to our own databases cut (what a restart does to them, without
    touching anyone else's): the number cut."""
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        return len(list(conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname LIKE %s",
            (f"{prefix}%",))))


def ensure_postgres_up() -> None:
    if postgres_ready():
        return
    log("PostgreSQL is down: starting it")
    try:
        pg_cluster("start")
    except subprocess.CalledProcessError as exc:
        log(f"pg_ctlcluster start: {exc.stderr!r}")
    wait_postgres()


def make_databases(prefix: str, services: tuple[str, ...]) -> dict[str, str]:
    return {service: create_database(PG_ADMIN_URL, f"{prefix}_{service}")
            for service in services}


def drop_databases(prefix: str, services: tuple[str, ...]) -> None:
    for service in services:
        drop_database(PG_ADMIN_URL, f"{prefix}_{service}")


# ------------------------------------------------------------------------------------------
# RabbitMQ
# ------------------------------------------------------------------------------------------

def rabbitmqctl(*args: str, timeout: float = 120) -> None:
    result = subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True,
                            timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"rabbitmqctl {' '.join(args)}: exit {result.returncode}: "
                           f"{(result.stderr or result.stdout).strip()[:500]}")


def rabbit_ready(url: str = AMQP_BASE) -> bool:
    try:
        with Connection(url, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1)
        return True
    except Exception:  # noqa: BLE001 - any failure to connect
        return False


def make_vhost() -> tuple[str, str]:
    """A vhost of our own (name, broker URL): deleting it at the end deletes everything."""
    vhost = f"chaos_{uuid.uuid4().hex[:10]}"
    rabbitmqctl("add_vhost", vhost)
    rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    return vhost, f"{AMQP_BASE.rstrip('/')}/{vhost}"


def delete_vhost(vhost: str) -> None:
    rabbitmqctl("delete_vhost", vhost)


def wait_rabbit(timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not rabbit_ready():
        if time.monotonic() > deadline:
            raise TimeoutError("RabbitMQ did not come back")
        time.sleep(0.2)


def restart_rabbit(down_s: float) -> None:
    """The broker application stopped (every connection dropped, nothing accepted) for
    `down_s`, then started again: durable queues and persistent messages survive it."""
    try:
        rabbitmqctl("stop_app")
        time.sleep(down_s)
    finally:
        ensure_rabbit_up()


def drop_vhost_connections(vhost: str) -> None:
    """Every connection to our own vhost closed by the broker (others' are left alone)."""
    rabbitmqctl("close_all_connections", "--vhost", vhost, "chaos: connections dropped")


def ensure_rabbit_up() -> None:
    if rabbit_ready():
        return
    log("RabbitMQ is not accepting connections: start_app")
    try:
        rabbitmqctl("start_app")
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        log(f"start_app failed ({exc!r}): rabbitmq-server -detached")
        subprocess.run(["rabbitmq-server", "-detached"], capture_output=True, timeout=60)
    wait_rabbit()


# ------------------------------------------------------------------------------------------
# Processes
# ------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)
