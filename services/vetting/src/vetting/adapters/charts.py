"""The service-level report's charts as SVG, drawn on the server with pygal: bars of weekly
intake against decisions, and the open cases by age in working days.

Made to be put inline in a page, under its content security policy: no script (pygal's own
config script is taken out too, so nothing in the SVG runs and nothing is blocked), no
generator comments, a stable id instead of pygal's random one. Accessible: the SVG is an image
(role="img") named by its <title> and described by a <desc> listing the figures in words; the
page shows the same figures as a table beside it. pygal's inline <style> carries the page's
CSP nonce when one is given (a style-src without 'unsafe-inline' would refuse it otherwise).
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

import pygal
from pygal.style import Style

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG)
ET.register_namespace("xlink", XLINK)

# GOV.UK Frontend's palette and type, so the charts sit in the workbench's pages.
GOVUK_STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#0b0c0c",
    foreground_strong="#0b0c0c",
    foreground_subtle="#505a5f",
    colors=("#1d70b8", "#f47738", "#00703c", "#d4351c", "#4c2c92"),
    font_family='"GDS Transport", arial, sans-serif',
    title_font_size=19,
    legend_font_size=16,
    label_font_size=14,
    major_label_font_size=14,
)


def _bar(title: str, x_title: str, y_title: str) -> pygal.Bar:
    return pygal.Bar(
        js=[],  # nothing to load: the SVG needs no JavaScript
        disable_xml_declaration=True,
        style=GOVUK_STYLE,
        title=title,
        x_title=x_title,
        y_title=y_title,
        legend_at_bottom=True,
        x_label_rotation=30,
        print_values=False,
        min_scale=4,
        max_scale=10,
        width=800,
        height=450,
        truncate_label=-1,
    )


def _count_ticks(highest: int) -> list[int]:
    """Whole numbers for an axis of counts (pygal would mark 0.4, 0.8 ... for a few cases)."""
    step = max(1, math.ceil(highest / 8))
    return list(range(0, max(highest, 1) + step, step))


def _tidy(svg: str, chart_id: str, title: str, description: str, nonce: str | None) -> str:
    """The rendered chart made deterministic, script-free and accessible (see the module)."""
    found = re.search(r'id="chart-([0-9a-f-]+)"', svg)
    if found:
        svg = svg.replace(found.group(1), chart_id)
    root = ET.fromstring(svg)  # the parser drops pygal's comments (one carries today's date)
    for parent in root.iter():
        for child in list(parent):
            if child.tag == f"{{{SVG}}}script":
                parent.remove(child)
            elif child.tag == f"{{{SVG}}}style" and nonce:
                child.set("nonce", nonce)
    for old in root.findall(f"{{{SVG}}}title"):
        root.remove(old)
    title_element = ET.Element(f"{{{SVG}}}title", {"id": f"chart-{chart_id}-title"})
    title_element.text = title
    desc_element = ET.Element(f"{{{SVG}}}desc", {"id": f"chart-{chart_id}-desc"})
    desc_element.text = description
    root.insert(0, desc_element)
    root.insert(0, title_element)
    root.set("role", "img")
    root.set("aria-labelledby", f"chart-{chart_id}-title")
    root.set("aria-describedby", f"chart-{chart_id}-desc")
    return ET.tostring(root, encoding="unicode")


def _render(chart: pygal.Bar) -> str:
    return str(chart.render(is_unicode=True))


def weekly_chart(report: Mapping[str, Any], *, nonce: str | None = None) -> str:
    """Cases opened against cases decided (cleared or refused), per ISO week, as SVG."""
    weeks: Sequence[Mapping[str, Any]] = report.get("weekly", [])
    title = "Cases opened and decided each week"
    chart = _bar(title, "Week (starting Monday)", "Cases")
    chart.x_labels = [week["starts"] for week in weeks]
    chart.add("Opened", [week["opened"] for week in weeks])
    chart.add("Decided", [week["decided"] for week in weeks])
    chart.y_labels = _count_ticks(max((max(w["opened"], w["decided"]) for w in weeks), default=0))
    description = "; ".join(
        f"week starting {w['starts']}: {w['opened']} opened, {w['decided']} decided" for w in weeks
    )
    return _tidy(_render(chart), "weekly", title, description or "No weeks.", nonce)


def age_chart(report: Mapping[str, Any], *, nonce: str | None = None) -> str:
    """Open cases by age in working days (0-5, 6-10, 11-20, 21-40, 41+), as SVG."""
    buckets: Sequence[Mapping[str, Any]] = report.get("age_distribution", [])
    title = "Open cases by age in working days"
    chart = _bar(title, "Age (working days)", "Open cases")
    chart.x_labels = [bucket["bucket"] for bucket in buckets]
    chart.add("Open cases", [bucket["count"] for bucket in buckets])
    chart.y_labels = _count_ticks(max((bucket["count"] for bucket in buckets), default=0))
    description = "; ".join(f"{b['bucket']} working days: {b['count']} open cases" for b in buckets)
    return _tidy(_render(chart), "age", title, description or "No open cases.", nonce)
