"""Whole-system faults while applications flow: nothing lost, nothing done twice.

    .venv/bin/python bench/chaos.py [--rate R] [--duration S] [--quick] [--replicas N]

On a PostgreSQL cluster and a RabbitMQ node private to the run (started for it, on ports of
their own, deleted at the end: tests/support/private_servers.py), the whole
stack (`devstack.stack.Stack`: every service's gunicorn web with 2 workers, consumer and
relay, supervised: a process that dies is started again within a second, as compose's
`restart: unless-stopped` would) sends its email to an in-process SMTP server. An organisation
submits applications at a steady rate (draft + submit, a new person each time) and a vetting
officer clears every case waiting for a decision. Meanwhile, in order, with pauses:

1. SIGKILL one gunicorn worker of applications' web (its master must start another);
2. SIGKILL vetting's consumer (the supervisor restarts it);
3. SIGKILL vetting's relay (the supervisor restarts it);
4. RabbitMQ (the private node): `rabbitmqctl stop_app`, a few seconds down, `start_app`;
5. PostgreSQL (the private cluster): `pg_ctl stop -m fast`, then `pg_ctl start`;
6. the SMTP server stopped for a while, then started again on the same port.

With `--replicas N` (bench/chaos_replicas.py) every service runs two web masters sharing their
port, N consumers, two relays, two check runners and two senders, and after those faults a
replica of each role is lost for good (killed, not restarted): web, consumer, relay (timed until
its sibling publishes), check runner, sender.

The machine's own PostgreSQL and RabbitMQ are never touched (others use them). Then submitting
stops and the bench waits (up to --settle-timeout) until everything is done, and counts:

- submitted: submits answered 200 (a submit whose answer a fault lost is retried with the same
  Idempotency-Key, which returns the first answer and never submits twice);
- completed: the application is CLEARED and every email its events should produce arrived
  (worked out from notifications' MESSAGES: received and cleared to the volunteer and the
  coordinator, checks started to the volunteer, a new access request to each establishment's
  security inbox), matched to it through the X-Notification-ID header;
- lost: submitted but not completed;
- duplicates: an email received twice for the same application + template + recipient, and,
  from the databases, two timeline entries of one kind, two cases or clearances for one
  application, two notifications for one (application, template, recipient, channel), two
  grants for one establishment, an event the flow emits once emitted twice;
- recovery_s: from the end of the last fault (the SMTP server accepting again) until every
  application submitted before that moment has completed (0 if all had already), measured
  by a monitor polling every 0.5 s. Per fault, `first_completion_s` is from the fault's end
  until the first application submitted after it completed.

The last line printed is one JSON object; the exit status is 1 if anything was lost or doubled.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import Any

import chaos_count as count
import chaos_infra as infra
from bench_identity import staff_token
from chaos_faults import Faults, Monitor
from chaos_flow import Officer, Organisation, StoppableSmtp, Traffic
from chaos_replicas import ReplicaFaults, replicas_for
from limits_env import raise_rate_limits

from devstack.stack import Stack
from shared.config import shared_broker_user_env
from shared.messaging.topology import SERVICES

raise_rate_limits()  # and every process this benchmark starts

ESTABLISHMENTS = ("WWI", "BMI")  # the sample application's


def settings(args: argparse.Namespace) -> dict[str, float]:
    # check_lease: checks a SIGKILLed consumer had claimed wait this long for another runner;
    # the full run keeps production's 2 minutes, the quick one (in make test) shortens it.
    if args.quick:
        return {
            "rate": args.rate or 1.5,
            "duration": args.duration or 30,
            "pause": 2.5,
            "rabbit_down": 2.0,
            "smtp_down": 4.0,
            "settle": args.settle_timeout or 150,
            "check_lease": 10,
        }
    return {
        "rate": args.rate or 1.5,
        "duration": args.duration or 150,
        "pause": 12.0,
        "rabbit_down": 5.0,
        "smtp_down": 15.0,
        "settle": args.settle_timeout or 240,
        "check_lease": 120,
    }


def quietly(exit: ExitStack, what: str, fn: Any, *args: Any, **kwargs: Any) -> None:
    """Register a clean-up step that logs its failure and lets the others run."""

    def step() -> None:
        try:
            fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - clean up the rest regardless
            infra.log(f"cleanup: {what} failed: {exc!r}")

    exit.callback(step)


def measure(args: argparse.Namespace, run: str, exit: ExitStack, out: dict[str, Any]) -> None:
    conf = settings(args)
    out.update(
        rate=conf["rate"],
        duration_s=conf["duration"],
        quick=args.quick,
        check_lease_s=conf["check_lease"],
    )
    restarts = not args.no_restarts
    if not restarts:
        # Left out; each is replaced by the same fault on the connections only.
        out["skipped"] = ["rabbitmq_restart", "postgres_restart"]
    prefix = f"chaos_{run}"
    infra.log(f"run {run}: private PostgreSQL and RabbitMQ, databases, SMTP server")
    # Each registered for clean-up the moment it exists (unless kept for a look).
    postgres, rabbit = infra.start_servers(exit, keep=args.keep)
    out["private_servers_startup_s"] = {
        "postgres": postgres.startup_s,
        "rabbitmq": rabbit.startup_s,
    }
    db = infra.make_databases(postgres, prefix, SERVICES)
    var_dir = Path(tempfile.mkdtemp(prefix=f"chaos-{run}-"))
    if args.keep:
        infra.log(
            f"kept for a look (stopped): PostgreSQL {postgres.root}, RabbitMQ "
            f"{rabbit.root}, logs {var_dir}/logs"
        )
    else:
        quietly(exit, "remove logs", shutil.rmtree, var_dir, ignore_errors=True)
    smtp = StoppableSmtp(infra.free_port())
    smtp.start()
    quietly(exit, "stop SMTP", smtp.stop)
    replicas = replicas_for(args.replicas) if args.replicas > 1 else {}
    out["replicas"] = replicas
    stack = Stack(
        replicas=replicas,
        var_dir=var_dir,
        database_urls=db,
        smtp_port=smtp.port,
        web_workers=2,
        supervise=True,
        ports={service: infra.free_port() for service in SERVICES},
        # A notification's first retry after 1 s, not production's 30 s, so that the SMTP
        # outage's backlog drains within the run; enough attempts to outlast it.
        base_env={
            "BROKER_URL": rabbit.amqp_url,
            **infra.DEPLOYMENT_ENV,
            **shared_broker_user_env("test"),
            "NOTIFICATIONS_RETRY_BASE_S": "1",
            "NOTIFICATIONS_MAX_ATTEMPTS": "30",
            "VETTING_CHECK_LEASE_S": str(conf["check_lease"]),
        },
    )
    quietly(exit, "stop stack", stack.stop)
    stack.migrate()
    coordinator = f"coordinator-{run}@example.org"
    org = json.loads(
        stack.cli(
            "applications",
            "create-organisation",
            "--name",
            "Chaos Org",
            "--fellowship",
            "AA",
            "--coordinator-email",
            coordinator,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    key = json.loads(
        stack.cli("applications", "create-api-key", org["organisation_id"])
        .stdout.strip()
        .splitlines()[-1]
    )["api_key"]
    token = partial(staff_token, "vetting", "chaos-officer", "vetting_officer")
    stack.start()
    infra.log(f"started {len(stack.processes)} processes")
    stack.wait_ready(timeout=120)

    traffic = Traffic()
    organisation = Organisation(stack.url("applications"), key, run, traffic)
    officer = Officer(stack.url("vetting"), token, traffic)
    officer.start()
    exit.callback(officer.stopping.set)
    monitor = Monitor(db, smtp, traffic, coordinator, ESTABLISHMENTS)
    monitor.start()
    exit.callback(monitor.stopping.set)
    extra = {"databases": db, "consumers": args.replicas} if replicas else {}
    faults = (ReplicaFaults if replicas else Faults)(
        stack,
        smtp,
        traffic,
        monitor,
        restarts=restarts,
        rabbit_down_s=conf["rabbit_down"],
        smtp_down_s=conf["smtp_down"],
        postgres=postgres,
        rabbit=rabbit,
        db_prefix=prefix,
        **extra,
    )

    total = int(conf["rate"] * conf["duration"])
    infra.log(
        f"flow: {conf['rate']:g}/s for {conf['duration']:g}s ({total} applications); "
        "faults in between"
    )
    started = time.monotonic()
    monitor.origin = faults.origin = started
    pool = ThreadPoolExecutor(max_workers=16)
    quietly(exit, "stop clients", pool.shutdown, wait=False, cancel_futures=True)
    fault_thread = threading.Thread(
        target=faults.run_all, daemon=True, args=(started + conf["pause"], conf["pause"])
    )
    fault_thread.start()
    futures = []
    index = 0
    # At least `duration`, and on until the faults are over and `2 * pause` beyond: the time to
    # recover is measured with the flow still running.
    while (
        index < total
        or fault_thread.is_alive()
        or faults.last_end is None
        or time.monotonic() - faults.last_end < 2 * conf["pause"]
    ):
        delay = started + index / conf["rate"] - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        futures.append(pool.submit(organisation.submit_one, index))
        index += 1
    fault_thread.join()
    for future in futures:
        future.result()
    infra.log(f"{len(traffic.submissions)} submitted; settling (up to {conf['settle']:g}s)")
    deadline = time.monotonic() + conf["settle"]
    while time.monotonic() < deadline and monitor.incomplete():
        time.sleep(0.5)
    time.sleep(2.0)  # a duplicate straggling in is still counted
    monitor.poll()
    out.update(monitor.figures(faults.last_end))
    out["duplicates_by_kind"] = count.database_duplicates(
        db, {s.application_id for s in traffic.submissions}, len(ESTABLISHMENTS)
    )
    out["duplicates_by_kind"]["emails"] = out.pop("email_duplicates")
    out["duplicates"] = sum(out["duplicates_by_kind"].values())
    out["dead_letters"] = count.dead_letters(db)
    out["client_retries"] = len(traffic.retries)
    out["gave_up"] = traffic.gave_up[:10]
    faults.finish()
    out["faults"] = faults.report
    if isinstance(faults, ReplicaFaults):
        out["relay_takeover_s"] = faults.relay_takeover_s
    out["restarted_by_supervisor"] = sorted(
        name for name, process in stack.processes.items() if process.pid in faults.new_pids
    )


def print_table(out: dict[str, Any]) -> None:
    rows = [
        ("submitted", out.get("submitted")),
        ("completed", out.get("completed")),
        ("lost", out.get("lost")),
        ("duplicates", out.get("duplicates")),
        ("recovery_s", out.get("recovery_s")),
    ]
    print("\nchaos: whole-system faults under a steady flow")
    for name, value in rows:
        print(f"  {name:<28} {value}")
    for fault in out.get("faults", []):
        print(
            f"  fault {fault['name']:<22} at {fault.get('at_s')}s, took {fault.get('took_s')}"
            f"s, client retries {fault.get('client_retries')}, first completion after "
            f"{fault.get('first_completion_s')}s  {fault.get('detail', '')}"
        )
    for name in out.get("skipped", []):
        print(f"  fault {name:<22} skipped (--no-restarts): its connections cut instead")
    print(f"  duplicates by kind           {out.get('duplicates_by_kind')}")
    print(f"  dead letters                 {out.get('dead_letters')}", flush=True)


def _interrupt(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, help="applications per second (1.5; quick 1.5)")
    parser.add_argument("--duration", type=float, help="seconds of flow at least (150; quick 30)")
    parser.add_argument("--quick", action="store_true", help="the short run make test runs")
    parser.add_argument("--settle-timeout", type=float, help="seconds (240; quick 150)")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the private servers' directories (stopped) and the logs "
        "(to look into a failure)",
    )
    parser.add_argument(
        "--replicas",
        type=int,
        default=1,
        help="consumers per service, with two of every other role, and replicas lost (1: one each)",
    )
    parser.add_argument(
        "--no-restarts",
        action="store_true",
        help="cut the private servers' connections instead of restarting them",
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _interrupt)  # a CI timeout must still clean up
    run = uuid.uuid4().hex[:8]
    out: dict[str, Any] = {
        "bench": "chaos",
        "run": run,
        "loadavg_start": round(os.getloadavg()[0], 2),
    }
    started = time.monotonic()
    failed = False
    with ExitStack() as exit:
        try:
            measure(args, run, exit, out)
        except BaseException:  # noqa: BLE001 - reported in the JSON line, and the exit status
            traceback.print_exc()
            out["error"] = traceback.format_exc().strip().splitlines()[-1]
            failed = True
        finally:
            infra.log("cleaning up: processes, SMTP, private PostgreSQL and RabbitMQ")
    out["wall_s"] = round(time.monotonic() - started, 1)
    out["loadavg_end"] = round(os.getloadavg()[0], 2)
    print_table(out)
    last = {
        key: out.get(key) for key in ("submitted", "completed", "lost", "duplicates", "recovery_s")
    }
    print(json.dumps({**last, **out}), flush=True)
    return 1 if failed or out.get("lost") or out.get("duplicates") else 0


if __name__ == "__main__":
    sys.exit(main())
