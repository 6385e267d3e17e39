"""The reduced whole-system fault run (`make chaos` runs the full one): bench/chaos.py --quick,
as a subprocess, on PostgreSQL and RabbitMQ. A few dozen applications flow while a web worker,
a consumer and a relay are SIGKILLed, RabbitMQ and PostgreSQL restarted and the SMTP server
stopped for a while; every application must reach CLEARED with each of its emails once.

RabbitMQ and PostgreSQL are restarted only when no other test or bench run is active on the
machine (waiting up to CHAOS_ALONE_WAIT seconds, default 60); otherwise those two faults are
left out and the rest still run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.backends import REQUIRE_REAL

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.real_backends, pytest.mark.serial]


def test_quick_chaos_run_loses_nothing_and_doubles_nothing(postgres_admin_url: str,
                                                           amqp_url: str) -> None:
    if shutil.which("rabbitmqctl") is None:  # a vhost of its own, and the broker restart
        message = "rabbitmqctl not on PATH: the chaos run needs it"
        if REQUIRE_REAL:
            pytest.fail(f"{message} (REQUIRE_REAL_BACKENDS=1)", pytrace=False)
        pytest.skip(message)
    env = {**os.environ, "BENCH_POSTGRES_URL": postgres_admin_url,
           "BENCH_AMQP_URL": amqp_url.rstrip("/") + "/"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "chaos.py"), "--quick", "--alone-wait",
         os.environ.get("CHAOS_ALONE_WAIT", "60")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
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
    assert {"web_worker_kill", "consumer_kill", "relay_kill", "smtp_outage"} <= ran, context
    assert not any(fault["detail"].startswith("failed") for fault in figures["faults"]), context
    assert result.returncode == 0, context
