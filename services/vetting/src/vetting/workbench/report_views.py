"""Service levels: how many cases are in each state and at each level, how old they are and
whom they wait on, in working days (England and Wales), the cases waiting longest, and two
charts with their figures beside them in tables; the same report as a CSV file."""

from __future__ import annotations

from flask import Response, render_template
from markupsafe import Markup

from shared.frontdoor.guard import csp_nonce
from vetting.adapters import charts
from vetting.adapters.report_csv import report_csv
from vetting.domain.service_levels import PARTIES
from vetting.service_layer import queries
from vetting.workbench.blueprint import bp, now, platform

CSV = "text/csv"


@bp.get("/reports/cases")
def report():
    with platform().session_factory() as session:
        figures = queries.cases_report(session, now(), None)
    return render_template(
        "workbench/report.html",
        report=figures,
        report_parties=sorted(PARTIES),
        # SVG drawn on the server from the figures alone (codes and counts, no one's words):
        # no script; its inline style runs by the page's nonce.
        weekly_chart=Markup(charts.weekly_chart(figures, nonce=csp_nonce())),
        age_chart=Markup(charts.age_chart(figures, nonce=csp_nonce())),
    )


@bp.get("/reports/cases.csv", endpoint="report_csv")
def report_csv_file():
    moment = now()
    with platform().session_factory() as session:
        figures = queries.cases_report(session, moment, None)
    name = f"vetting-service-levels-{moment.date().isoformat()}.csv"
    return Response(
        report_csv(figures),
        mimetype=CSV,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
