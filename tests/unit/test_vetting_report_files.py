"""The service-level report's SVG charts and CSV file: parsed back, they hold the report's
figures; the SVG is accessible (an image named by its title, described in words), runs no
script and carries no date of its own; the CSV keeps a spreadsheet from running a formula."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from vetting.adapters.charts import age_chart, weekly_chart
from vetting.adapters.report_csv import report_csv
from vetting.domain.service_levels import CaseTimes, report

SVG = "{http://www.w3.org/2000/svg}"
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


def _report():
    cases = [
        CaseTimes(
            f"case-{n}",
            "STANDARD" if n % 2 else "=cmd|' /C calc'!A0",
            "AWAITING_DECISION" if n < 4 else "CLEARED",
            NOW - timedelta(days=3 * n + 1),
            None if n < 4 else NOW - timedelta(days=1),
            "OFFICER" if n < 4 else None,
            NOW - timedelta(days=n + 1) if n < 4 else None,
            {},
        )
        for n in range(6)
    ]
    return report(cases, NOW)


def test_the_weekly_chart_is_an_accessible_script_free_svg():
    out = _report()
    svg = weekly_chart(out, nonce="n0nce")
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    first = root[0]
    assert first.tag == f"{SVG}title" and first.text == "Cases opened and decided each week"
    assert root.get("aria-labelledby") == first.get("id")
    desc = root.find(f"{SVG}desc")
    assert desc is not None and root.get("aria-describedby") == desc.get("id")
    this_week = out["weekly"][-1]
    assert (
        f"week starting {this_week['starts']}: {this_week['opened']} opened, "
        f"{this_week['decided']} decided"
    ) in (desc.text or "")
    assert root.find(f".//{SVG}script") is None and "<script" not in svg
    assert "<!--" not in svg  # pygal's comment carries the wall clock's date
    assert all(style.get("nonce") == "n0nce" for style in root.iter(f"{SVG}style"))
    texts = {element.text for element in root.iter(f"{SVG}text")}
    assert {"Opened", "Decided"} <= texts and this_week["starts"] in texts
    assert weekly_chart(out) == weekly_chart(out)  # the same report draws the same SVG


def test_the_age_chart_names_each_bucket():
    out = _report()
    root = ET.fromstring(age_chart(out))
    assert root[0].text == "Open cases by age in working days"
    texts = {element.text for element in root.iter(f"{SVG}text")}
    assert {"0-5", "6-10", "11-20", "21-40", "41+"} <= texts
    desc = root.find(f"{SVG}desc")
    assert desc is not None
    counts = {b["bucket"]: b["count"] for b in out["age_distribution"]}
    assert f"0-5 working days: {counts['0-5']} open cases" in (desc.text or "")
    assert root.get("id") != ET.fromstring(weekly_chart(out)).get("id")  # both on one page
    # Counts of cases: the axis marks whole numbers only.
    assert not [text for text in texts if text and "." in text and text.replace(".", "").isdigit()]
    assert "1" in texts


def test_the_csv_holds_every_section_and_defuses_formulas():
    out = _report()
    rows = list(csv.reader(io.StringIO(report_csv(out))))
    titles = [row[0] for row, before in zip(rows[1:], rows, strict=False) if not before]
    assert rows[0] == ["Service levels of vetting cases"]
    assert titles == [
        "By level",
        "By state",
        "Waiting longest",
        "Weekly intake and decisions",
        "Open cases by age (working days)",
    ]
    assert rows[2] == [out["generated_at"], "6", "4"]
    levels = {row[0] for row in rows if row}
    assert "STANDARD" in levels
    assert "'=cmd|' /C calc'!A0" in levels and "=cmd|' /C calc'!A0" not in levels
    weeks = [row for row in rows if row and row[0].startswith("2026-W")]
    assert len(weeks) == 12 and weeks[-1][0] == out["weekly"][-1]["week"]
    waiting = rows[rows.index(["Waiting longest"]) + 2 :][: len(out["longest_waiting"])]
    assert [row[0] for row in waiting] == [item["case_id"] for item in out["longest_waiting"]]
    assert waiting[0][4] == str(out["longest_waiting"][0]["waiting_working_days"])
