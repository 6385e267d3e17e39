"""The case page's convictions and cautions: each record the checks found (once, whichever
checks found it) beside the declaration that covers it, and whether it matched, in the words
the honesty rule uses (vetting.domain.records.compare)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from shared.offences import CATEGORY_WORDS
from vetting.domain.policy import Policy
from vetting.domain.records import Record, compare

RECORD_CHECKS = ("CRIMINAL_RECORD", "DBS")


def _date(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def _found(record: Record) -> dict[str, Any]:
    return {
        "offence": record.offence,
        "category": CATEGORY_WORDS.get(record.category or "", "Not known"),
        "date": record.day.isoformat(),
        "disposal": record.disposal,
        "kind": record.kind,
        "sources": list(record.sources),
    }


def _declared(item: Mapping[str, Any]) -> dict[str, Any]:
    spent = item.get("spent")
    return {
        "offence": item.get("offence"),
        "category": CATEGORY_WORDS.get(str(item.get("category")), "Not given"),
        "date": item.get("date"),
        "disposal": item.get("disposal"),
        "kind": item.get("kind"),
        "months": item.get("sentence_length_months"),
        "spent": "Spent" if spent is True else "Not spent" if spent is False else "Spent: not said",
    }


def record_rows(case: Mapping[str, Any], policy: Policy, today: date) -> list[dict[str, Any]]:
    """One row per record found (oldest first), then the declarations no check found. Each:
    found, declared (either may be None), status (plain words) and colour (a tag's)."""
    details = (case.get("applicant") or {}).get("details") or {}
    declarations = list((details.get("declarations") or {}).get("convictions") or ())
    found = [
        {**r, "source": check["name"]}
        for check in case["checks_detail"]
        if check["name"] in RECORD_CHECKS
        for r in (check.get("result") or {}).get("records") or ()
        if r.get("offence") and r.get("date")
    ]
    compared = compare(
        [{**d, "date": _date(d.get("date"))} for d in declarations],
        [{**r, "date": _date(r["date"])} for r in found],
        policy.risk.undeclared_match_window_days,
        _date((case.get("applicant") or {}).get("date_of_birth")),
        today,
    )
    rows = []
    for finding in compared.findings:
        if finding.declared_as is not None:
            status, colour = "Declared", "green"
        elif finding.protected is not None:
            status = f"Not declared, and need not be: protected ({finding.protected})"
            colour = "grey"
        else:
            status, colour = "Not declared", "red"
        declared = finding.declared_as
        rows.append(
            {
                "found": _found(finding.record),
                "declared": None if declared is None else _declared(declarations[declared]),
                "status": status,
                "colour": colour,
            }
        )
    for index in compared.not_found:
        rows.append(
            {
                "found": None,
                "declared": _declared(declarations[index]),
                "status": "Declared; not found by the checks",
                "colour": "blue",
            }
        )
    return rows
