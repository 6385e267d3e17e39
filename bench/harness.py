"""What every benchmark in bench/ needs besides what it measures: resources released in reverse
order whatever happens (databases, broker prefixes, ports, processes, stacks, a temp dir),
servers waited for, the services' CLIs, the baseline started with the same gunicorn command
line, timed runs and percentiles, and the run printing one JSON object as its last line."""

from __future__ import annotations

import argparse
import ctypes
import http.client
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kombu import Connection
from limits_env import raise_rate_limits

from shared.config import load_settings, shared_broker_user_env
from shared.db import create_database
from shared.db import drop_database as drop_pg_database
from shared.messaging.topology import Topology

if TYPE_CHECKING:
    from devstack.stack import Stack

raise_rate_limits()  # every benchmark that uses this harness, and every process it starts

BENCH_ROOT = Path(__file__).resolve().parents[1]
if str(BENCH_ROOT) not in sys.path:  # run as `python bench/<x>.py`: only bench/ is on the path
    sys.path.append(str(BENCH_ROOT))

from tests.support.deployment_secrets import (  # noqa: E402 - production-strength secrets
    DEPLOYMENT_ENV,
    SECRETS,
    broker_url,
    database_url,
)

BENCH_DIR = Path(__file__).resolve().parent
# The services refuse development secrets on PostgreSQL and RabbitMQ: a password in the
# database URL (the local server trusts loopback) and a RabbitMQ user of this run's own.
PG_ADMIN_URL = database_url(
    os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
)
AMQP_URL = broker_url(os.environ.get("BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//"))
__all__ = ["DEPLOYMENT_ENV", "SECRETS"]
# One broker user plays every service (the consumers must trust it for each).
GUEST_FOR_ALL = shared_broker_user_env(
    load_settings("applications", {"BROKER_URL": AMQP_URL}).broker_connection_user
)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------
# Resources: every one registered for cleanup the moment it exists
# ------------------------------------------------------------------------------------------


def drop_database(name: str) -> None:
    drop_pg_database(PG_ADMIN_URL, name)


