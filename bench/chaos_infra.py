"""The servers bench/chaos.py runs on, and the process helpers it needs.

PostgreSQL and RabbitMQ are private to the run (tests/support/private_servers.py): a cluster and
a node of its own, on ports of their own, deleted at the end. The machine's own servers belong to
others too, so the chaos run never touches them: restarting its private ones hurts nobody.
"""

from __future__ import annotations

import socket
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as `python bench/chaos.py`: only bench/ is on the path
    sys.path.append(str(ROOT))

from tests.support.deployment_secrets import DEPLOYMENT_ENV  # noqa: E402,F401 - the run's secrets
from tests.support.private_servers import (  # noqa: E402
    PrivatePostgres,
    PrivateRabbit,
    private_postgres,
    private_rabbitmq,
)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------
# The private servers
# ------------------------------------------------------------------------------------------


def start_servers(exit: ExitStack, keep: bool = False) -> tuple[PrivatePostgres, PrivateRabbit]:
    """A private PostgreSQL and RabbitMQ, started side by side, each stopped and deleted when
    `exit` closes (`keep`: stopped, their directories left for a look)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures: list[Future[Any]] = [pool.submit(private_postgres), pool.submit(private_rabbitmq)]
    errors: list[BaseException] = []
    for future in futures:
        if (error := future.exception()) is not None:
            errors.append(error)
        else:
            exit.callback(future.result().close, keep_files=keep)
    if errors:
        raise errors[0]
    postgres, rabbit = futures[0].result(), futures[1].result()
    log(
        f"private PostgreSQL on :{postgres.port} in {postgres.startup_s}s, RabbitMQ "
        f"{rabbit.node} on :{rabbit.port} in {rabbit.startup_s}s"
    )
    return postgres, rabbit


def make_databases(
    postgres: PrivatePostgres, prefix: str, services: tuple[str, ...]
) -> dict[str, str]:
    return {service: postgres.create_database(f"{prefix}_{service}") for service in services}


def terminate_backends(postgres: PrivatePostgres, prefix: str) -> int:
    """Every connection to the run's databases cut (what a restart does to them, without the
    restart): the number cut."""
    with psycopg.connect(postgres.admin_url, autocommit=True) as conn:
        return len(
            list(
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname LIKE %s",
                    (f"{prefix}%",),
                )
            )
        )


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
