"""GET /reports/cases in working days and GET /reports/cases.csv, on embedded SQLite and real
PostgreSQL: the figures beside the seconds, the cases waiting longest, 12 weeks of intake and
decisions, the open cases' age buckets; the CSV as an attachment with the same figures."""

from __future__ import annotations

import csv
import io

from tests.support.vetting_harness import Vetting, cleared


def test_the_report_in_working_days(vetting: Vetting):
    # Waiting first: the sample applicant's clearance would serve a later case at once.
    waiting = vetting.submit()
    vetting.work()
    cleared(vetting)
    response = vetting.call("GET", "/reports/cases")
    assert response.status_code == 200, response.json
    report = response.json
    assert report["total"] == 2 and report["open"] == 1
    standard = next(iter(report["by_level"].values()))
    assert set(standard["age_working_days"]) == {"median", "p90"}
    assert set(standard["waiting_working_days"]) == {"APPLICANT", "MANAGER", "OFFICER", "PROVIDER"}
    # This week's, or last week's too when the run straddles a London Sunday midnight.
    recent = report["weekly"][-2:]
    assert len(report["weekly"]) == 12
    assert sum(w["opened"] for w in recent) == 2 and sum(w["decided"] for w in recent) == 1
    assert [b["bucket"] for b in report["age_distribution"]] == [
        "0-5",
        "6-10",
        "11-20",
        "21-40",
        "41+",
    ]
    assert sum(b["count"] for b in report["age_distribution"]) == 1
    longest = report["longest_waiting"]
    assert [item["case_id"] for item in longest] == [vetting.case(waiting)["id"]]
    assert longest[0]["waiting_working_days"] in (0, 1) and longest[0]["waiting_on"] == "OFFICER"
    assert report["working_days"]["bank_holidays"] == "england-and-wales"


def test_the_report_as_csv(vetting: Vetting):
    cleared(vetting)
    response = vetting.call("GET", "/reports/cases.csv?opened_since=2000-01-01T00:00:00Z")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="vetting-service-levels-')
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Service levels of vetting cases"] and rows[2][1:] == ["1", "0"]
    assert ["By level"] in rows and ["Weekly intake and decisions"] in rows
    assert vetting.call("GET", "/reports/cases.csv", who="security").status_code == 403
    assert vetting.call("GET", "/reports/cases.csv", who=None).status_code == 401
    bad = vetting.call("GET", "/reports/cases.csv?opened_since=yesterday")
    assert bad.status_code == 422
