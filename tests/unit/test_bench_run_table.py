"""bench/run's table and JSON: each benchmark's last-line JSON becomes rows with the right
goals, a failed benchmark one FAILED row, and the run's JSON counts both (no benchmark runs)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from run_table import fmt, rows_for, summary, table_lines

SUBMISSION = {
    "submit_rps": 250.0,
    "bare_rps": 350.0,
    "ratio_rps": 0.714,
    "goal_rps_met": True,
    "submit_p99_ms": 85.0,
    "bare_p99_ms": 30.0,
    "ratio_p99": 2.83,
    "goal_p99_met": False,
}
SOAK = {
    "rate_per_s": 2.0,
    "rss_start_mb": {"vetting-web": 200.0, "vetting-consume": 90.0},
    "rss_end_mb": {"vetting-web": 201.0, "vetting-consume": 100.0},
    "rss_growth_pct": {"vetting-web": 0.5, "vetting-consume": 11.11},
    "submitted_per_s": 2.0,
    "cleared_per_s": 1.9,
    "emails_per_s": 10.0,
    "errors": 0,
    "crashed": {},
    "totals": {"drained": True},
}


def test_rows_carry_ratio_goal_and_verdict() -> None:
    throughput, p99 = rows_for("submission", SUBMISSION, None)
    assert (throughput.ours, throughput.bare, throughput.ratio, throughput.met) == (
        250.0,
        350.0,
        0.714,
        True,
    )
    assert p99.goal == "<= 2x bare" and p99.met is False


def test_soak_rows_judge_each_process_by_its_growth() -> None:
    rows = {row.figure: row for row in rows_for("soak", SOAK, None)}
    assert rows["RSS vetting-web (bare: at the start)"].met is True
    consume = rows["RSS vetting-consume (bare: at the start)"]
    assert consume.met is False and consume.ratio == round(100 / 90, 3)
    assert rows["errors + crashed processes"].met is True


def test_a_failed_benchmark_is_one_failed_row() -> None:
    for figures, error in (
        (None, "exit status 1"),
        ({"error": "TimeoutError: x"}, None),
        ({"bench": "submission"}, None),
    ):  # no figures: KeyError
        (row,) = rows_for("submission", figures, error)
        assert row.figure.startswith("FAILED") and row.met is False


def test_table_and_json() -> None:
    rows = rows_for("submission", SUBMISSION, None) + rows_for("gatecheck", None, "timed out")
    results = {
        "submission": {"status": "ok", "figures": SUBMISSION},
        "gatecheck": {"status": "failed", "figures": None},
    }
    lines = table_lines(rows)
    assert lines[0].split() == [
        "benchmark",
        "figure",
        "ours",
        "bare",
        "baseline",
        "ratio",
        "goal",
        "met",
    ]
    assert any("NOT MET" in line and "p99" in line for line in lines)
    assert any(line.startswith("gatecheck") and "FAILED: timed out" in line for line in lines)
    report = json.loads(json.dumps(summary(results, rows)))  # one JSON object
    assert report["failed"] == ["gatecheck"]
    assert report["goals_met"] == 1 and report["goals_missed"] == ["submission: p99"]
    assert len(report["rows"]) == 3


def test_fmt() -> None:
    assert fmt(1234.4, "/s") == "1,234 /s" and fmt(12.34, "ms") == "12.3 ms"
    assert fmt(0.714, "x") == "0.71x" and fmt(16106.6, "x") == "16,107x"
    assert fmt(0) == "0" and fmt(None) == "" and fmt("yes") == "yes"


def scale_figures(endpoints: list[str]) -> dict:
    figures: dict = {"sizes": ["1k", "100k"], "endpoints": endpoints}
    for endpoint in endpoints:
        for name in ("ours", "bare"):
            for figure in ("p50", "p99"):
                for size in ("1k", "100k"):
                    figures[f"{endpoint}_{name}_{figure}_{size}_ms"] = 10.0
            figures[f"{endpoint}_{name}_p50_growth"] = 1.1
            figures[f"{endpoint}_{name}_cpu_growth"] = 1.0
        figures[f"goal_{endpoint}_growth_met"] = True
    return figures


def test_scale_rows_are_the_endpoints_measured() -> None:
    some = rows_for("scale", scale_figures(["holders", "find"]), None)
    names = ("who holds access", "find a person by name")
    assert all(row.figure.startswith(names) for row in some)
    assert all(any(row.figure.startswith(name) for row in some) for name in names)
    growth = [row for row in some if "p50 growth" in row.figure]
    assert [row.met for row in growth] == [True, True] and len(some) == 10
