"""bench/run's one table: each benchmark's last-line JSON turned into rows (figure, ours, bare
baseline, ratio, goal, met), the rows printed, and the run's own JSON object. Pure functions
(no I/O but `print_table`'s), so a unit test can hold them to the benchmarks' keys."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

Value = float | int | str | None


@dataclass
class Row:
    bench: str
    figure: str
    ours: Value
    bare: Value = None
    unit: str = ""
    ratio: float | None = None
    goal: str = ""
    met: bool | None = None  # None: no goal


def _ratio(ours: Any, bare: Any) -> float | None:
    if isinstance(ours, int | float) and isinstance(bare, int | float) and bare:
        return round(ours / bare, 3)
    return None


def backbone_rows(j: dict[str, Any]) -> list[Row]:
    rows = [
        Row(
            "backbone",
            "publish: relay vs per-message confirm",
            j["relay_per_s"],
            j["raw_confirm_per_s"],
            "/s",
            j["relay_vs_raw_confirm"],
            ">= 3x bare",
            j["relay_vs_raw_confirm"] >= 3,
        ),
        Row(
            "backbone",
            "publish: relay vs windowed confirms",
            j["relay_per_s"],
            j["raw_windowed_per_s"],
            "/s",
            j["relay_vs_raw_windowed"],
        ),
        Row(
            "backbone",
            "consume: EventConsumer, trivial handler",
            j["consumer_per_s"],
            j["raw_consume_per_s"],
            "/s",
            j["consumer_vs_raw_consume"],
            ">= 500/s",
            j["consumer_per_s"] >= 500,
        ),
        Row("backbone", "consume: vetting's open_case", j["consumer_open_case_per_s"], unit="/s"),
    ]
    p50, p99 = j.get("e2e_p50_ms"), j.get("e2e_p99_ms")
    rows += [
        Row(
            "e2e",
            "PostgreSQL+RabbitMQ p50 (bare: one broker hop)",
            p50,
            j["raw_hop_p50_ms"],
            "ms",
            _ratio(p50, j["raw_hop_p50_ms"]),
            "<= 50 ms",
            p50 is not None and p50 <= 50,
        ),
        Row(
            "e2e",
            "PostgreSQL+RabbitMQ p99 (bare: one broker hop)",
            p99,
            j["raw_hop_p99_ms"],
            "ms",
            _ratio(p99, j["raw_hop_p99_ms"]),
            "<= 300 ms",
            p99 is not None and p99 <= 300,
        ),
        Row(
            "e2e",
            "delivered (of sent)",
            j["e2e_received"],
            j["e2e_sent"],
            "",
            _ratio(j["e2e_received"], j["e2e_sent"]),
            "all",
            j["e2e_received"] == j["e2e_sent"],
        ),
    ]
    if "embedded_e2e_p50_ms" in j:
        p50 = j["embedded_e2e_p50_ms"]
        rows.append(
            Row(
                "e2e",
                "embedded (SQLite+filesystem) p50",
                p50,
                unit="ms",
                goal="<= 300 ms",
                met=p50 is not None and p50 <= 300,
            )
        )
    return rows


def submission_rows(j: dict[str, Any]) -> list[Row]:
    return [
        Row(
            "submission",
            "throughput",
            j["submit_rps"],
            j["bare_rps"],
            "req/s",
            j["ratio_rps"],
            ">= 0.6x bare",
            j["goal_rps_met"],
        ),
        Row(
            "submission",
            "p99",
            j["submit_p99_ms"],
            j["bare_p99_ms"],
            "ms",
            j["ratio_p99"],
            "<= 2x bare",
            j["goal_p99_met"],
        ),
    ]


def gatecheck_rows(j: dict[str, Any]) -> list[Row]:
    rows = []
    for size in ("1k", "100k"):
        rows.append(
            Row(
                "gatecheck",
                f"throughput, {size} grants, c{j['concurrency']}",
                j[f"gate_rps_{size}"],
                j[f"bare_rps_{size}"],
                "req/s",
                j[f"rps_ratio_{size}"],
                ">= 0.8x bare",
                j[f"rps_ratio_{size}"] >= 0.8,
            )
        )
    for size in ("1k", "100k"):
        ours, bare = j[f"gate_p99_{size}_ms"], j[f"bare_p99_{size}_ms"]
        rows.append(
            Row(
                "gatecheck",
                f"p99, {size} grants, c{j['concurrency']}",
                ours,
                bare,
                "ms",
                _ratio(ours, bare),
                "< 15 ms",
                ours < 15,
            )
        )
    rows.append(
        Row(
            "gatecheck",
            "p99 growth 100k / 1k",
            j["p99_growth"],
            _ratio(j["bare_p99_100k_ms"], j["bare_p99_1k_ms"]),
            "x",
            None,
            "<= 1.2x",
            j["goal_p99_growth_met"],
        )
    )
    if "gate_c1_p99_ms" in j:
        rows.append(
            Row(
                "gatecheck",
                "p99 on one connection, 100k",
                j["gate_c1_p99_ms"],
                j["bare_c1_p99_ms"],
                "ms",
                _ratio(j["gate_c1_p99_ms"], j["bare_c1_p99_ms"]),
            )
        )
    return rows


SCALE_NAMES = {
    "gate": "gate check",
    "queue": "access queue",
    "cases": "vetting /cases",
    "holders": "who holds access",
    "find": "find a person by name",
}


def scale_rows(j: dict[str, Any]) -> list[Row]:
    small, large = j["sizes"]
    rows = []
    # A run of some endpoints only (scale.py --endpoints) names them; older runs name none.
    measured = j.get("endpoints", ["gate", "queue", "cases"])
    for endpoint, name in SCALE_NAMES.items():
        if endpoint not in measured:
            continue
        for figure, size in (("p50", small), ("p50", large), ("p99", large)):
            ours, bare = (
                j[f"{endpoint}_ours_{figure}_{size}_ms"],
                j[f"{endpoint}_bare_{figure}_{size}_ms"],
            )
            rows.append(
                Row(
                    "scale",
                    f"{name} {figure}, {size} records",
                    ours,
                    bare,
                    "ms",
                    _ratio(ours, bare),
                )
            )
        rows.append(
            Row(
                "scale",
                f"{name} p50 growth {large} / {small}",
                j[f"{endpoint}_ours_p50_growth"],
                j[f"{endpoint}_bare_p50_growth"],
                "x",
                None,
                "<= 1.2x",
                j[f"goal_{endpoint}_growth_met"],
            )
        )
        rows.append(
            Row(
                "scale",
                f"{name} CPU/request growth {large} / {small}",
                j[f"{endpoint}_ours_cpu_growth"],
                j[f"{endpoint}_bare_cpu_growth"],
                "x",
            )
        )
    return rows


def soak_rows(j: dict[str, Any]) -> list[Row]:
    rows = [
        Row(
            "soak",
            f"RSS {name} (bare: at the start)",
            j["rss_end_mb"][name],
            start,
            "MB",
            _ratio(j["rss_end_mb"][name], start),
            "< 10% growth",
            j["rss_growth_pct"].get(name, 0.0) < 10,
        )
        for name, start in j["rss_start_mb"].items()
    ]
    rate = j["rate_per_s"]
    rows += [
        Row(
            "soak",
            "applications submitted",
            j["submitted_per_s"],
            rate,
            "/s",
            _ratio(j["submitted_per_s"], rate),
            ">= 0.95x the rate",
            j["submitted_per_s"] >= 0.95 * rate,
        ),
        Row("soak", "cases cleared", j["cleared_per_s"], unit="/s"),
        Row("soak", "emails", j["emails_per_s"], unit="/s"),
        Row(
            "soak",
            "errors + crashed processes",
            j["errors"] + len(j["crashed"]),
            goal="0",
            met=j["errors"] == 0 and not j["crashed"],
        ),
        Row(
            "soak",
            "pipeline drained at the end",
            "yes" if j["totals"]["drained"] else "no",
            goal="yes",
            met=bool(j["totals"]["drained"]),
        ),
    ]
    return rows


ROWS: dict[str, Callable[[dict[str, Any]], list[Row]]] = {
    "backbone": backbone_rows,
    "submission": submission_rows,
    "gatecheck": gatecheck_rows,
    "scale": scale_rows,
    "soak": soak_rows,
}


def rows_for(name: str, figures: dict[str, Any] | None, error: str | None) -> list[Row]:
    """The rows of one benchmark; one FAILED row if it failed or its JSON lacks a figure."""
    if error is None and figures is not None and "error" not in figures:
        try:
            return ROWS[name](figures)
        except (KeyError, TypeError, ValueError, ZeroDivisionError) as exc:
            error = f"its JSON has no usable figures ({exc!r})"
    reason = error or (figures or {}).get("error") or "no JSON line"
    return [Row(name, f"FAILED: {reason}"[:72], None, met=False)]


def fmt(value: Value, unit: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int):  # counts (bool is no figure here)
        text = f"{value:,}"
    else:
        text = (
            f"{value:,.0f}"
            if abs(value) >= 100
            else f"{value:.1f}"
            if abs(value) >= 10
            else f"{value:.2f}"
        )
    return f"{text}{'' if unit == 'x' else ' '}{unit}".rstrip() if unit else text


def table_lines(rows: list[Row]) -> list[str]:
    header = ("benchmark", "figure", "ours", "bare baseline", "ratio", "goal", "met")
    cells = [header] + [
        (
            r.bench,
            r.figure,
            fmt(r.ours, r.unit),
            fmt(r.bare, r.unit),
            "" if r.ratio is None else fmt(r.ratio, "x"),
            r.goal,
            "" if r.met is None else ("met" if r.met else "NOT MET"),
        )
        for r in rows
    ]
    widths = [max(len(c[i]) for c in cells) for i in range(len(header))]
    right = {2, 3, 4}
    lines = []
    for index, cell in enumerate(cells):
        lines.append(
            "  ".join(
                c.rjust(w) if i in right else c.ljust(w)
                for i, (c, w) in enumerate(zip(cell, widths, strict=True))
            ).rstrip()
        )
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def summary(results: dict[str, dict[str, Any]], rows: list[Row]) -> dict[str, Any]:
    """The run's JSON object: every benchmark's status and figures, the rows, the counts."""
    goals = [r for r in rows if r.met is not None and not r.figure.startswith("FAILED")]
    return {
        "bench": "run",
        "failed": [name for name, result in results.items() if result["status"] == "failed"],
        "goals_met": sum(1 for r in goals if r.met),
        "goals_missed": [f"{r.bench}: {r.figure}" for r in goals if not r.met],
        "rows": [asdict(r) for r in rows],
        "benches": results,
    }
