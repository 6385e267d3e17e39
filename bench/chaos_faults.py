"""The faults bench/chaos.py injects, one after another, and the monitor that notes when each
application completed (CLEARED, and every email it should produce received)."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import chaos_count as count
import chaos_infra as infra
import psycopg
from chaos_flow import StoppableSmtp, Traffic

from devstack.stack import Stack

SERVER_RESTARTS = ("rabbitmq_restart", "postgres_restart")


class Monitor(threading.Thread):
    """Every 0.5 s: which submitted applications have completed, and since when."""

    def __init__(
        self,
        db: Mapping[str, str],
        smtp: StoppableSmtp,
        traffic: Traffic,
        coordinator: str,
        establishments: tuple[str, ...],
    ) -> None:
        super().__init__(daemon=True, name="monitor")
        self.db, self.smtp, self.traffic = db, smtp, traffic
        self.coordinator, self.establishments = coordinator, establishments
        self.snapshot = count.Snapshot()
        self.completed_at: dict[str, float] = {}
        self.counts: dict[str, Any] = {}
        self.unknown: list[str] = []
        self.origin = time.monotonic()
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(0.5):
            self.poll()

    def poll(self) -> None:
        with self.lock:
            try:
                count.refresh(self.snapshot, self.db)
            except psycopg.Error:
                return  # PostgreSQL is restarting: look again next time
            self.counts, _latest, self.unknown = count.received_by_application(
                self.snapshot, self.smtp.snapshot()
            )
            now = time.monotonic()
            for submission in self.submissions():
                if submission.application_id not in self.completed_at and count.complete(
                    submission.application_id,
                    self.expected(submission.email),
                    self.snapshot,
                    self.counts,
                ):
                    self.completed_at[submission.application_id] = now

    def expected(self, email: str) -> set[tuple[str, str]]:
        return count.expected_emails(email, self.coordinator, self.establishments)

    def submissions(self) -> list[Any]:
        with self.traffic.lock:
            return list(self.traffic.submissions)

    def incomplete(self) -> bool:
        return any(s.application_id not in self.completed_at for s in self.submissions())

    def first_completion_after(self, moment: float) -> float | None:
        after = [
            self.completed_at[s.application_id] - moment
            for s in self.submissions()
            if s.submitted_at >= moment and s.application_id in self.completed_at
        ]
        return round(min(after), 2) if after else None

    def figures(self, last_fault_end: float | None) -> dict[str, Any]:
        submissions = self.submissions()
        completed = [s for s in submissions if s.application_id in self.completed_at]
        recovery: float | None = None
        if last_fault_end is not None:
            before = [s for s in submissions if s.submitted_at < last_fault_end]
            if all(s.application_id in self.completed_at for s in before):
                recovery = round(
                    max(
                        [0.0]
                        + [self.completed_at[s.application_id] - last_fault_end for s in before]
                    ),
                    2,
                )
        doubled = sum(n - 1 for got in self.counts.values() for n in got.values() if n > 1)
        return {
            "submitted": len(submissions),
            "completed": len(completed),
            "lost": len(submissions) - len(completed),
            "recovery_s": recovery,
            "email_duplicates": doubled,
            "emails_received": len(self.smtp.snapshot()),
            "emails_per_application": len(self.expected("x@example.org")),
            "emails_unmatched": len(self.unknown),
            "lost_ids": [
                s.application_id for s in submissions if s.application_id not in self.completed_at
            ][:10],
        }


class Faults:
    """Each fault in turn, `pause` seconds apart; what each did and when."""

    def __init__(
        self,
        stack: Stack,
        smtp: StoppableSmtp,
        traffic: Traffic,
        monitor: Monitor,
        *,
        restarts: bool,
        rabbit_down_s: float,
        smtp_down_s: float,
        postgres: infra.PrivatePostgres,
        rabbit: infra.PrivateRabbit,
        db_prefix: str,
    ) -> None:
        self.stack, self.smtp, self.traffic, self.monitor = stack, smtp, traffic, monitor
        self.restarts = restarts
        self.postgres, self.rabbit, self.db_prefix = postgres, rabbit, db_prefix
        self.rabbit_down_s, self.smtp_down_s = rabbit_down_s, smtp_down_s
        self.report: list[dict[str, Any]] = []
        self.new_pids: set[int] = set()
        self.origin = time.monotonic()
        self.last_end: float | None = None

    def plan(self) -> list[tuple[str, Callable[[], str]]]:
        return [
            ("web_worker_kill", self.kill_web_worker),
            ("consumer_kill", lambda: self.kill_process("vetting-consume")),
            ("relay_kill", lambda: self.kill_process("vetting-relay")),
            ("rabbitmq_restart", self.restart_rabbit),
            ("postgres_restart", self.restart_postgres),
            ("smtp_outage", self.smtp_outage),
        ]

    def run_all(self, first_at: float, pause: float) -> None:
        at = first_at
        for name, action in self.plan():
            if name in SERVER_RESTARTS and not self.restarts:
                # --no-restarts: the same fault on the connections only.
                name, action = {
                    "rabbitmq_restart": (
                        "rabbitmq_connections_dropped",
                        self.drop_rabbit_connections,
                    ),
                    "postgres_restart": ("postgres_connections_cut", self.cut_postgres_connections),
                }[name]
            time.sleep(max(0.0, at - time.monotonic()))
            started = time.monotonic()
            infra.log(f"fault: {name}")
            try:
                detail = action()
            except Exception as exc:  # noqa: BLE001 - reported; the run goes on
                detail = f"failed: {exc!r}"
            ended = time.monotonic()
            infra.log(f"fault: {name} done in {ended - started:.1f}s: {detail}")
            self.report.append(
                {
                    "name": name,
                    "at_s": round(started - self.origin, 1),
                    "took_s": round(ended - started, 1),
                    "detail": detail,
                    "_start": started,
                    "_end": ended,
                }
            )
            self.last_end = ended
            at = ended + pause

    def finish(self) -> None:
        """Per fault: client retries until the next fault, first completion after it."""
        for index, fault in enumerate(self.report):
            start, end = fault.pop("_start"), fault.pop("_end")
            until = (
                self.report[index + 1].get("_start", float("inf"))
                if index + 1 < len(self.report)
                else float("inf")
            )
            fault["client_retries"] = sum(
                1 for at, _ in self.traffic.retries if start <= at < until
            )
            fault["first_completion_s"] = self.monitor.first_completion_after(end)

    # ------------------------------------------------------------------------------------
    def kill_web_worker(self) -> str:
        """SIGKILL one of applications' gunicorn workers; its master must start another."""
        master = self.stack.processes["applications-web"].pid
        workers = infra.children_of(master)
        victim = workers[0]
        os.kill(victim, signal.SIGKILL)
        started = time.monotonic()
        while time.monotonic() - started < 30:
            now = infra.children_of(master)
            if victim not in now and len(now) >= len(workers):
                return (
                    f"worker {victim} killed; master {master} started "
                    f"{sorted(set(now) - set(workers))} in {time.monotonic() - started:.1f}s"
                )
            time.sleep(0.1)
        raise RuntimeError(f"master {master} did not replace worker {victim}")

    def kill_process(self, name: str) -> str:
        """SIGKILL the process; the Stack's supervisor starts a new one."""
        old = self.stack.processes[name]
        self.stack.kill(name)
        started = time.monotonic()
        while time.monotonic() - started < 30:
            new = self.stack.processes[name]
            if new is not old and new.poll() is None:
                self.new_pids.add(new.pid)
                return (
                    f"pid {old.pid} killed; supervisor started {new.pid} in "
                    f"{time.monotonic() - started:.1f}s"
                )
            time.sleep(0.1)
        raise RuntimeError(f"{name} was not restarted")

    def restart_rabbit(self) -> str:
        """The run's private node: the broker application stopped, then started again."""
        self.rabbit.restart(self.rabbit_down_s)
        return f"stop_app, {self.rabbit_down_s:g}s down, start_app (private node)"

    def restart_postgres(self) -> str:
        """The run's private cluster stopped (fast: connections cut) and started again."""
        self.postgres.restart()
        return "pg_ctl stop -m fast, start (private cluster)"

    def drop_rabbit_connections(self) -> str:
        self.rabbit.close_all_connections("chaos: connections dropped")
        return "close_all_connections (private node)"

    def cut_postgres_connections(self) -> str:
        cut = infra.terminate_backends(self.postgres, self.db_prefix)
        return f"pg_terminate_backend on {cut} connections to {self.db_prefix}_*"

    def smtp_outage(self) -> str:
        self.smtp.stop()
        time.sleep(self.smtp_down_s)
        self.smtp.start()
        return f"SMTP port closed for {self.smtp_down_s:g}s"
