"""What the benchmarks read of the processes they started: CPU time from /proc (of a server's
processes with its database's PostgreSQL backends, of every process group of a stack), and a
watcher that restarts a stack
process that dies, as a process supervisor would, noting each death."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import psycopg
from harness import PG_ADMIN_URL, log

from devstack.stack import Stack

TICKS = os.sysconf("SC_CLK_TCK")
TICK_MS = 1000 / TICKS


def _stat_fields(entry: Path) -> list[str]:
    """/proc/<pid>/stat after the command name (which may hold spaces and parentheses)."""
    return (entry / "stat").read_text().rsplit(")", 1)[1].split()


def cpu_ms(pid: int) -> float:
    """User + system time so far of one process; 0 once it is gone."""
    try:
        fields = _stat_fields(Path(f"/proc/{pid}"))
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) * TICK_MS  # utime + stime


def children(pid: int) -> list[int]:
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int(_stat_fields(entry)[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                kids.append(int(entry.name))
    return kids


def cpu_snapshot(master: int, database: str) -> dict[int, float]:
    """CPU ms so far of a server (its master and workers) and of its database's backends."""
    pids = [master, *children(master)]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        pids += [
            row[0]
            for row in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", (database,)
            )
        ]
    return {pid: cpu_ms(pid) for pid in pids}


def cpu_between(before: dict[int, float], master: int, database: str) -> float:
    after = cpu_snapshot(master, database)
    return sum(ms - before.get(pid, 0.0) for pid, ms in after.items())


def cpu_seconds(stack: Stack) -> dict[str, float]:
    """CPU time (user + system) so far of each stack process and its children, by name: every
    process of the stack leads its own process group (gunicorn's workers included)."""
    by_group: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = _stat_fields(entry)
        except OSError:
            continue
        group = int(fields[2])  # pgrp (fields counted after the command name)
        by_group[group] = by_group.get(group, 0.0) + (int(fields[11]) + int(fields[12])) / TICKS
    return {name: by_group.get(process.pid, 0.0) for name, process in stack.processes.items()}


class Supervisor:
    """Restarts a stack process that dies, as a process supervisor (compose's `restart:
    unless-stopped`) would, and notes each death with the last line of its log."""

    def __init__(self, label: str, stack: Stack) -> None:
        self.label = label
        self.stack = stack
        self.crashed: dict[str, dict[str, Any]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.wait(0.2):
            for name, process in list(self.stack.processes.items()):
                if process.poll() is None or self._stop.is_set():
                    continue
                lines = (
                    (self.stack.var_dir / "logs" / f"{name}.log")
                    .read_text(errors="replace")
                    .strip()
                    .splitlines()
                )
                last = lines[-1][:300] if lines else f"exit {process.returncode}"
                entry = self.crashed.setdefault(name, {"count": 0, "last": last})
                entry["count"] += 1
                entry["last"] = last
                log(f"{self.label}: {name} died ({last}); restarting it")
                self.stack.restart(name)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
