"""The gate check, measured beside a bare Flask endpoint doing the same indexed read, at 1,000
and at 100,000 grants, in one run.

    .venv/bin/python bench/gatecheck.py [--duration 5] [--rounds 6] [--concurrency 16] ...

A: `GET /establishments/{code}/gate-check?badge=…|person=…` of the access service, served by
   its own `python -m access web` (gunicorn) on a migrated PostgreSQL database, with a staff
   bearer token (security_officer, scoped to the establishment) as a gate's console sends it:
   token check, scope, the grant's row, the rules, an audit entry committed, the response.
B: the same path on bench/gate_bare_app.py: one indexed SELECT of the same columns by the same
   unique key from the same `grants` table in the same database, the row as JSON; under
   gunicorn with exactly the arguments the access web process was started with.

Two databases, `bench_gate_<run>_1k` and `bench_gate_<run>_100k`, each migrated and loaded
(COPY) with grants of realistic shape (mostly ACTIVE with badges, across eight establishments;
some suspended, ended, revoked, pending, expired, limited to some weekdays); a server A and a
server B on each. The requests pick random existing badges (55%) or person ids (40%) of the
grants, and 5% misses (an unknown badge or person: NO_GRANT), at the establishment their token
covers. The load is closed-loop: `--concurrency` keep-alive connections driven by one
`selectors` loop in this process (no wrk needed: standard library only, and little client CPU).

Before timing, a smoke check of A's answers (suspended, ended, revoked, no grant, another
establishment's officer 404, no token 401), and a warm-up of each target. Then `--rounds`
rounds: each runs both sizes one after the other (which first alternates), and at each size A
and B back to back (which first alternates every two rounds), `--duration` seconds each. The
figures are the medians over the rounds; the ratios are also given round by round (A and B of a
round ran seconds apart, on the same machine weather). CPU per request is the server's gunicorn
processes plus its database's PostgreSQL backends (/proc), per answer. Last, each target at
100k alone on one connection (`--single-duration`): the service time, without queueing. At the
end the audit log must hold exactly one `gate.checked` entry per gate check answered.

The grants and requests are gate_data.py's, the answers' checks gate_checks.py's, the load
http_load.py's `drive`, CPU procs.py's. Everything it starts is under a unique name: databases
`bench_gate_<run>_*`, gunicorn process groups on ports from 18301, a temp dir; all stopped,
dropped, deleted at the end, also on failure, Ctrl-C or SIGTERM. The last line printed is one
JSON object.
"""

from __future__ import annotations

import argparse
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

# bench/ is on sys.path (this script lives there).
from gate_checks import audit_count, check_bare, check_gate, smoke
from gate_data import load_grants, request_mix, tokens_by_establishment
from harness import (
    DEPLOYMENT_ENV,
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
from http_load import drive, http_get
from procs import cpu_between, cpu_snapshot

FIRST_PORT = 18301
SCALES = {"1k": 1_000, "100k": 100_000}
GOAL_RPS_RATIO = 0.8  # gate throughput >= 0.8 x bare
GOAL_P99_MS = 15.0  # gate p99 < 15 ms at concurrency 16
GOAL_P99_GROWTH = 1.2  # gate p99 at 100k grants <= 1.2 x p99 at 1k


@dataclass
class Target:
    name: str  # "gate" or "bare"
    scale: str  # "1k" or "100k"
    port: int
    process: subprocess.Popen
    database: str
    requests: list[bytes]
    check: Callable[[bytes], str | None]

    @property
    def label(self) -> str:
        return f"{self.name}-{self.scale}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per timed run")
    parser.add_argument("--rounds", type=int, default=6, help="timed runs of each target")
    parser.add_argument("--concurrency", type=int, default=16, help="client connections")
    parser.add_argument("--warmup", type=float, default=3.0, help="untimed seconds per target")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="gunicorn workers for all (default: as `access web`)",
    )
    parser.add_argument(
        "--single-duration",
        type=float,
        default=3.0,
        help="then seconds at concurrency 1 per target at 100k (0: skip)",
    )
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()

    resources = Resources(uuid.uuid4().hex[:8], "gate", FIRST_PORT)
    return run_and_report("gatecheck", args, resources, measure)


