"""A soak: the whole stack at a steady rate for ten minutes, each process's memory at the start
and at the end.

    .venv/bin/python bench/soak.py [--rate 2] [--duration 600] [--warmup 60]

`devstack.stack.Stack` starts every service's web (gunicorn, 2 workers), consumer and relay on
PostgreSQL (fresh databases `bench_soak_<run>_*`) and RabbitMQ (the prefix `benchsoak<run>.`),
with notifications sent to an in-process SMTP sink. Applications are created and submitted at
`--rate` per second (an organisation's API key, an Idempotency-Key each); an officer's token
clears every case that reaches AWAITING_DECISION (polled each second), so the whole flow runs:
intake, vetting's checks, the clearance, access requests at each establishment, notifications.

Memory: the resident set (VmRSS from /proc/<pid>/status) of each stack process with everything
in its process group (gunicorn's workers included), taken after `--warmup` seconds of the same
load and again at the end of `--duration` seconds, sampled every 30 s in between; the goal is
under 10% growth for every process. Also: throughput (submitted, cleared, emails), errors,
crashed processes (restarted, and reported), CPU per application, and what the databases hold
at the end (after the pipeline drained).

Everything is removed at the end (databases dropped, broker objects deleted, processes
stopped, temp dir), also on failure or SIGTERM. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import os
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from harness import (
    AMQP_URL,
    DEPLOYMENT_ENV,
    GUEST_FOR_ALL,
    Resources,
    exit_with,
    log,
    run_and_report,
)
from procs import Supervisor, cpu_seconds
from soak_support import Load, SmtpCounter, db_counts, officer_token, settled

from devstack.stack import Stack
from shared.messaging.topology import SERVICES

FIRST_PORT = 18501
GOAL_GROWTH_PCT = 10.0
SAMPLE_EVERY_S = 30.0


def rss_kb_by_group() -> dict[int, int]:
    """VmRSS (kB) summed over each process group."""
    totals: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            group = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[2])
            status = (entry / "status").read_text()
        except (OSError, IndexError, ValueError):
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                totals[group] = totals.get(group, 0) + int(line.split()[1])
                break
    return totals


def rss_mb(stack: Stack) -> dict[str, float]:
    groups = rss_kb_by_group()
    return {
        name: round(groups.get(process.pid, 0) / 1024, 1)
        for name, process in stack.processes.items()
    }


def measure(args: argparse.Namespace, run: str, resources: Resources, out: dict[str, Any]) -> None:

    smtp = SmtpCounter(resources.port())
    smtp.controller.start()
    resources.exit.callback(smtp.controller.stop)
    prefix = resources.broker_prefix()
    urls = {service: resources.database(service) for service in SERVICES}
    stack = Stack(
        var_dir=resources.dir / "var",
        base_env={
            "BROKER_URL": AMQP_URL,
            "BROKER_PREFIX": prefix,
            **GUEST_FOR_ALL,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp.port),
            **DEPLOYMENT_ENV,
        },
        database_urls=urls,
        ports={s: resources.port() for s in SERVICES},
        smtp_port=smtp.port,
        web_workers=2,
    )
    resources.stack(stack)
    log("migrating four databases")
    stack.migrate()
    key = Load.organisation_key(stack)
    log("starting 12 processes")
    stack.start(smtp=False)
    stack.wait_ready(timeout=120)
    supervisor = Supervisor("soak", stack)
    resources.exit.callback(supervisor.stop)
    load = Load(stack, key, officer_token(), args.rate, run)
    load.start()
    try:
        log(f"warm-up: {args.warmup:g} s at {args.rate:g}/s")
        time.sleep(args.warmup)
        start_rss, cpu_before = rss_mb(stack), cpu_seconds(stack)
        counts_before, emails_before = load.snapshot(), smtp.count
        samples: list[dict[str, Any]] = [{"t_s": 0, "rss_mb": start_rss}]
        log(f"start RSS: {sum(start_rss.values()):.0f} MB in all; soaking {args.duration:g} s")
        began = time.monotonic()
        while (left := args.duration - (time.monotonic() - began)) > 0:
            time.sleep(min(SAMPLE_EVERY_S, left))
            rss = rss_mb(stack)
            samples.append({"t_s": round(time.monotonic() - began), "rss_mb": rss})
            counts = load.snapshot()
            log(
                f"{samples[-1]['t_s']:>4} s: RSS {sum(rss.values()):.0f} MB, submitted "
                f"{counts['submitted']}, cleared {counts['cleared']}, emails {smtp.count}, "
                f"errors {counts['submit_errors'] + counts['clear_errors']}"
            )
        end_rss, cpu_after = samples[-1]["rss_mb"], cpu_seconds(stack)
        elapsed = time.monotonic() - began
        counts_after, emails_after = load.snapshot(), smtp.count
    finally:
        load.stop()
    log("load stopped; letting the pipeline drain (up to 90 s)")
    drained = load.drain(lambda: settled(urls), timeout=90)
    supervisor.stop()

    growth = {
        name: round((end_rss[name] - start_rss[name]) / start_rss[name] * 100, 2)
        for name in start_rss
        if start_rss[name] > 0
    }
    submitted = counts_after["submitted"] - counts_before["submitted"]
    out.update(
        {
            "rate_per_s": args.rate,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "rss_start_mb": start_rss,
            "rss_end_mb": end_rss,
            "rss_growth_pct": growth,
            "rss_max_growth_pct": max(growth.values()),
            "rss_max_growth_process": max(growth, key=lambda name: growth[name]),
            "rss_total_start_mb": round(sum(start_rss.values()), 1),
            "rss_total_end_mb": round(sum(end_rss.values()), 1),
            "goal_rss_met": all(g < GOAL_GROWTH_PCT for g in growth.values()),
            "submitted_per_s": round(submitted / elapsed, 3),
            "cleared_per_s": round(
                (counts_after["cleared"] - counts_before["cleared"]) / elapsed, 3
            ),
            "emails_per_s": round((emails_after - emails_before) / elapsed, 3),
            "totals": {**load.snapshot(), "emails": smtp.count, "drained": drained},
            "submit_errors": counts_after["submit_errors"],
            "clear_errors": counts_after["clear_errors"],
            "first_errors": load.first_errors,
            "crashed": supervisor.crashed,
            "cpu_ms_per_application": {
                name: round(
                    (cpu_after[name] - cpu_before.get(name, 0.0)) * 1000 / max(submitted, 1), 1
                )
                for name in cpu_after
            },
            "rss_samples": samples,
        }
    )
    out["errors"] = out["submit_errors"] + out["clear_errors"]
    out["databases"] = db_counts(urls)
    out["goal_no_errors_met"] = out["errors"] == 0 and not supervisor.crashed
    out["goals_met"] = out["goal_rss_met"] and out["goal_no_errors_met"]
    out.update({"nproc": os.cpu_count(), "date": time.strftime("%Y-%m-%d")})
    print_table(out)


def print_table(out: dict[str, Any]) -> None:
    print()
    print(
        f"soak  ({out['rate_per_s']:g} applications/s for {out['duration_s']:g} s after "
        f"{out['warmup_s']:g} s of warm-up; RSS of each process group)"
    )
    print(f"  {'process':<26} {'start MB':>9} {'end MB':>9} {'growth':>8}")
    for name, start in out["rss_start_mb"].items():
        print(
            f"  {name:<26} {start:>9.1f} {out['rss_end_mb'][name]:>9.1f} "
            f"{out['rss_growth_pct'].get(name, 0):>7.2f}%"
        )
    verdict = "PASS" if out["goal_rss_met"] else "MISS"
    print(
        f"  goal every process < {GOAL_GROWTH_PCT:g}% growth: {verdict} (largest "
        f"{out['rss_max_growth_pct']:.2f}%, {out['rss_max_growth_process']})"
    )
    print(
        f"  throughput: submitted {out['submitted_per_s']:.2f}/s, cleared "
        f"{out['cleared_per_s']:.2f}/s, emails {out['emails_per_s']:.2f}/s; errors "
        f"{out['errors']}, crashed {sorted(out['crashed']) or 'none'}"
    )
    print(f"  totals {out['totals']}; databases {out['databases']}")
    print(flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=2.0, help="applications per second")
    parser.add_argument("--duration", type=float, default=600.0, help="seconds measured")
    parser.add_argument("--warmup", type=float, default=60.0, help="seconds before the start")
    args = parser.parse_args()
    resources = Resources(uuid.uuid4().hex[:8], "soak", FIRST_PORT)
    return run_and_report("soak", args, resources, measure)


if __name__ == "__main__":
    threading.excepthook = lambda hook: log(f"thread {hook.thread}: {hook.exc_value!r}")
    exit_with(main)
