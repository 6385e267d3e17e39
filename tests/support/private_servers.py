"""Private PostgreSQL and RabbitMQ servers, for the tests and benchmarks that stop or restart one.

The machine's PostgreSQL (127.0.0.1:5432) and RabbitMQ (127.0.0.1:5672) belong to others too:
stopping either fails whatever else is using it. A test that needs an outage starts a server of
its own here (its own directory under /tmp, its own ports and, for RabbitMQ, its own node name),
stops and restarts that one, and deletes it on the way out:

    with private_postgres() as pg:          # initdb + pg_ctl (as the postgres user under root)
        url = pg.create_database("applications")
        pg.stop(); pg.start()
    with private_rabbitmq() as rabbit:      # rabbitmq-server, no plugins unless given
        rabbit.restart(down_s=2.0)          # stop_app, 2 s down, start_app

Without `with`, call close(). An atexit hook, and a watchdog process (should this one be
SIGKILLed) stop and delete whatever is left. A missing binary or OS user raises
PrivateServerUnavailable, naming it.
"""

from __future__ import annotations

import atexit
import os
import pwd
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Self

from shared.startup_secrets import generate_secret
from tests.support.deployment_secrets import database_url

POSTGRES_ROOT = Path("/usr/lib/postgresql")
RABBIT_SCRIPT = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")
# Below the kernel's ephemeral range (32768-60999), so that no outgoing connection can take a
# server's port while it is down; clear of RabbitMQ's CLI range (35672-35682) and 25672.
PORT_RANGE = (20000, 32000)

# Throwaway and loopback only: speed over durability.
POSTGRES_SETTINGS = (
    "listen_addresses='127.0.0.1' port={port} unix_socket_directories='{sockets}' "
    "max_connections=200 fsync=off synchronous_commit=off full_page_writes=off "
    "wal_level=minimal max_wal_senders=0"
)

# Reads its stdin until we close it: "done" means we cleaned up; else (we died) it signals the
# server (the pid in pid_file), SIGKILLs it after 10 s, and deletes its directory.
WATCHDOG = """
import os, shutil, signal, sys, time
pid_file, root, signum, group = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
if sys.stdin.read() != "done":
    kill = os.killpg if group else os.kill
    try:
        pid = int(open(pid_file).readline())
        kill(pid, signum)
        for _ in range(100):
            time.sleep(0.1)
            kill(pid, 0)
        kill(pid, signal.SIGKILL)
    except (OSError, ValueError):
        pass
    shutil.rmtree(root, ignore_errors=True)
"""


class PrivateServerUnavailable(RuntimeError):
    """What a private server needs (a binary, an OS user) is missing on this machine."""


def listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def free_port(avoid: int = 25672) -> int:
    for _ in range(500):
        port = random.SystemRandom().randrange(*PORT_RANGE)
        if port not in (avoid, 25672) and not listening(port):
            return port
    raise RuntimeError(f"no free port in {PORT_RANGE}")


def postgres_bindir() -> Path:
    """The newest /usr/lib/postgresql/<version>/bin that has initdb and pg_ctl."""
    found = [
        p / "bin"
        for p in POSTGRES_ROOT.glob("*")
        if (p / "bin" / "initdb").exists() and (p / "bin" / "pg_ctl").exists()
    ]
    if not found:
        raise PrivateServerUnavailable(
            f"PostgreSQL server binaries (initdb, pg_ctl) not found "
            f"in {POSTGRES_ROOT}/<version>/bin"
        )
    return max(
        found, key=lambda p: [int(n) if n.isdigit() else 0 for n in p.parent.name.split(".")]
    )


def rabbit_binaries() -> tuple[str, str]:
    """rabbitmq-server and rabbitmqctl. The server is the script itself when it is there:
    Debian's wrapper on PATH would `su`, putting the node in a session out of our reach."""
    found = [shutil.which(name) for name in ("rabbitmq-server", "rabbitmqctl")]
    if found[0] is None or found[1] is None:
        raise PrivateServerUnavailable(
            "rabbitmq-server and rabbitmqctl must be on PATH for a private RabbitMQ node"
        )
    return str(RABBIT_SCRIPT) if RABBIT_SCRIPT.exists() else found[0], found[1]


