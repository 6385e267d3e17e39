"""The service-level report (vetting.domain.service_levels.report) as a CSV file for a
spreadsheet: one section after another, each a title row, a header row and its rows, a blank
row between. Pure: a report in, text out.

A cell that a spreadsheet would run as a formula is neutralised (shared.spreadsheet): the report
holds codes and ids, but a level's name comes from the policy file and a CSV must never become a
way in.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

from shared.spreadsheet import safe_cell
from vetting.domain.service_levels import PARTIES


def _group_rows(groups: Mapping[str, Mapping[str, Any]]) -> Iterable[list[Any]]:
    for name, group in groups.items():
        age_s, age_wd = group["age_s"], group.get("age_working_days", {})
        row = [name, group["count"], age_s["median"], age_s["p90"]]
        row += [age_wd.get("median"), age_wd.get("p90")]
        for party in sorted(PARTIES):
            waits_wd = group.get("waiting_working_days", {}).get(party, {})
            row += [waits_wd.get("median"), waits_wd.get("p90")]
        yield row


def _group_header(what: str) -> list[str]:
    header = [what, "cases", "age median (s)", "age p90 (s)"]
    header += ["age median (working days)", "age p90 (working days)"]
    for party in sorted(PARTIES):
        header += [f"{party} wait median (working days)", f"{party} wait p90 (working days)"]
    return header


WAITING_HEADER = ["case", "state", "level", "waiting on", "waiting (working days)", "waiting (s)"]


def _waiting_rows(items: Iterable[Mapping[str, Any]]) -> Iterable[list[Any]]:
    for item in items:
        yield [
            item["case_id"],
            item["status"],
            item["level"],
            item["waiting_on"],
            item.get("waiting_working_days"),
            item["waiting_for_s"],
        ]


def report_csv(report: Mapping[str, Any]) -> str:
    """The report as CSV text (UTF-8 when encoded; lines end CRLF, as RFC 4180 says)."""
    out = io.StringIO()
    writer = csv.writer(out)

    def section(title: str, header: list[str], rows: Iterable[list[Any]]) -> None:
        writer.writerow([title])
        writer.writerow(header)
        writer.writerows([safe_cell(value) for value in row] for row in rows)
        writer.writerow([])

    section(
        "Service levels of vetting cases",
        ["generated at", "cases", "open"],
        [[report["generated_at"], report["total"], report["open"]]],
    )
    section("By level", _group_header("level"), _group_rows(report["by_level"]))
    section("By state", _group_header("state"), _group_rows(report["by_state"]))
    section("Waiting longest", WAITING_HEADER, _waiting_rows(report.get("longest_waiting", [])))
    section(
        "Weekly intake and decisions",
        ["week", "starts", "opened", "decided", "withdrawn"],
        (
            [w["week"], w["starts"], w["opened"], w["decided"], w["withdrawn"]]
            for w in report.get("weekly", [])
        ),
    )
    section(
        "Open cases by age (working days)",
        ["age (working days)", "cases"],
        ([b["bucket"], b["count"]] for b in report.get("age_distribution", [])),
    )
    return out.getvalue()
