"""The workbench's service-levels page: counts by state and level, ages and waits in working
days, the cases waiting longest linking to their pages, two charts drawn on the server (SVG
images named for a screen reader, no script, their style allowed by the page's nonce) each
with its figures in a table, and the same report as a CSV file."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest

from tests.support.workbench_harness import Workbench


@pytest.fixture
def workbench(embedded: dict[str, dict[str, str]]) -> Iterator[Workbench]:
    harness = Workbench(embedded["vetting"])
    yield harness
    harness.platform.engine.dispose()


def test_the_page_shows_the_figures_the_charts_and_the_cases_waiting_longest(workbench):
    waiting = workbench.awaiting_decision()
    workbench.age(waiting["id"], 30)
    workbench.cleared()
    page = workbench.signed_in("officer").get("/workbench/reports/cases")

    assert page.status_code == 200
    html = page.text
    assert "<title>Service levels \u2013 Vetting workbench \u2013 GOV.UK</title>" in html
    assert re.search(r"2 cases, 1 open", html)
    # Each state and level a row of the tables, the figures in working days.
    for shown in ("Awaiting decision", "Cleared", "Level 2 (escorted)", "Waiting on officer"):
        assert shown in html, shown
    # The case waiting longest links to its page.
    assert f'href="/workbench/cases/{waiting["id"]}"' in html
    # Two charts: images with a title and a description, no script; their inline style runs
    # by this response's nonce, which the page's policy names.
    charts = re.findall(r'<svg[^>]*aria-describedby="chart-[^"]+"[^>]*>.*?</svg>', html, re.S)
    assert len(charts) == 2
    assert all('role="img"' in chart and "<script" not in chart for chart in charts)
    nonce = re.search(r"'nonce-([^']+)'", page.headers["Content-Security-Policy"]).group(1)
    assert len(re.findall(f'<style[^>]* nonce="{re.escape(nonce)}"', html)) == 2
    assert "Cases opened and decided each week" in html
    assert "Open cases by age in working days" in html
    # ... and their figures in tables.
    assert "Week beginning" in html and "Age (working days)" in html
    assert 'href="/workbench/reports/cases.csv"' in html


def test_the_csv_file_holds_the_same_report(workbench):
    workbench.awaiting_decision()
    response = workbench.signed_in("manager").get("/workbench/reports/cases.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="vetting-service-levels-'
    )
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["Service levels of vetting cases"]
    titles = {row[0] for row in rows if len(row) == 1}
    assert {"By level", "By state", "Waiting longest", "Weekly intake and decisions"} <= titles


def test_staff_of_another_service_never_see_it(workbench):
    client, response = workbench.login("security")
    assert response.status_code in (200, 403)  # refused at sign-in
    for path in ("/workbench/reports/cases", "/workbench/reports/cases.csv"):
        assert client.get(path).status_code == 302  # to sign in: no session was made
