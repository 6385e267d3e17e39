"""Where the CPU goes, process by process, under the end-to-end load: a flame graph (SVG) of
every process of the stack, recorded with py-spy while applications flow at a fixed rate.

    .venv/bin/python bench/profile.py [--rate 20] [--duration 20] [--out bench/profiles/latest]

The stack is backbone.py's end to end on PostgreSQL + RabbitMQ (each service's gunicorn web
with 2 workers, consumer, relay, vetting's check runner, notifications' sender), started for the
run and stopped after it. After a warm-up, py-spy samples each process (a web master with its
workers, `--subprocesses`) without pausing it (`--nonblocking`) for the whole measured load, and
writes `<out>/<process>.svg`. The last line is one JSON object: the flame graphs, the samples in
each, the CPU milliseconds per application of each process, and the end-to-end figures.
Needs py-spy (`pip install py-spy`; it reads other processes' memory, as root or with
CAP_SYS_PTRACE).
"""

from __future__ import annotations

import argparse
import re
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from backbone_e2e import SmtpSink, record_e2e, run_e2e
from harness import (
    AMQP_URL,
    DEPLOYMENT_ENV,
    GUEST_FOR_ALL,
    Resources,
    exit_with,
    log,
    run_and_report,
)

from devstack.stack import Stack
from shared.messaging.topology import SERVICES

FIRST_PORT = 18301
ROOT = Path(__file__).resolve().parents[1]
SAMPLES = re.compile(r"Samples: (\d+)")


def py_spy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(found).exists():
        raise SystemExit("py-spy is not installed: .venv/bin/pip install py-spy")
    return found


def recorders(out_dir: Path, seconds: float, rate_hz: int, figures: dict[str, Any]):
    """The `while_loaded` hook: a py-spy per process, for `seconds`."""

    def start(stack: Stack) -> Callable[[], None]:
        out_dir.mkdir(parents=True, exist_ok=True)
        running = {}
        for name, process in sorted(stack.processes.items()):
            argv = [py_spy(), "record", "--nonblocking", "--rate", str(rate_hz)]
            argv += ["--duration", str(int(seconds)), "--format", "flamegraph"]
            argv += ["--output", str(out_dir / f"{name}.svg"), "--pid", str(process.pid)]
            if name.endswith("-web"):
                argv.append("--subprocesses")  # the gunicorn workers, where requests run
            report = open(out_dir / f"{name}.log", "w")
            running[name] = (
                subprocess.Popen(argv, stdout=report, stderr=subprocess.STDOUT),
                report,
            )

        def finish() -> None:
            for name, (recorder, report) in running.items():
                # py-spy stops itself after `seconds`, but not always on a busy machine: an
                # interrupt makes it write what it has (as Ctrl-C would).
                try:
                    recorder.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    recorder.send_signal(signal.SIGINT)
                    recorder.wait(timeout=60)
                report.close()
                output = (out_dir / f"{name}.log").read_text()
                (out_dir / f"{name}.log").unlink()
                found = SAMPLES.search(output)
                figures["samples"][name] = int(found.group(1)) if found else 0
                figures["flamegraphs"][name] = str((out_dir / f"{name}.svg").relative_to(ROOT))
                if recorder.returncode != 0:
                    log(f"py-spy on {name}: {output.strip()[-300:]}")

        return finish

    return start


def measure(args: argparse.Namespace, run: str, resources: Resources, out: dict[str, Any]) -> None:
    out.update(rate=args.rate, duration_s=args.duration, flamegraphs={}, samples={})
    smtp_port = resources.port()
    sink = SmtpSink(smtp_port)
    sink.controller.start()
    resources.on_close("stop smtp", sink.controller.stop)
    urls = {service: resources.database(service) for service in SERVICES}
    stack = resources.stack(
        Stack(
            var_dir=resources.subdir("profile"),
            base_env={
                "BROKER_URL": AMQP_URL,
                "BROKER_PREFIX": resources.broker_prefix("p"),
                **DEPLOYMENT_ENV,
                **GUEST_FOR_ALL,
                "SMTP_PORT": str(smtp_port),
                "SMTP_HOST": "127.0.0.1",
            },
            database_urls=urls,
            ports={service: resources.port() for service in SERVICES},
            smtp_port=smtp_port,
            web_workers=2,
        )
    )
    hook = recorders(Path(args.out).resolve(), args.duration, args.sample_rate, out)
    result = run_e2e(
        "profile", stack, urls, sink, run, args.rate, args.duration, args.warmup, 60, hook
    )
    record_e2e(out, "e2e", result)
    out["e2e_cpu_ms_per_application_total"] = round(sum(result.cpu_ms_per_application.values()), 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=20.0, help="applications per second")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of measured load")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--sample-rate", type=int, default=25, help="py-spy samples a second")
    parser.add_argument("--out", default=str(ROOT / "bench" / "profiles" / "latest"))
    args = parser.parse_args()
    resources = Resources(uuid.uuid4().hex[:8], "prof", FIRST_PORT)
    return run_and_report("profile", args, resources, measure)


if __name__ == "__main__":
    exit_with(main)