def os_user(name: str) -> str | None:
    """Under root, the user a server runs as (initdb refuses root); else None (ourselves)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(name)
    except KeyError:
        raise PrivateServerUnavailable(
            f"running as root, and no '{name}' OS user to run the private server as"
        ) from None
    return name


def check_available(*, postgres: bool = True, rabbitmq: bool = True) -> None:
    """Raise PrivateServerUnavailable, naming what is missing, unless the servers can start."""
    if postgres:
        postgres_bindir()
        os_user("postgres")
    if rabbitmq:
        rabbit_binaries()
        os_user("rabbitmq")


def _as(user: str | None) -> dict[str, Any]:
    return {"user": user, "group": user, "extra_groups": []} if user else {}


def _clean_env() -> dict[str, str]:
    """Our environment without RABBITMQ_*: those would move a CLI's own ports and paths."""
    return {k: v for k, v in os.environ.items() if not k.startswith("RABBITMQ_")}


def _tail(path: Path) -> str:
    return path.read_text(errors="replace")[-1500:] if path.exists() else ""


_LIVE: set[_PrivateServer] = set()


class _PrivateServer:
    """A directory of its own (`root`), deleted by close(), by atexit, or by the watchdog."""

    def __init__(
        self, prefix: str, user: str | None, pid_file: str, signum: int, group: bool
    ) -> None:
        self.user = user
        self.root = Path(tempfile.mkdtemp(prefix=prefix))
        if user:
            shutil.chown(self.root, user, user)
        self.port = free_port()
        self.startup_s: float | None = None
        self.closed = False
        _LIVE.add(self)
        self._watchdog = subprocess.Popen(
            [
                sys.executable,
                "-c",
                WATCHDOG,
                str(self.root / pid_file),
                str(self.root),
                str(int(signum)),
                "1" if group else "0",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            text=True,
        )

    def _boot(self) -> None:
        raise NotImplementedError

    def _shutdown(self) -> None:
        raise NotImplementedError

    def _started(self) -> Self:
        began = time.monotonic()
        try:
            self._boot()
        except BaseException:
            self.close()
            raise
        self.startup_s = round(time.monotonic() - began, 2)
        return self

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self, keep_files: bool = False) -> None:
        """Stop the server and delete its directory (`keep_files`: leave it for a look)."""
        if self.closed:
            return
        self.closed = True
        _LIVE.discard(self)
        clean = False
        try:
            self._shutdown()
            clean = True
            if not keep_files:
                shutil.rmtree(self.root, ignore_errors=True)
        finally:  # not clean: the watchdog kills what is left and deletes the directory
            self._watchdog.communicate("done" if clean else "", timeout=30)


@atexit.register
def _close_all() -> None:
    for server in list(_LIVE):
        try:
            server.close()
        except Exception as exc:  # noqa: BLE001 - the watchdog has the rest
            print(f"private_servers: closing {server.root}: {exc!r}", file=sys.stderr)