def measure(args: argparse.Namespace, run: str, resources: Resources, out: dict[str, Any]) -> None:
    rng = random.Random(args.seed)
    tokens = tokens_by_establishment()
    targets: list[Target] = []
    urls: dict[str, str] = {}
    web_argv: list[str] = []
    for offset, (scale, count) in enumerate(SCALES.items()):
        url = urls[scale] = resources.database(scale)
        database = url.rsplit("/", 1)[1]
        gate_port, bare_port = resources.port(), resources.port()
        env = {
            **os.environ,
            **DEPLOYMENT_ENV,
            "DATABASE_URL": url,
            "VAR_DIR": str(resources.dir / "var"),
            "PORT": str(gate_port),
            "PYTHONUNBUFFERED": "1",
        }
        log(f"{scale}: migrate, load {count:,} grants")
        service_cli("access", env, "migrate")
        t0 = time.perf_counter()
        people = load_grants(url, count, args.seed + offset)
        log(f"{scale}: {count:,} grants loaded in {time.perf_counter() - t0:.1f} s")
        web_args = ["web", "--bind", f"127.0.0.1:{gate_port}"]
        if args.workers:
            web_args += ["--workers", str(args.workers)]
        gate = resources.process(f"gate-{scale}", [sys.executable, "-m", "access", *web_args], env)
        web_argv = gunicorn_argv(gate.pid)
        bare = resources.process(
            f"bare-{scale}",
            bare_argv(web_argv, bare_port, "gate_bare_app:create_app()"),
            {**os.environ, "DATABASE_URL": url, "PYTHONUNBUFFERED": "1"},
        )
        wait_http(gate_port, "/health/liveness", gate)
        wait_http(bare_port, "/health", bare)
        out[f"smoke_audited_{scale}"] = smoke(gate_port, people, tokens)
        mix = request_mix(people, 20_000, rng)
        targets.append(
            Target(
                "gate",
                scale,
                gate_port,
                gate,
                database,
                [http_get(path, tokens[code]) for path, code in mix],
                check_gate,
            )
        )
        targets.append(
            Target(
                "bare",
                scale,
                bare_port,
                bare,
                database,
                [http_get(path, None) for path, _ in mix],
                check_bare,
            )
        )
    out["gunicorn"] = " ".join(web_argv[web_argv.index("gunicorn") + 2 :])
    log(f"four servers up: gunicorn {out['gunicorn']}")
    audited_before = {scale: audit_count(url) for scale, url in urls.items()}

    c, duration = args.concurrency, args.duration
    answered = {scale: 0 for scale in SCALES}
    log(f"warm-up: {args.warmup:g} s each")
    for target in targets:
        warm = drive(
            f"{target.label}-warmup", target.port, target.requests, c, args.warmup, target.check
        )
        if target.name == "gate":
            answered[target.scale] += warm.count

    runs: dict[str, list[Run]] = {t.label: [] for t in targets}
    cpu: dict[str, list[float]] = {t.label: [] for t in targets}
    by_label = {t.label: t for t in targets}
    for r in range(args.rounds):
        # Each round: the two sizes one after the other (1k first, then 100k first), and at
        # each size ours and the bare one back to back (ours first in rounds 1-2, 5-6, ...).
        scales = list(SCALES) if r % 2 == 0 else list(reversed(SCALES))
        names = ["gate", "bare"] if (r // 2) % 2 == 0 else ["bare", "gate"]
        order = [by_label[f"{name}-{scale}"] for scale in scales for name in names]
        for target in order:
            before = cpu_snapshot(target.process.pid, target.database)
            result = drive(target.label, target.port, target.requests, c, duration, target.check)
            cpu[target.label].append(
                cpu_between(before, target.process.pid, target.database) / result.count
            )
            runs[target.label].append(result)
            if target.name == "gate":
                answered[target.scale] += result.count
            log(
                f"round {r + 1}/{args.rounds} {target.label:>9}: {result.rps:7.1f} req/s  "
                f"p50 {result.percentile(50):6.2f} ms  p99 {result.percentile(99):6.2f} ms  "
                f"cpu {cpu[target.label][-1]:5.2f} ms/req  ({result.count} in "
                f"{result.elapsed_s:.1f} s)"
            )

    # Service time: one connection, nothing queued (what the p99 at 16 is made of, on 2 cores).
    for target in targets:
        if target.scale == "100k" and args.single_duration > 0:
            result = drive(
                f"{target.label}-c1",
                target.port,
                target.requests,
                1,
                args.single_duration,
                target.check,
            )
            out[f"{target.name}_c1_p50_ms"] = round(result.percentile(50), 2)
            out[f"{target.name}_c1_p99_ms"] = round(result.percentile(99), 2)
            if target.name == "gate":
                answered[target.scale] += result.count
            log(
                f"concurrency 1 {target.label:>9}: {result.rps:7.1f} req/s  "
                f"p50 {result.percentile(50):6.2f} ms  p99 {result.percentile(99):6.2f} ms"
            )

    # Every gate check answered is in the audit log (the demand), none more.
    for scale, url in urls.items():
        audited = audit_count(url) - audited_before[scale]
        if audited != answered[scale]:
            raise RuntimeError(
                f"{scale}: {audited} gate.checked audit entries for "
                f"{answered[scale]} answered gate checks"
            )
    out["audited"] = answered

    def median(label: str, figure: Callable[[Run], float]) -> float:
        return statistics.median(figure(x) for x in runs[label])

    for scale in SCALES:
        for name in ("gate", "bare"):
            label = f"{name}-{scale}"
            out[f"{name}_rps_{scale}"] = round(median(label, lambda x: x.rps), 1)
            out[f"{name}_p50_{scale}_ms"] = round(median(label, lambda x: x.percentile(50)), 2)
            out[f"{name}_p99_{scale}_ms"] = round(median(label, lambda x: x.percentile(99)), 2)
            out[f"{name}_cpu_ms_per_req_{scale}"] = round(statistics.median(cpu[label]), 2)
        out[f"rps_ratio_{scale}"] = round(out[f"gate_rps_{scale}"] / out[f"bare_rps_{scale}"], 3)
        out[f"cpu_ratio_{scale}"] = round(
            out[f"gate_cpu_ms_per_req_{scale}"] / out[f"bare_cpu_ms_per_req_{scale}"], 3
        )
        out[f"rps_ratio_by_round_{scale}"] = [
            round(a.rps / b.rps, 3)
            for a, b in zip(runs[f"gate-{scale}"], runs[f"bare-{scale}"], strict=True)
        ]
    # The headline figures are at 100,000 grants; the goals are checked at both sizes.
    out.update(
        {
            "gate_rps": out["gate_rps_100k"],
            "bare_rps": out["bare_rps_100k"],
            "gate_p50_ms": out["gate_p50_100k_ms"],
            "bare_p50_ms": out["bare_p50_100k_ms"],
            "gate_p99_ms": out["gate_p99_100k_ms"],
            "bare_p99_ms": out["bare_p99_100k_ms"],
            "gate_p99_1k_ms": out["gate_p99_1k_ms"],
            "rps_ratio": out["rps_ratio_100k"],
            "p99_growth": round(out["gate_p99_100k_ms"] / out["gate_p99_1k_ms"], 3),
            "p99_growth_by_round": [
                round(a.percentile(99) / b.percentile(99), 3)
                for a, b in zip(runs["gate-100k"], runs["gate-1k"], strict=True)
            ],
        }
    )
    out["goal_rps_met"] = min(out["rps_ratio_1k"], out["rps_ratio_100k"]) >= GOAL_RPS_RATIO
    out["goal_p99_met"] = max(out["gate_p99_1k_ms"], out["gate_p99_100k_ms"]) < GOAL_P99_MS
    out["goal_p99_growth_met"] = out["p99_growth"] <= GOAL_P99_GROWTH
    out["goals_met"] = out["goal_rps_met"] and out["goal_p99_met"] and out["goal_p99_growth_met"]
    out["runs"] = {
        label: [
            {
                "rps": round(x.rps, 1),
                "p50_ms": round(x.percentile(50), 2),
                "p99_ms": round(x.percentile(99), 2),
                "requests": x.count,
            }
            for x in values
        ]
        for label, values in runs.items()
    }
    out.update(
        {
            "duration_s": duration,
            "rounds": args.rounds,
            "concurrency": c,
            "warmup_s": args.warmup,
            "grants": SCALES,
            "nproc": os.cpu_count(),
            "date": time.strftime("%Y-%m-%d"),
        }
    )
    print_table(out)


def print_table(out: dict[str, Any]) -> None:
    def listed(values: list[float]) -> str:
        return ", ".join(f"{x:.2f}" for x in values)

    print()
    print(
        f"gate check  ({out['rounds']} rounds of {out['duration_s']:g} s per target, "
        f"interleaved, {out['concurrency']} keep-alive connections; medians over the rounds)"
    )
    print(f"  all four servers under gunicorn {out['gunicorn']}")
    print(f"  {'':<42} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/req':>11}")
    for scale, count in SCALES.items():
        for name, what in (
            ("bare", "bare: one indexed SELECT"),
            ("gate", "ours: GET …/gate-check"),
        ):
            print(
                f"  {f'{what}, {count:,} grants':<42} {out[f'{name}_rps_{scale}']:>8.1f} "
                f"{out[f'{name}_p50_{scale}_ms']:>8.2f} {out[f'{name}_p99_{scale}_ms']:>8.2f} "
                f"{out[f'{name}_cpu_ms_per_req_{scale}']:>11.2f}"
            )
        print(
            f"    ours / bare: throughput {out[f'rps_ratio_{scale}']:.2f}x (round by round "
            f"{listed(out[f'rps_ratio_by_round_{scale}'])}), CPU per request "
            f"{out[f'cpu_ratio_{scale}']:.2f}x"
        )
    if "gate_c1_p50_ms" in out:
        print(
            f"  one connection (no queueing), 100,000 grants: ours p50 "
            f"{out['gate_c1_p50_ms']:.2f} / p99 {out['gate_c1_p99_ms']:.2f} ms, bare p50 "
            f"{out['bare_c1_p50_ms']:.2f} / "
            f"p99 {out['bare_c1_p99_ms']:.2f} ms"
        )
    print(
        f"  goal throughput >= {GOAL_RPS_RATIO}x bare at both sizes: {verdict(out['goal_rps_met'])}"
    )
    print(
        f"  goal p99 < {GOAL_P99_MS:g} ms at concurrency {out['concurrency']}, both sizes: "
        f"{verdict(out['goal_p99_met'])} (bare: {out['bare_p99_1k_ms']:.1f} / "
        f"{out['bare_p99_100k_ms']:.1f} ms)"
    )
    print(
        f"  goal p99 at 100k <= {GOAL_P99_GROWTH}x p99 at 1k: {out['p99_growth']:.2f}x "
        f"(round by round {listed(out['p99_growth_by_round'])}): "
        f"{verdict(out['goal_p99_growth_met'])}"
    )
    print("  CPU ms/req: the server's gunicorn processes + its database's PostgreSQL backends")
    print(
        f"  machine: nproc {out['nproc']}, load average {out['loadavg_start']:.1f} at the "
        f"start (shared: compare the ratios, and rerun if the load is high)"
    )
    print(flush=True)


if __name__ == "__main__":
    exit_with(main)
