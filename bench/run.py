"""Every benchmark in one command, one table: `bench/run` (or `make bench`).

    bench/run [--only NAME,...] [--skip NAME,...] [--quick] [--logs DIR]

Runs, one after another, each as its own process (the soak last, it is the longest):
backbone (publishing, consuming, and the end-to-end latency: its `e2e` section), submission,
gatecheck, scale (gate check and queue listings at 1k vs 100k records), soak (10 minutes of the
whole stack, memory per process). Each benchmark measures our code and its bare baseline in the
same run and ends with one JSON line; this collects them and prints ONE table (benchmark,
figure, ours, bare baseline, ratio, goal, met), then, as its last line, one JSON object with
every figure. A benchmark that fails is shown as failed with the tail of its log, the others
still run, and the exit status is 1. Goals not met do not change the exit status (the table
says so). `--quick` is a short smoke run (small sizes, seconds per figure): its figures are not
comparable. Logs (each benchmark's stdout and stderr) stay in `--logs` (a new temp dir by
default).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from run_table import rows_for, summary, table_lines

BENCH_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Bench:
    name: str
    script: str
    quick: tuple[str, ...]
    timeout_s: float
    about: str


BENCHES = (
    Bench(
        "backbone",
        "backbone.py",
        (
            "--backlog",
            "2000",
            "--consume",
            "1000",
            "--consume-real",
            "500",
            "--confirm-messages",
            "500",
            "--hops",
            "50",
            "--rate",
            "10",
            "--duration",
            "5",
            "--warmup",
            "2",
            "--skip-embedded",
        ),
        1200,
        "publishing, consuming, end to end (e2e)",
    ),
    Bench(
        "submission",
        "submission.py",
        ("--duration", "2", "--rounds", "2", "--warmup", "50", "--pairs", "50"),
        900,
        "the submit endpoint",
    ),
    Bench(
        "gatecheck",
        "gatecheck.py",
        ("--duration", "2", "--rounds", "2", "--warmup", "1", "--single-duration", "1"),
        1200,
        "the gate check at 1k and 100k grants",
    ),
    Bench(
        "scale",
        "scale.py",
        ("--large", "10000", "--duration", "1.5", "--rounds", "1", "--warmup", "0.5"),
        1800,
        "gate check and queue listings at 1k vs 100k records",
    ),
    Bench(
        "soak",
        "soak.py",
        ("--duration", "60", "--warmup", "20"),
        1800,
        "the whole stack for 10 minutes: memory per process",
    ),
)
ALIASES = {"e2e": "backbone"}
LOG_TAIL = 25


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] run: {message}", file=sys.stderr, flush=True)


def choose(only: str | None, skip: str | None) -> list[Bench]:
    names = {b.name for b in BENCHES}

    def parse(text: str | None) -> set[str]:
        chosen = {ALIASES.get(n.strip(), n.strip()) for n in (text or "").split(",") if n.strip()}
        if unknown := chosen - names:
            raise SystemExit(
                f"unknown benchmark(s) {sorted(unknown)}; known: "
                f"{', '.join(b.name for b in BENCHES)} (e2e is backbone's)"
            )
        return chosen

    wanted, skipped = parse(only) or names, parse(skip)
    return [b for b in BENCHES if b.name in wanted and b.name not in skipped]


def last_json(path: Path) -> dict[str, Any] | None:
    for line in reversed(path.read_text(errors="replace").splitlines()):
        if line.strip():
            try:
                value = json.loads(line)
            except json.JSONDecodeError:
                return None
            return value if isinstance(value, dict) else None
    return None


def tail(path: Path, lines: int) -> list[str]:
    return path.read_text(errors="replace").splitlines()[-lines:] if path.exists() else []


def run_one(bench: Bench, quick: bool, logs: Path) -> dict[str, Any]:
    """Run one benchmark to the end (or its timeout); its status, figures and log paths."""
    out_path, err_path = logs / f"{bench.name}.out", logs / f"{bench.name}.err"
    argv = [sys.executable, str(BENCH_DIR / bench.script), *(bench.quick if quick else ())]
    log(f"{bench.name}: {bench.about} ({' '.join(argv[1:])}); logs {err_path}")
    started = time.monotonic()
    error = None
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        process = subprocess.Popen(argv, stdout=out, stderr=err, cwd=BENCH_DIR.parent)
        try:
            code = process.wait(timeout=bench.timeout_s)
        except subprocess.TimeoutExpired:
            error = f"timed out after {bench.timeout_s:g} s"
            code = stop(process)
        except BaseException:
            stop(process)  # Ctrl-C or SIGTERM: let it clean up what it started, then go
            raise
    figures = last_json(out_path)
    if error is None and code != 0:
        error = f"exit status {code}" + (
            f": {figures['error']}" if figures and "error" in figures else ""
        )
    status = "failed" if error or figures is None else "ok"
    log(
        f"{bench.name}: {status} in {time.monotonic() - started:.0f} s"
        + (f" ({error})" if error else "")
    )
    return {
        "status": status,
        "error": error,
        "wall_s": round(time.monotonic() - started, 1),
        "argv": argv[1:],
        "stdout": str(out_path),
        "stderr": str(err_path),
        "figures": figures,
        "log_tail": tail(err_path, LOG_TAIL) + tail(out_path, 5) if status != "ok" else [],
    }


def stop(process: subprocess.Popen) -> int:
    """SIGTERM (every benchmark cleans up on it), then SIGKILL if it does not end."""
    process.terminate()
    try:
        return process.wait(timeout=90)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


def _interrupt(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated benchmarks to run (default: all)")
    parser.add_argument("--skip", help="comma-separated benchmarks not to run")
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--logs", type=Path, help="where each benchmark's output goes")
    args = parser.parse_args()
    benches = choose(args.only, args.skip)
    logs = args.logs or Path(tempfile.mkdtemp(prefix="bench-run-"))
    logs.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, _interrupt)
    loadavg_start, started = os.getloadavg(), time.monotonic()
    results: dict[str, dict[str, Any]] = {}
    try:
        for bench in benches:
            results[bench.name] = run_one(bench, args.quick, logs)
    except KeyboardInterrupt:
        log("interrupted: reporting what finished")
    rows = [
        row
        for name, result in results.items()
        for row in rows_for(name, result["figures"], result["error"])
    ]
    print()
    quick = "  (QUICK: smoke figures, not comparable)" if args.quick else ""
    print(
        f"bench/run {time.strftime('%Y-%m-%d %H:%M %Z')}: nproc {os.cpu_count()}, load "
        f"average {loadavg_start[0]:.1f} -> {os.getloadavg()[0]:.1f}{quick}"
    )
    print("\n".join(table_lines(rows)))
    for name, result in results.items():
        if result["status"] != "ok":
            print(
                f"\n{name} FAILED ({result['error'] or 'no JSON line'}); last lines of its log "
                f"({result['stderr']}):"
            )
            print("\n".join(f"  | {line}" for line in result["log_tail"]))
    report = summary(results, rows)
    report.update(
        {
            "quick": args.quick,
            "date": time.strftime("%Y-%m-%d"),
            "nproc": os.cpu_count(),
            "logs": str(logs),
            "loadavg_start": round(loadavg_start[0], 2),
            "loadavg_end": round(os.getloadavg()[0], 2),
            "wall_s": round(time.monotonic() - started, 1),
            "not_run": [b.name for b in benches if b.name not in results],
        }
    )
    print(flush=True)
    print(json.dumps(report), flush=True)
    return 1 if report["failed"] or report["not_run"] else 0


if __name__ == "__main__":
    sys.exit(main())