class PrivatePostgres(_PrivateServer):
    """A PostgreSQL cluster of our own on 127.0.0.1:`port`, trust auth, superuser postgres."""

    def __init__(self) -> None:
        self.bindir = postgres_bindir()
        super().__init__(
            "private-pg-", os_user("postgres"), "data/postmaster.pid", signal.SIGQUIT, group=False
        )  # SIGQUIT: immediate shutdown
        self.data = self.root / "data"

    @property
    def admin_url(self) -> str:
        return self.url("postgres")

    def url(self, dbname: str) -> str:
        # It trusts loopback; the password is for the services' secrets check.
        return database_url(f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}")

    def create_database(self, name: str) -> str:
        """A new empty database; its URL."""
        from shared.db import create_database

        return create_database(self.admin_url, name)

    def _run(self, program: str, *args: str) -> None:
        result = subprocess.run(
            [str(self.bindir / program), *args],
            cwd=self.root,
            text=True,
            capture_output=True,
            timeout=120,
            **_as(self.user),
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{program} {' '.join(args)}: exit {result.returncode}: "
                f"{(result.stderr or result.stdout).strip()[-1500:]}\n"
                f"{_tail(self.root / 'postgres.log')}"
            )

    def start(self) -> None:
        """Start it; returns once it accepts connections."""
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.root / "postgres.log"),
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        """Stop it (`mode`: smart, fast or immediate); returns once it is down."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self) -> None:
        self.stop()
        self.start()

    def _boot(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        with open(self.data / "postgresql.conf", "a") as conf:
            settings = POSTGRES_SETTINGS.format(port=self.port, sockets=self.root)
            conf.write("\n".join(["", "# private_servers.py", *settings.split()]) + "\n")
        self.start()

    def _shutdown(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.stop("immediate")


class PrivateRabbit(_PrivateServer):
    """A RabbitMQ node of our own (`node`, AMQP on 127.0.0.1:`port`, vhost /, a user `test`
    with a generated password: services refuse guest/guest)."""

    def __init__(self, *, config: str = "", plugins: tuple[str, ...] = ()) -> None:
        self.config = config  # rabbitmq.conf (sysctl format), e.g. a TLS listener
        self.plugins = plugins  # e.g. ("rabbitmq_management",): only on this node
        self.server, self.ctl = rabbit_binaries()
        super().__init__(
            "private-rabbit-", os_user("rabbitmq"), "launcher.pid", signal.SIGTERM, group=True
        )
        self.node = f"rabbit_test_{uuid.uuid4().hex[:10]}@localhost"
        self.dist_port = free_port(avoid=self.port)
        self.process: subprocess.Popen[bytes] | None = None
        self.password = generate_secret()

    @property
    def amqp_url(self) -> str:
        return f"amqp://test:{self.password}@127.0.0.1:{self.port}//"

    def _env(self) -> dict[str, str]:
        paths = {
            "MNESIA_BASE": "mnesia",
            "LOG_BASE": "log",
            "PLUGINS_EXPAND_DIR": "plugins",
            "ENABLED_PLUGINS_FILE": "enabled_plugins",
            # Ours (only the default user): none of the shared node's configuration applies.
            "CONFIG_FILE": "rabbitmq.conf",
            "CONFIG_FILES": "conf.d",
            "ADVANCED_CONFIG_FILE": "advanced.config",
        }
        env = {
            **_clean_env(),
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            **{f"RABBITMQ_{key}": str(self.root / name) for key, name in paths.items()},
        }
        if self.user:  # as Debian's wrapper runs it: that user's home has the Erlang cookie
            env["HOME"] = pwd.getpwnam(self.user).pw_dir
        return env

    def _boot(self) -> None:
        """Start the node; once the VM's distribution port is open, `await_startup`."""
        (self.root / "enabled_plugins").write_text(f"[{','.join(self.plugins)}].\n")
        # Its default user has a generated password (services refuse guest/guest).
        (self.root / "rabbitmq.conf").write_text(
            f"default_user = test\ndefault_pass = {self.password}\n{self.config}"
        )
        for name in ("mnesia", "log", "conf.d"):
            (self.root / name).mkdir()
        if self.user:
            for path in (self.root, *self.root.iterdir()):
                shutil.chown(path, self.user, self.user)
        with open(self.root / "console.log", "wb") as console:
            # A process group of its own (the script and the VM): killpg reaches both.
            self.process = subprocess.Popen(
                [self.server],
                env=self._env(),
                cwd=self.root,
                stdin=subprocess.DEVNULL,
                stdout=console,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                **_as(self.user),
            )
        (self.root / "launcher.pid").write_text(f"{self.process.pid}\n")
        deadline = time.monotonic() + 120
        while not listening(self.dist_port):  # the VM is up; the broker boots for seconds
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"rabbitmq-server exited ({self.process.returncode}):\n"
                    f"{_tail(self.root / 'console.log')}"
                )
            if time.monotonic() > deadline:
                raise TimeoutError(f"RabbitMQ node {self.node} did not start in 120 s")
            time.sleep(0.05)
        self.rabbitmqctl("await_startup", timeout=max(1.0, deadline - time.monotonic()))

    def rabbitmqctl(self, *args: str, timeout: float = 120) -> str:
        result = subprocess.run(
            [self.ctl, "-q", "-n", self.node, *args],
            env=_clean_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"rabbitmqctl -n {self.node} {' '.join(args)}: exit "
                f"{result.returncode}: {(result.stderr or result.stdout)[-1500:]}"
            )
        return result.stdout

    def stop_app(self) -> None:
        """The broker application stopped: every connection dropped, nothing accepted."""
        self.rabbitmqctl("stop_app")

    def start_app(self) -> None:
        self.rabbitmqctl("start_app")

    def restart(self, down_s: float = 0.0) -> None:
        """stop_app, `down_s` seconds down, start_app (durable queues survive it)."""
        self.stop_app()
        try:
            time.sleep(down_s)
        finally:
            self.start_app()

    def close_all_connections(self, reason: str = "closed by the test") -> None:
        self.rabbitmqctl("close_all_connections", reason)

    def _shutdown(self) -> None:
        """Killed, not shut down: its state is thrown away anyway, and this takes no time."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


def private_postgres() -> PrivatePostgres:
    """A private PostgreSQL cluster, initialised and running (`with` it, or close() it)."""
    return PrivatePostgres()._started()


def private_rabbitmq(*, config: str = "", plugins: tuple[str, ...] = ()) -> PrivateRabbit:
    """A private RabbitMQ node, started (`with` it, or close() it); `config` is its
    rabbitmq.conf, `plugins` the plugins it enables."""
    return PrivateRabbit(config=config, plugins=plugins)._started()