def delete_broker_objects(prefix: str, *extra_queues: str) -> None:
    """Every queue and exchange under the prefix, with any queue a benchmark declared itself."""
    settings = load_settings("applications", {"BROKER_URL": AMQP_URL, "BROKER_PREFIX": prefix})
    with Connection(AMQP_URL, connect_timeout=5) as conn:
        Topology(settings).delete_all(conn, *extra_queues)


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _die_with_parent() -> None:
    """Linux: the child gets SIGTERM if the bench dies, so nothing is left running."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class Resources:
    """Databases, broker prefix, temp dir, ports and processes, released in reverse order."""

    def __init__(self, run: str, name: str, first_port: int) -> None:
        self.run = run
        self.name = name
        self.exit = ExitStack()
        self.next_port = first_port
        self.dir = Path(tempfile.mkdtemp(prefix=f"bench-{name}-{run}-"))
        self.exit.callback(shutil.rmtree, self.dir, ignore_errors=True)

    def database(self, label: str) -> str:
        name = f"bench_{self.name}_{self.run}_{label}"
        url = create_database(PG_ADMIN_URL, name)
        self.exit.callback(self._quietly, f"drop database {name}", drop_database, name)
        return url

    def broker_prefix(self, label: str = "", *extra_queues: str) -> str:
        prefix = f"bench{self.name}{self.run}{label}."
        self.exit.callback(
            self._quietly,
            f"delete broker objects {prefix}*",
            delete_broker_objects,
            prefix,
            *extra_queues,
        )
        return prefix

    def subdir(self, label: str) -> Path:
        path = self.dir / label
        path.mkdir(exist_ok=True)
        return path

    def on_close(self, what: str, stop: Callable[[], Any]) -> None:
        """Something started in this process (an SMTP sink, a watcher): stopped at the end."""
        self.exit.callback(self._quietly, what, stop)

    def stack(self, stack: Stack) -> Stack:
        self.on_close("stop stack", stack.stop)
        return stack

    def port(self) -> int:
        while not port_is_free(self.next_port):
            self.next_port += 1
        self.next_port += 1
        return self.next_port - 1

    def process(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        """A process group of its own, output to a log file (no pipe for the bench to pump)."""
        log_file = open(self.dir / f"{name}.log", "ab")
        self.exit.callback(log_file.close)
        process = subprocess.Popen(
            argv,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        self.exit.callback(self._quietly, f"stop {name}", stop_process, process)
        return process

    @staticmethod
    def _quietly(what: str, fn: Callable[..., Any], *args: Any) -> None:
        try:
            fn(*args)
        except Exception as exc:  # noqa: BLE001 - clean up the rest regardless
            log(f"cleanup: {what} failed: {exc!r}")

    def show_logs(self, lines: int = 15) -> None:
        """On failure: the end of each server log, before the temp dir goes."""
        for path in sorted(self.dir.glob("*.log")):
            tail = path.read_text(errors="replace").splitlines()[-lines:]
            log(f"--- {path.name} (last {len(tail)} lines)\n" + "\n".join(tail))

    def close(self) -> None:
        self.exit.close()


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_http(port: int, path: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the server on :{port} exited ({process.returncode})")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"the server on :{port} is not ready")
        time.sleep(0.1)


def service_cli(service: str, env: dict[str, str], *args: str, timeout: float = 120) -> str:
    """`python -m <service> <args>` to the end; its output's last line."""
    result = subprocess.run(
        [sys.executable, "-m", service, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{service} {' '.join(args)}: {result.stderr.strip()}")
    lines = result.stdout.strip().splitlines()
    return lines[-1] if lines else ""


def gunicorn_argv(pid: int) -> list[str]:
    """The gunicorn command line that `python -m <service> web` (process `pid`) runs in its own
    process: what its --bind and --workers make of the service's gunicorn arguments."""
    from shared.cli import gunicorn_args

    argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")[:-1]
    service, web = argv[argv.index("-m") + 1], argv[argv.index("web") + 1 :]
    option = {name: web[web.index(name) + 1] for name in ("--bind", "--workers") if name in web}
    workers = int(option["--workers"]) if "--workers" in option else None
    return [
        sys.executable,
        "-m",
        "gunicorn",
        *gunicorn_args(f"{service}.app:create_app()", option["--bind"], workers),
    ]


def bare_argv(web_argv: list[str], port: int, app: str) -> list[str]:
    """A service's web command line with only the app (a module in bench/) and the bind
    address changed: the baseline runs under exactly the same gunicorn settings."""
    argv = list(web_argv)
    target = argv.index("gunicorn") + 1
    argv[target] = app
    argv[argv.index("--bind") + 1] = f"127.0.0.1:{port}"
    return [*argv[:target], "--pythonpath", str(BENCH_DIR), *argv[target:]]


# ------------------------------------------------------------------------------------------
# Timed runs, and the run as a whole
# ------------------------------------------------------------------------------------------


@dataclass
class Run:
    label: str
    count: int
    elapsed_s: float
    latencies_ms: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.count / self.elapsed_s

    def percentile(self, q: float) -> float:
        return percentile(self.latencies_ms, q)


def percentile(values: list[float], q: float) -> float | None:
    """Nearest rank; None when there is nothing to rank."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def _interrupt(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def _loadavg(every: bool) -> float | list[float]:
    averages = [round(x, 2) for x in os.getloadavg()]
    return averages if every else averages[0]


def run_and_report(
    bench: str,
    args: argparse.Namespace,
    resources: Resources,
    measure: Callable[[argparse.Namespace, str, Resources, dict[str, Any]], None],
    every_loadavg: bool = False,
) -> int:
    """Measure, then release everything (also on failure, Ctrl-C or SIGTERM) and print the
    figures as one JSON object, the last line. `every_loadavg`: the 1, 5 and 15 minutes'."""
    signal.signal(signal.SIGTERM, _interrupt)  # a CI timeout must still clean up
    out: dict[str, Any] = {
        "bench": bench,
        "run": resources.run,
        "loadavg_start": _loadavg(every_loadavg),
    }
    started = time.monotonic()
    try:
        measure(args, resources.run, resources, out)
    except BaseException:
        traceback.print_exc()
        resources.show_logs()
        out["error"] = traceback.format_exc().strip().splitlines()[-1]
        raise
    finally:
        log("cleaning up: processes, databases, broker objects, temp dir")
        resources.close()
        out["wall_s"] = round(time.monotonic() - started, 1)
        out["loadavg_end"] = _loadavg(every_loadavg)
        print(json.dumps(out), flush=True)
    return 0


def exit_with(main: Callable[[], int]) -> None:
    """A benchmark's exit: the failure was already reported and the JSON line carries it."""
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception:  # noqa: BLE001 - already reported; the JSON line carries the error
        sys.exit(1)
