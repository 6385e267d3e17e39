"""The submit endpoint, measured beside a bare Flask + SQLAlchemy endpoint, in one run.

    .venv/bin/python bench/submission.py [--duration 6] [--rounds 5] [--concurrency 8] ...

A: `POST /applications/{id}/submit` of the applications service, served by its own
   `python -m applications web` (gunicorn, gthread) on a migrated PostgreSQL database, with an
   organisation's API key and an Idempotency-Key, as a client sends it. One submit per draft;
   the drafts are written before each run, not timed, by the code `POST /applications` runs.
B: `POST /submissions` of bench/bare_app.py: the same JSON body validated with the same
   marshmallow schema (ApplicationInputSchema), one row plus one outbox row in one SQLAlchemy
   transaction, on its own PostgreSQL database, under gunicorn with exactly the arguments the
   applications web process was started with (read back from its command line).

The same closed-loop load (N client threads, one keep-alive connection each) is run against A
and B in alternating order (A B, B A, ...), `--rounds` times each; the figures are the medians
over the rounds. A second figure, `--pairs`: whole applications through the API, create draft
then submit, per client turn (informational, no baseline).

The requests are submission_requests.py's, the load http_load.py's `load`. Everything it
measures it starts itself, under a unique name: PostgreSQL databases `bench_sub_<run>_*`, the
broker prefix `benchsub<run>.`, gunicorn processes on ports from 18201, a temp dir; all of it is
stopped, dropped and deleted at the end, also on failure or Ctrl-C. The last line printed is one
JSON object (every benchmark in bench/ ends so).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

# bench/ is on sys.path (this script lives there).
from harness import (
    AMQP_URL,
    DEPLOYMENT_ENV,
    GUEST_FOR_ALL,
    Resources,
    Run,
    bare_argv,
    exit_with,
    gunicorn_argv,
    log,
    run_and_report,
    service_cli,
    verdict,
    wait_http,
)
from http_load import Request, load
from submission_requests import (
    bare_requests,
    body_bytes,
    count_rows,
    create_drafts,
    submit_requests,
    time_pairs,
)

from shared.clock import process_clock
from shared.clock import today as london_today

FIRST_PORT = 18201
GOAL_RPS_RATIO = 0.6  # submit throughput >= 0.6 x bare
GOAL_P99_RATIO = 2.0  # submit p99 <= 2 x bare


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=6.0, help="seconds per timed run")
    parser.add_argument("--rounds", type=int, default=5, help="timed runs of each target")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--warmup", type=int, default=200, help="untimed requests per target")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="gunicorn workers for both (default: as `applications web`)",
    )
    parser.add_argument(
        "--pairs", type=int, default=500, help="then time N 'create draft + submit' pairs (0: skip)"
    )
    parser.add_argument(
        "--no-idempotency-key",
        dest="idempotency_key",
        action="store_false",
        help="submit without an Idempotency-Key header",
    )
    args = parser.parse_args()

    resources = Resources(uuid.uuid4().hex[:8], "sub", FIRST_PORT)
    return run_and_report("submission", args, resources, measure)


def measure(args: argparse.Namespace, run: str, resources: Resources, out: dict[str, Any]) -> None:
    from bare_app import create_tables  # bench/ is on sys.path: this script lives there

    today = london_today(process_clock())
    app_db, bare_db = resources.database("app"), resources.database("bare")
    app_port, bare_port = resources.port(), resources.port()
    env = {
        **os.environ,
        **DEPLOYMENT_ENV,
        **GUEST_FOR_ALL,
        "DATABASE_URL": app_db,
        "BROKER_URL": AMQP_URL,
        "BROKER_PREFIX": resources.broker_prefix(),
        "VAR_DIR": str(resources.dir / "var"),
        "PORT": str(app_port),
        "PYTHONUNBUFFERED": "1",
    }

    log("applications: migrate, organisation, API key")
    service_cli("applications", env, "migrate")
    org = json.loads(
        service_cli(
            "applications",
            env,
            "create-organisation",
            "--name",
            f"Bench {run}",
            "--fellowship",
            "AA",
            "--coordinator-email",
            "c@example.org",
        )
    )
    key = json.loads(service_cli("applications", env, "create-api-key", org["organisation_id"]))[
        "api_key"
    ]
    create_tables(bare_db)

    web_args = ["web", "--bind", f"127.0.0.1:{app_port}"]
    if args.workers:
        web_args += ["--workers", str(args.workers)]
    app = resources.process(
        "applications-web", [sys.executable, "-m", "applications", *web_args], env
    )
    argv = gunicorn_argv(app.pid)
    bare = resources.process(
        "bare-web",
        bare_argv(argv, bare_port, "bare_app:create_app()"),
        {**os.environ, "DATABASE_URL": bare_db, "PYTHONUNBUFFERED": "1"},
    )
    wait_http(app_port, "/health/readiness", app)
    wait_http(bare_port, "/health", bare)
    gunicorn_args = argv[argv.index("gunicorn") + 2 :]
    out["gunicorn"] = " ".join(a for a in gunicorn_args)
    log(f"both servers up: gunicorn {out['gunicorn']}")

    rounds, c, duration = args.rounds, args.concurrency, args.duration
    made = {"draft": 0, "bare": 0}

    def bodies(label: str, count: int) -> list[bytes]:
        start, made[label] = made[label], made[label] + count
        return [body_bytes(run, label, i, today) for i in range(start, start + count)]

    def submits(count: int) -> list[Request]:
        """`count` fresh drafts (written now, not timed), one submit request for each."""
        drafts = create_drafts(env, org["organisation_id"], bodies("draft", count))
        return submit_requests(key, drafts, args.idempotency_key)

    log(f"warm-up: {args.warmup} requests each")
    warm = {
        "submit": load("submit-warmup", app_port, submits(args.warmup), c, 200),
        "bare": load("bare-warmup", bare_port, bare_requests(bodies("bare", args.warmup)), c, 201),
    }

    # Each run lasts `duration` seconds. It is given 1.5x (2x before the first run) the requests
    # its target's fastest run so far would answer in that time; if they run out, it stops early.
    runs: dict[str, list[Run]] = {"submit": [], "bare": []}
    for r in range(rounds):
        order = ["submit", "bare"] if r % 2 == 0 else ["bare", "submit"]  # A B, B A, A B...
        for label in order:
            fastest = max(x.rps for x in [warm[label], *runs[label]])
            budget = max(100, int(fastest * duration * (1.5 if runs[label] else 2)))
            if label == "submit":
                result = load(label, app_port, submits(budget), c, 200, duration)
            else:
                result = load(
                    label, bare_port, bare_requests(bodies("bare", budget)), c, 201, duration
                )
            runs[label].append(result)
            log(
                f"round {r + 1}/{rounds} {label:>6}: {result.rps:7.1f} req/s  "
                f"p50 {result.percentile(50):6.1f} ms  p99 {result.percentile(99):6.1f} ms  "
                f"({result.count} in {result.elapsed_s:.1f} s)"
            )

    if args.pairs:
        log(f"create draft + submit: {args.pairs} pairs")
        out["pairs"] = time_pairs(app_port, key, run, today, args.pairs, c)

    # Everything the runs claim happened is in the databases.
    submitted = count_rows(app_db, "SELECT count(*) FROM applications WHERE status = 'SUBMITTED'")
    events = count_rows(
        app_db, "SELECT count(*) FROM outbox WHERE event_type = 'application.submitted'"
    )
    bare_rows = count_rows(bare_db, "SELECT count(*) FROM bare_applications")
    bare_events = count_rows(bare_db, "SELECT count(*) FROM bare_outbox")
    expected = {label: warm[label].count + sum(x.count for x in runs[label]) for label in runs}
    expected["submit"] += args.pairs
    if not (
        submitted == events == expected["submit"] and bare_rows == bare_events == expected["bare"]
    ):
        raise RuntimeError(
            f"rows: {submitted} submitted, {events} events, bare {bare_rows} "
            f"rows, {bare_events} outbox rows; expected {expected}"
        )

    def median(label: str, figure: Callable[[Run], float]) -> float:
        return statistics.median(figure(x) for x in runs[label])

    out.update(
        {
            "submit_rps": round(median("submit", lambda x: x.rps), 1),
            "bare_rps": round(median("bare", lambda x: x.rps), 1),
            "submit_p50_ms": round(median("submit", lambda x: x.percentile(50)), 1),
            "bare_p50_ms": round(median("bare", lambda x: x.percentile(50)), 1),
            "submit_p99_ms": round(median("submit", lambda x: x.percentile(99)), 1),
            "bare_p99_ms": round(median("bare", lambda x: x.percentile(99)), 1),
        }
    )
    out["ratio_rps"] = round(out["submit_rps"] / out["bare_rps"], 3)
    out["ratio_p99"] = round(out["submit_p99_ms"] / out["bare_p99_ms"], 3)
    out["goal_rps_met"] = out["ratio_rps"] >= GOAL_RPS_RATIO
    out["goal_p99_met"] = out["ratio_p99"] <= GOAL_P99_RATIO
    # Also per round (the two runs of a round are back to back, on the same machine weather).
    out["ratio_rps_by_round"] = [
        round(a.rps / b.rps, 3) for a, b in zip(runs["submit"], runs["bare"], strict=True)
    ]
    out["ratio_rps_round_median"] = round(statistics.median(out["ratio_rps_by_round"]), 3)
    out["runs"] = {
        label: [
            {
                "rps": round(x.rps, 1),
                "p50_ms": round(x.percentile(50), 1),
                "p99_ms": round(x.percentile(99), 1),
                "requests": x.count,
            }
            for x in values
        ]
        for label, values in runs.items()
    }
    out.update(
        {
            "duration_s": duration,
            "rounds": rounds,
            "concurrency": c,
            "warmup": args.warmup,
            "pairs_count": args.pairs,
            "idempotency_key": args.idempotency_key,
            "nproc": os.cpu_count(),
            "date": time.strftime("%Y-%m-%d"),
        }
    )
    print_table(out)


def print_table(out: dict[str, Any]) -> None:
    print()
    print(
        f"submission  ({out['rounds']} runs of {out['duration_s']:g} s per target, interleaved, "
        f"{out['concurrency']} client threads; medians over the runs)"
    )
    print(f"  both under gunicorn {out['gunicorn']}")
    print(f"  {'':<44} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9}")
    print(
        f"  {'bare: validate + row + outbox row':<44} {out['bare_rps']:>9.1f} "
        f"{out['bare_p50_ms']:>9.1f} {out['bare_p99_ms']:>9.1f}"
    )
    print(
        f"  {'ours: POST /applications/{id}/submit':<44} {out['submit_rps']:>9.1f} "
        f"{out['submit_p50_ms']:>9.1f} {out['submit_p99_ms']:>9.1f}"
    )
    print(
        f"  throughput {out['ratio_rps']:.2f}x bare  [goal >= {GOAL_RPS_RATIO}x: "
        f"{verdict(out['goal_rps_met'])}]   p99 {out['ratio_p99']:.2f}x bare  "
        f"[goal <= {GOAL_P99_RATIO:g}x: {verdict(out['goal_p99_met'])}]"
    )
    print(
        f"  round by round (back-to-back runs): throughput "
        f"{', '.join(f'{x:.2f}' for x in out['ratio_rps_by_round'])}x bare, "
        f"median {out['ratio_rps_round_median']:.2f}x"
    )
    print(
        f"  machine: nproc {out['nproc']}, load average {out['loadavg_start']:.1f} at the "
        f"start (shared: compare the ratios, and rerun if the load is high)"
    )
    if "pairs" in out:
        pairs = out["pairs"]
        print(
            f"  create draft + submit, per application: {pairs['per_s']:.1f} /s, "
            f"p50 {pairs['p50_ms']:.1f} ms, p99 {pairs['p99_ms']:.1f} ms"
        )
    print(flush=True)


if __name__ == "__main__":
    exit_with(main)
