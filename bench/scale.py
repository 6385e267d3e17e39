"""Latency at 1,000 against 100,000 records: the gate check and the two queue listings, each
beside a bare Flask endpoint doing the same indexed read of the same table, in one run.

    .venv/bin/python bench/scale.py [--duration 4] [--rounds 3] [--concurrency 4] ...

Endpoints (ours: the services' own `python -m <service> web`, gunicorn, on migrated databases,
with staff bearer tokens; bare: bench/queue_bare_app.py under the same gunicorn argv):

- gate:  `GET /establishments/{code}/gate-check?badge=…|person=…` (access), gatecheck.py's mix;
- queue: `GET /establishments/WWI/queue` (access: requests awaiting review, oldest first, the
         default page of 50; at least 60 wait at WWI at every size, so every page is full);
- cases: `GET /cases` (vetting: the officers' queue, oldest first, the default page of 50);
- holders: `GET /establishments/WWI/holders` (access: who holds access here, the default page
         of 50, by name; bench/scale_lists.py);
- find:  `GET /establishments/WWI/people?name=zoe+angstrom` (access: find a person by name; the
         same 3 people at every size).

`--endpoints holders,find` measures only those (the servers still start; the gate's and the
queues' rows are loaded all the same).

Per size, an access database with that many grants (gatecheck.py's realistic mix) and a vetting
database with that many cases (mostly closed), loaded with COPY through the models' column
types (encrypted columns encrypted with the key the servers get). Then `--rounds` rounds: every
endpoint at both sizes, ours and bare back to back (orders alternate), `--duration` seconds each
at `--concurrency` keep-alive connections (gatecheck.py's selectors loop). Figures: medians
over the rounds of p50/p99 and of CPU per request (server processes + its database's backends),
and the 100k ÷ 1k growth of each. The query plans of both listings at the large size are kept.

Everything is under unique names (databases `bench_scale_<run>_*`, ports from 18401, a temp
dir), all removed at the end, also on failure or SIGTERM. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
from gate_checks import check_gate
from gate_data import request_mix, tokens_by_establishment
from harness import (
    DEPLOYMENT_ENV,
    Resources,
    Run,
    bare_argv,
    exit_with,
    gunicorn_argv,
    log,
    run_and_report,
    wait_http,
)
from http_load import drive, http_get
from procs import cpu_between, cpu_snapshot
from scale_lists import (
    FIND_PATH,
    FIND_SQL,
    HOLDERS_PATH,
    HOLDERS_SQL,
    check_found,
    check_holders,
)
from scale_support import PAGE, QUEUE_CODE, install_keyring, load_cases, load_grants

from shared.crypto.at_rest import Keyring

FIRST_PORT = 18401
ENDPOINTS = ("gate", "queue", "cases", "holders", "find")
GOAL_GROWTH = 1.2  # p50 at the large size <= 1.2 x p50 at the small one (no degradation)


def size_label(count: int) -> str:
    return f"{count // 1000}k" if count >= 1000 else str(count)


def service_cli(service: str, env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", service, *args], env=env, capture_output=True, text=True, timeout=180
    )
    if result.returncode != 0:
        raise RuntimeError(f"{service} {' '.join(args)}: {result.stderr.strip()[-2000:]}")


def check_page(body: bytes) -> str | None:
    items = json.loads(body).get("items")
    return (
        None
        if isinstance(items, list) and len(items) == PAGE
        else f"not a full page: {body[:300]!r}"
    )


def officer_token() -> str:
    from bench_identity import staff_token

    return staff_token("vetting", "vo-scale", "vetting_officer")


@dataclass
class Target:
    endpoint: str
    name: str  # "ours" or "bare"
    size: str
    port: int
    process: subprocess.Popen
    database: str
    requests: list[bytes]
    check: Callable[[bytes], str | None]

    @property
    def label(self) -> str:
        return f"{self.endpoint}-{self.name}-{self.size}"


def explain(url: str, sql: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return [row[0] for row in conn.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")]


QUEUE_SQL = (
    f"SELECT * FROM grants WHERE establishment_code = '{QUEUE_CODE}' AND "
    f"awaiting_review IS true ORDER BY opened_at, id LIMIT {PAGE + 1}"
)
CASES_SQL = f"SELECT * FROM vetting_cases ORDER BY opened_at, id LIMIT {PAGE + 1}"


def start_servers(
    resources: Resources,
    args: argparse.Namespace,
    key: str,
    count: int,
    rng: random.Random,
    tokens: dict[str, str],
    officer: str,
    out: dict[str, Any],
) -> list[Target]:
    size = size_label(count)
    targets: list[Target] = []
    for service in ("access", "vetting"):
        url = resources.database(f"{service}_{size}")
        database = url.rsplit("/", 1)[1]
        port, bare_port = resources.port(), resources.port()
        env = {
            **os.environ,
            **DEPLOYMENT_ENV,
            "DATABASE_URL": url,
            "DATA_ENCRYPTION_KEYS": key,
            "VAR_DIR": str(resources.dir / "var"),
            "PORT": str(port),
            "PYTHONUNBUFFERED": "1",
        }
        service_cli(service, env, "migrate")
        started = time.perf_counter()
        if service == "access":
            people = load_grants(url, count, args.seed + count)
        else:
            load_cases(url, count, args.seed + count)
        log(f"{service} {size}: {count:,} rows loaded in {time.perf_counter() - started:.1f} s")
        web_args = ["web", "--bind", f"127.0.0.1:{port}"]
        if args.workers:
            web_args += ["--workers", str(args.workers)]
        ours = resources.process(
            f"{service}-{size}", [sys.executable, "-m", service, *web_args], env
        )
        web_argv = gunicorn_argv(ours.pid)
        out["gunicorn"] = " ".join(web_argv[web_argv.index("gunicorn") + 2 :])
        bare = resources.process(
            f"{service}-bare-{size}",
            bare_argv(web_argv, bare_port, "queue_bare_app:create_app()"),
            {**os.environ, "DATABASE_URL": url, "PYTHONUNBUFFERED": "1"},
        )
        wait_http(port, "/health/liveness", ours)
        wait_http(bare_port, "/health", bare)
        if service == "access":
            mix = request_mix(people, 10_000, rng)
            queue = f"/establishments/{QUEUE_CODE}/queue"
            targets += [
                Target(
                    "gate",
                    "ours",
                    size,
                    port,
                    ours,
                    database,
                    [http_get(path, tokens[code]) for path, code in mix],
                    check_gate,
                ),
                Target(
                    "gate",
                    "bare",
                    size,
                    bare_port,
                    bare,
                    database,
                    [http_get(path, None) for path, _ in mix],
                    lambda _body: None,
                ),
                Target(
                    "queue",
                    "ours",
                    size,
                    port,
                    ours,
                    database,
                    [http_get(queue, tokens[QUEUE_CODE])],
                    check_page,
                ),
                Target(
                    "queue",
                    "bare",
                    size,
                    bare_port,
                    bare,
                    database,
                    [http_get(queue, None)],
                    check_page,
                ),
            ]
            for endpoint, path, check in (
                ("holders", HOLDERS_PATH, check_holders),
                ("find", FIND_PATH, check_found),
            ):
                for name, at, server, token in (
                    ("ours", port, ours, tokens[QUEUE_CODE]),
                    ("bare", bare_port, bare, None),
                ):
                    sent = [http_get(path, token)]
                    targets.append(Target(endpoint, name, size, at, server, database, sent, check))
            out[f"plan_queue_{size}"] = explain(url, QUEUE_SQL)
            out[f"plan_holders_{size}"] = explain(url, HOLDERS_SQL)
            out[f"plan_find_{size}"] = explain(url, FIND_SQL)
        else:
            targets += [
                Target(
                    "cases",
                    "ours",
                    size,
                    port,
                    ours,
                    database,
                    [http_get("/cases", officer)],
                    check_page,
                ),
                Target(
                    "cases",
                    "bare",
                    size,
                    bare_port,
                    bare,
                    database,
                    [http_get("/cases", None)],
                    check_page,
                ),
            ]
            out[f"plan_cases_{size}"] = explain(url, CASES_SQL)
    return targets


def measure(args: argparse.Namespace, run: str, resources: Resources, out: dict[str, Any]) -> None:
    key = Keyring.generate_key()
    install_keyring(key)
    rng = random.Random(args.seed)
    tokens, officer = tokens_by_establishment(), officer_token()
    sizes = [size_label(args.small), size_label(args.large)]
    targets: list[Target] = []
    for count in (args.small, args.large):
        targets += start_servers(resources, args, key, count, rng, tokens, officer, out)
    endpoints = [e for e in ENDPOINTS if e in args.endpoints.split(",")]
    targets = [t for t in targets if t.endpoint in endpoints]
    by_label = {t.label: t for t in targets}
    log(f"{len(targets)} targets up; warm-up {args.warmup:g} s per target")
    for target in targets:
        drive(
            f"{target.label}-warmup",
            target.port,
            target.requests,
            args.concurrency,
            args.warmup,
            target.check,
            check_every=7,
        )

    runs: dict[str, list[Run]] = {t.label: [] for t in targets}
    cpu: dict[str, list[float]] = {t.label: [] for t in targets}
    for r in range(args.rounds):
        order_sizes = sizes if r % 2 == 0 else sizes[::-1]
        names = ("ours", "bare") if (r // 2) % 2 == 0 else ("bare", "ours")
        for endpoint in endpoints:
            for size in order_sizes:
                for name in names:
                    target = by_label[f"{endpoint}-{name}-{size}"]
                    before = cpu_snapshot(target.process.pid, target.database)
                    result = drive(
                        target.label,
                        target.port,
                        target.requests,
                        args.concurrency,
                        args.duration,
                        target.check,
                        check_every=7,
                    )
                    cpu[target.label].append(
                        cpu_between(before, target.process.pid, target.database) / result.count
                    )
                    runs[target.label].append(result)
                    log(
                        f"round {r + 1}/{args.rounds} {target.label:>16}: "
                        f"{result.rps:7.1f} req/s  p50 {result.percentile(50):7.2f} ms  "
                        f"p99 {result.percentile(99):7.2f} ms  "
                        f"cpu {cpu[target.label][-1]:5.2f} ms/req"
                    )
    summarise(out, runs, cpu, sizes, endpoints)
    out.update(
        {
            "duration_s": args.duration,
            "rounds": args.rounds,
            "concurrency": args.concurrency,
            "warmup_s": args.warmup,
            "records": {size_label(n): n for n in (args.small, args.large)},
            "nproc": os.cpu_count(),
            "date": time.strftime("%Y-%m-%d"),
        }
    )
    print_table(out, sizes, endpoints)


def summarise(
    out: dict[str, Any],
    runs: dict[str, list[Run]],
    cpu: dict[str, list[float]],
    sizes: list[str],
    endpoints: list[str],
) -> None:
    small, large = sizes
    for endpoint in endpoints:
        for name in ("ours", "bare"):
            for size in sizes:
                label = f"{endpoint}-{name}-{size}"
                prefix = f"{endpoint}_{name}"
                out[f"{prefix}_p50_{size}_ms"] = round(
                    statistics.median(x.percentile(50) for x in runs[label]), 2
                )
                out[f"{prefix}_p99_{size}_ms"] = round(
                    statistics.median(x.percentile(99) for x in runs[label]), 2
                )
                out[f"{prefix}_rps_{size}"] = round(
                    statistics.median(x.rps for x in runs[label]), 1
                )
                out[f"{prefix}_cpu_ms_per_req_{size}"] = round(statistics.median(cpu[label]), 2)
            for figure in ("p50", "p99"):
                out[f"{endpoint}_{name}_{figure}_growth"] = round(
                    out[f"{endpoint}_{name}_{figure}_{large}_ms"]
                    / out[f"{endpoint}_{name}_{figure}_{small}_ms"],
                    3,
                )
            out[f"{endpoint}_{name}_cpu_growth"] = round(
                out[f"{endpoint}_{name}_cpu_ms_per_req_{large}"]
                / out[f"{endpoint}_{name}_cpu_ms_per_req_{small}"],
                3,
            )
        for size in sizes:
            out[f"{endpoint}_p50_ratio_{size}"] = round(
                out[f"{endpoint}_ours_p50_{size}_ms"] / out[f"{endpoint}_bare_p50_{size}_ms"], 3
            )
        out[f"goal_{endpoint}_growth_met"] = out[f"{endpoint}_ours_p50_growth"] <= GOAL_GROWTH
    out["goals_met"] = all(out[f"goal_{endpoint}_growth_met"] for endpoint in endpoints)
    out["sizes"], out["endpoints"] = sizes, endpoints


def print_table(out: dict[str, Any], sizes: list[str], endpoints: list[str]) -> None:
    small, large = sizes
    print()
    print(
        f"scale  ({out['rounds']} rounds of {out['duration_s']:g} s per target, "
        f"{out['concurrency']} keep-alive connections; medians; gunicorn {out['gunicorn']})"
    )
    print(
        f"  {'':<28} {'p50 ' + small:>10} {'p50 ' + large:>10} {'growth':>7} "
        f"{'p99 ' + small:>10} {'p99 ' + large:>10} {'growth':>7} {'CPU ms/req':>16}"
    )
    for endpoint in endpoints:
        for name in ("ours", "bare"):
            p = f"{endpoint}_{name}"
            print(
                f"  {endpoint + ' ' + name:<28} {out[f'{p}_p50_{small}_ms']:>10.2f} "
                f"{out[f'{p}_p50_{large}_ms']:>10.2f} {out[f'{p}_p50_growth']:>6.2f}x "
                f"{out[f'{p}_p99_{small}_ms']:>10.2f} {out[f'{p}_p99_{large}_ms']:>10.2f} "
                f"{out[f'{p}_p99_growth']:>6.2f}x "
                f"{out[f'{p}_cpu_ms_per_req_{small}']:>7.2f} / "
                f"{out[f'{p}_cpu_ms_per_req_{large}']:<7.2f}"
            )
        verdict = "PASS" if out[f"goal_{endpoint}_growth_met"] else "MISS"
        print(f"    goal p50 at {large} <= {GOAL_GROWTH}x p50 at {small}: {verdict}")
    print(flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=4.0, help="seconds per timed run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=4, help="client connections")
    parser.add_argument("--warmup", type=float, default=2.0, help="untimed seconds per target")
    parser.add_argument("--small", type=int, default=1_000, help="records at the small size")
    parser.add_argument("--large", type=int, default=100_000, help="records at the large size")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="gunicorn workers for all (default: as `<service> web`)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--endpoints",
        default=",".join(ENDPOINTS),
        help=f"which to measure, comma-separated (default: all of {','.join(ENDPOINTS)})",
    )
    args = parser.parse_args()
    resources = Resources(uuid.uuid4().hex[:8], "scale", FIRST_PORT)
    return run_and_report("scale", args, resources, measure)


if __name__ == "__main__":
    exit_with(main)
