"""One case in full, as an officer decides it: the applicant (each read audited, as the API
does), the request, every check, the risk summary, declarations beside what the checks found,
information requests, possible identity matches, the decision trail and the forms allowed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import render_template

from shared.audit import log as audit
from shared.audit.trail import record_read
from shared.frontdoor import signed_in
from shared.frontdoor.words import date_words
from vetting.service_layer import queries
from vetting.workbench import presenters
from vetting.workbench.blueprint import bp, now, platform

# The checks whose results list criminal records, and the one listing connections.
RECORD_CHECKS = ("CRIMINAL_RECORD", "DBS")
CONNECTIONS_CHECK = "OFFENDER_CONNECTIONS"
# The identity comparison's rows: (label, key in the applicant's and the candidate's record).
IDENTITY_ROWS = (
    ("Forenames", "forenames"),
    ("Middle names", "middle_names"),
    ("Surname", "surname"),
    ("Date of birth", "date_of_birth"),
    ("Place of birth", "place_of_birth"),
    ("Previous names", "previous_names"),
    ("Identity documents", "identity_documents"),
    ("National Insurance number ending", "national_insurance_number_ending"),
    ("Addresses", "addresses"),
)


@bp.get("/cases/<case_id>")
def case(case_id: str):
    who = signed_in()
    with platform().session_factory() as session:
        view = queries.case_view(session, case_id, now())
        trail = queries.audit_trail(session, "case", case_id)
        record_read(session, "case", case_id, {"view": "workbench"}, by=(who.subject, audit.STAFF))
    return render_template(
        "workbench/case.html",
        case=view,
        trail=trail,
        me=who.subject,
        actions=presenters.case_actions(view, who.roles, who.subject),
        check_actions={c["name"]: presenters.check_actions(view, c) for c in view["checks_detail"]},
        answer_actions={
            r["id"]: presenters.answer_action(view, r) for r in view["information_requests"]
        },
        declared=declared_and_found(view),
        identity_rows=IDENTITY_ROWS,
        identity_lines=identity_lines,
    )


def identity_lines(key: str, value: Any) -> list[str]:
    """One field of an identity record (the applicant's or a candidate's) as lines to show."""
    if value in (None, "", []):
        return ["—"] if not isinstance(value, list) else ["None"]
    if key == "date_of_birth":
        return [date_words(value)]
    if key == "place_of_birth":
        return [", ".join(str(v) for v in value.values() if v)]
    if key == "identity_documents":
        return [
            f"{presenters.label(d.get('type'))} ending {d.get('ending')}"
            + (f", expires {date_words(d['expiry'])}" if d.get("expiry") else "")
            for d in value
        ]
    if key == "addresses":
        return [
            f"{', '.join(str(a[k]) for k in ('town', 'postcode', 'country') if a.get(k))} "
            f"({date_words(a.get('from_date'))} to "
            f"{date_words(a['to_date']) if a.get('to_date') else 'now'})"
            for a in value
        ]
    if key == "previous_names":
        return [" ".join(str(n[k]) for k in ("forenames", "surname") if n.get(k)) for n in value]
    return [str(value)]


def declared_and_found(case: Mapping[str, Any]) -> dict[str, Any]:
    """What the applicant declared beside what the checks found: records and connections."""
    details = (case.get("applicant") or {}).get("details") or {}
    declarations = details.get("declarations") or {}
    found_records: list[dict[str, Any]] = []
    found_connections: list[dict[str, Any]] = []
    for check in case["checks_detail"]:
        result = check.get("result") or {}
        if check["name"] in RECORD_CHECKS:
            found_records += result.get("records") or []
        if check["name"] == CONNECTIONS_CHECK:
            found_connections += result.get("connections") or []
    return {
        "records": declarations.get("convictions") or [],
        "found_records": found_records,
        "on_licence": declarations.get("on_licence"),
        "release_date": declarations.get("release_date"),
        "connections": details.get("connections") or [],
        "found_connections": found_connections,
        "records_complete": all(
            check.get("result") is not None
            for check in case["checks_detail"]
            if check["name"] in RECORD_CHECKS
        ),
    }
