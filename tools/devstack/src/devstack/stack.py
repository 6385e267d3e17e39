"""Start every service's web, consumer and relay processes (and a local SMTP sink, and under
`make run` the development identity provider) as one stack.

`make run` uses this on the embedded default (SQLite + kombu's filesystem transport under var/);
the end-to-end tests and the benchmarks use it too, with PostgreSQL and RabbitMQ settings.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.error import URLError
from urllib.request import urlopen

from shared.clock import pin_test_clock
from shared.config import DEFAULT_PORTS
from shared.messaging.topology import SERVICES

ROLES = ("web", "consume", "relay")
# The services' long-running workers, each its own process (their ServiceDefinition.workers).
WORKERS = {"vetting": ("check-runner",), "notifications": ("send",)}


def roles(service: str) -> tuple[str, ...]:
    return ROLES + WORKERS.get(service, ())


DEV_IDP_PORT = 9000  # shared.config.DEV_ISSUER


@dataclass
class Stack:
    var_dir: Path
    base_env: Mapping[str, str] = field(default_factory=dict)
    database_urls: Mapping[str, str] = field(default_factory=dict)
    service_env: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    ports: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    smtp_port: int | None = 1025
    web_workers: int = 1
    echo: bool = False
    # Restart a process that dies on its own (as compose's `restart: unless-stopped` does).
    supervise: bool = False
    # Operator commands run on a timer while supervised, as cron would run them in production:
    # name -> (service, CLI arguments, interval in seconds).
    scheduled: Mapping[str, tuple[str, tuple[str, ...], float]] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    _logs: dict[str, IO[bytes]] = field(default_factory=dict)
    _stopping: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        # TEST_CLOCK_AT as one offset before the first process starts: they all agree on it.
        pin_test_clock()

    def env_for(self, service: str) -> dict[str, str]:
        env = {
            **os.environ,
            **self.base_env,
            "VAR_DIR": str(self.var_dir),
            "PORT": str(self.ports[service]),
            "PYTHONUNBUFFERED": "1",
        }
        env.update(self.service_env.get(service, {}))
        if service in self.database_urls:
            env["DATABASE_URL"] = self.database_urls[service]
        if self.smtp_port is not None:
            env.setdefault("SMTP_PORT", str(self.smtp_port))
        return env

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def cli(self, service: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", service, *args],
            env=self.env_for(service),
            capture_output=True,
            text=True,
            check=check,
            timeout=120,
        )

    def migrate(self) -> None:
        # Four databases, four processes: side by side rather than one after another (start-up
        # imports are most of each one's time).
        with ThreadPoolExecutor(len(SERVICES)) as pool:
            for result in pool.map(lambda service: self.cli(service, "migrate"), SERVICES):
                result.check_returncode()

    def argv(self, service: str, role: str) -> list[str]:
        if role == "web":
            return [
                sys.executable,
                "-m",
                service,
                "web",
                "--bind",
                f"127.0.0.1:{self.ports[service]}",
                "--workers",
                str(self.web_workers),
            ]
        return [sys.executable, "-m", service, role]

    def start(
        self,
        *,
        smtp: bool = False,
        identity_provider: bool = False,
        only: Sequence[str] | None = None,
    ) -> None:
        """Every service's processes, or `only` those named (e.g. "applications-web")."""
        self.var_dir.mkdir(parents=True, exist_ok=True)
        (self.var_dir / "logs").mkdir(exist_ok=True)
        if identity_provider:
            # tools/devidp, where staff sign in (OIDC_ISSUER's default): never in production.
            self._spawn(
                "devidp",
                [
                    sys.executable,
                    "-m",
                    "devidp",
                    "serve",
                    "--port",
                    str(DEV_IDP_PORT),
                    "--var-dir",
                    str(self.var_dir / "devidp"),
                ],
                dict(os.environ),
            )
        if smtp and self.smtp_port is not None:
            mail_dir = self.var_dir / "mail"
            for sub in ("cur", "new", "tmp"):
                (mail_dir / sub).mkdir(parents=True, exist_ok=True)
            self._spawn(
                "smtp",
                [
                    sys.executable,
                    "-m",
                    "aiosmtpd",
                    "-n",
                    "-l",
                    f"127.0.0.1:{self.smtp_port}",
                    "-c",
                    "aiosmtpd.handlers.Mailbox",
                    str(mail_dir),
                ],
                dict(os.environ),
            )
        for service in SERVICES:
            for role in roles(service):
                if only is None or f"{service}-{role}" in only:
                    self.start_process(service, role)
        if self.supervise:
            threading.Thread(target=self._watch, daemon=True).start()
            for name, job in self.scheduled.items():
                threading.Thread(target=self._every, args=(name, *job), daemon=True).start()

    def start_process(self, service: str, role: str) -> None:
        self._spawn(f"{service}-{role}", self.argv(service, role), self.env_for(service))

    def _watch(self) -> None:
        while not self._stopping.wait(1.0):
            for name, process in list(self.processes.items()):
                if (
                    name not in ("smtp", "devidp")
                    and process.poll() is not None
                    and not self._stopping.is_set()
                ):
                    print(f"{name} exited with {process.returncode}; restarting", flush=True)
                    self.restart(name)

    def _every(self, name: str, service: str, args: tuple[str, ...], interval_s: float) -> None:
        """Run an operator command now and then every `interval_s`, its output in the logs."""
        while not self._stopping.is_set():
            result = self.cli(service, *args, check=False)
            with open(self.var_dir / "logs" / f"{name}.log", "a") as log:
                log.write(result.stdout + result.stderr)
            if result.returncode != 0:
                print(f"{name} failed ({result.returncode}); see logs/{name}.log", flush=True)
            self._stopping.wait(interval_s)

    def _spawn(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        if name in self._logs:
            self._logs[name].close()
        log = open(self.var_dir / "logs" / f"{name}.log", "ab")
        self._logs[name] = log
        process = subprocess.Popen(
            argv,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        self.processes[name] = process
        threading.Thread(target=self._pump, args=(name, process, log), daemon=True).start()

    def _pump(self, name: str, process: subprocess.Popen, log: IO[bytes]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            log.write(line)
            log.flush()
            if self.echo:
                sys.stdout.write(f"{name:>24} | {line.decode(errors='replace')}")

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        for service in (s for s in SERVICES if f"{s}-web" in self.processes):
            while True:
                try:
                    with urlopen(self.url(service) + "/health/readiness", timeout=2) as response:
                        if response.status == 200:
                            break
                except (URLError, OSError):
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{service} not ready; see {self.var_dir / 'logs'}")
                time.sleep(0.1)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.processes[name]
        os.killpg(process.pid, sig)
        process.wait(timeout=30)

    def restart(self, name: str) -> None:
        service, role = name.split("-", 1)
        self.start_process(service, role)

    def stop(self) -> None:
        self._stopping.set()
        for process in self.processes.values():
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 15
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for log in self._logs.values():
            log.close()
        self.processes.clear()

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def _die_with_parent() -> None:
    """Linux: the child gets SIGTERM if the stack process dies, so nothing is left running."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _dev_users() -> str:
    """The development identity provider's users, for the front doors' sign-in."""
    result = subprocess.run(
        [sys.executable, "-m", "devidp", "users"], capture_output=True, text=True, check=False
    )
    lines = [
        "    development users (password dev-password-only; "
        "tools/devidp/src/devidp/dev_users.json):"
    ]
    for line in result.stdout.splitlines():
        user = json.loads(line)
        if user.get("people") == "public":
            what = f"coordinators' portal, {user['email']}"
        else:
            where = f" at {', '.join(user['establishments'])}" if user["establishments"] else ""
            what = f"{', '.join(user['roles'])}{where}"
        lines.append(f"      {user['username']:<5} {user['name']:<12} {what}")
    return "\n".join(lines)


def scheduled_jobs(env: Mapping[str, str]) -> dict[str, tuple[str, tuple[str, ...], float]]:
    """What `make run` runs on a timer: the clearance sweep and the exclusion-review sweep
    (SWEEP_INTERVAL_S, default hourly) and each service's retention run (RETENTION_INTERVAL_S,
    default daily)."""
    sweep_every_s = float(env.get("SWEEP_INTERVAL_S", 3600))
    retention_every_s = float(env.get("RETENTION_INTERVAL_S", 86400))
    return {
        "vetting-sweep": ("vetting", ("sweep",), sweep_every_s),
        # Exclusions whose review date has come, announced once each.
        "access-sweep": ("access", ("sweep",), sweep_every_s),
        **{
            f"{service}-retention": (service, ("retention", "run"), retention_every_s)
            for service in SERVICES
        },
    }


def main() -> None:
    """`make run`: the whole system on the embedded default, until Ctrl-C."""
    var_dir = Path(os.environ.get("VAR_DIR", "var")).resolve()
    scheduled = scheduled_jobs(os.environ)
    sweep_every_s = scheduled["vetting-sweep"][2]
    retention_every_s = scheduled["vetting-retention"][2]
    stack = Stack(
        var_dir=var_dir,
        echo=os.environ.get("QUIET") != "1",
        web_workers=2,
        supervise=True,
        scheduled=scheduled,
        base_env={"VETTING_SIMULATED_DELAY_S": os.environ.get("VETTING_SIMULATED_DELAY_S", "2")},
    )
    print(f"Migrating databases under {var_dir} ...", flush=True)
    stack.migrate()
    stack.start(smtp=True, identity_provider=True)
    try:
        stack.wait_ready()
        print("\nThe system is running (Ctrl-C stops everything):", flush=True)
        for service in SERVICES:
            url = stack.url(service)
            print(f"  {service:<14} {url}   API docs {url}/docs   health {url}/health/readiness")
        print(
            f"  security console {stack.url('access')}/console, vetting workbench "
            f"{stack.url('vetting')}/workbench, coordinators' portal "
            f"{stack.url('applications')}/portal: sign in at the development identity "
            f"provider, http://127.0.0.1:{DEV_IDP_PORT}",
            flush=True,
        )
        print(_dev_users(), flush=True)
        print(f"  email (SMTP sink) 127.0.0.1:{stack.smtp_port}, mail in {var_dir}/mail/new")
        print(
            f"  clearance sweep (reminders, expiry) and exclusion-review sweep every "
            f"{sweep_every_s:g} s (SWEEP_INTERVAL_S)",
            flush=True,
        )
        print(
            f"  retention (purge what is past its period) every {retention_every_s:g} s "
            "(RETENTION_INTERVAL_S)",
            flush=True,
        )
        print(f"  logs in {var_dir}/logs.  Try: make demo\n", flush=True)
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    except KeyboardInterrupt:
        pass
    finally:
        print("\nStopping ...", flush=True)
        stack.stop()
