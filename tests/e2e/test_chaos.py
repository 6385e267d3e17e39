"""The reduced whole-system fault run (`make chaos` runs the full one): bench/chaos.py --quick,
as a subprocess. A few dozen applications flow while a web worker, a consumer and a relay are
SIGKILLed, RabbitMQ and PostgreSQL restarted and the SMTP server stopped for a while; every
application must reach CLEARED with each of its emails once.

The PostgreSQL and RabbitMQ it restarts are private to the run (a cluster and a node it starts
itself, tests/support/private_servers.py), so both restarts always run, whoever else is using
the machine's own servers.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.backends import unavailable
from tests.support.private_servers import PrivateServerUnavailable, check_available

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.real_backends]


def test_quick_chaos_run_loses_nothing_and_doubles_nothing() -> None:
    try:
        check_available(postgres=True, rabbitmq=True)
    except PrivateServerUnavailable as exc:
        unavailable(f"the chaos run starts its own servers: {exc}")
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "chaos.py"), "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    lines = result.stdout.strip().splitlines()
    assert lines, f"no output; stderr:\n{result.stderr[-3000:]}"
    print(lines[-1])  # the figures, for the log (pytest -s)
    figures = json.loads(lines[-1])
    context = f"{figures}\n--- stderr (end)\n{result.stderr[-3000:]}"
    assert "error" not in figures, context
    assert figures["submitted"] > 0, context
    assert figures["lost"] == 0, context
    assert figures["duplicates"] == 0, context
    assert figures["completed"] == figures["submitted"], context
    assert isinstance(figures["recovery_s"], (int, float)), context
    ran = {fault["name"] for fault in figures["faults"]}
    assert {
        "web_worker_kill",
        "consumer_kill",
        "relay_kill",
        "rabbitmq_restart",
        "postgres_restart",
        "smtp_outage",
    } <= ran, context
    assert not figures.get("skipped"), context
    assert not any(fault["detail"].startswith("failed") for fault in figures["faults"]), context
    assert result.returncode == 0, context
