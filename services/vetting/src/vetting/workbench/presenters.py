"""Words and dates as vetting officers read them, the queue's badges, and which decision forms a
case or clearance page offers.

The forms offered follow the rules the service layer enforces (state and role): showing only
what may be done keeps the page short, while the server still refuses anything else. The
decision forms are views of their own (decision_views.py): a link is built only once the
endpoint exists, so this page never points at nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import current_app, url_for

from shared.clearance import clearance_label, dbs_certificate_label
from shared.frontdoor.words import as_moment, date_time_words, date_words
from vetting.domain.actors import MANAGER_ROLE
from vetting.domain.identity import IdentityStatus
from vetting.domain.lifecycles.case import CLOSED, DECIDABLE, INTERRUPTIBLE, CaseState
from vetting.domain.lifecycles.check import CheckState
from vetting.domain.lifecycles.clearance import LIVE, ClearanceState
from vetting.domain.risk import EXCLUDE
from vetting.service_layer.queue_flags import Flags
from vetting.workbench.blueprint import bp

# (label, GOV.UK tag colour) per case state.
CASE_TAGS = {
    CaseState.OPEN: ("Checks running", "blue"),
    CaseState.AWAITING_DECISION: ("Awaiting decision", "light-blue"),
    CaseState.INFO_REQUESTED: ("Information requested", "yellow"),
    CaseState.REFUSAL_PENDING: ("Refusal proposed", "purple"),
    CaseState.CLEARANCE_PENDING: ("Clearance proposed", "purple"),
    CaseState.RECONSIDERATION: ("Reconsideration", "orange"),
    CaseState.REVIEW: ("Review", "orange"),
    CaseState.CLEARED: ("Cleared", "green"),
    CaseState.REFUSED: ("Refused", "red"),
    CaseState.WITHDRAWN: ("Withdrawn", "grey"),
}
CHECK_TAGS = {
    CheckState.PENDING: ("Pending", "grey"),
    CheckState.IN_PROGRESS: ("In progress", "blue"),
    CheckState.ERROR: ("Provider error", "orange"),
    CheckState.FAILED: ("Failed", "red"),
    CheckState.PASSED: ("Passed", "green"),
    CheckState.ADVERSE: ("Adverse", "red"),
}
CLEARANCE_TAGS = {
    ClearanceState.ACTIVE: ("Active", "green"),
    ClearanceState.SUSPENDED: ("Suspended", "orange"),
    ClearanceState.REVOKED: ("Revoked", "red"),
    ClearanceState.EXPIRED: ("Expired", "grey"),
    ClearanceState.SUPERSEDED: ("Superseded", "grey"),
}
RECOMMENDATION_TAGS = {
    "CLEAR": ("Clear", "green"),
    "CLEAR_WITH_CONDITIONS": ("Clear with conditions", "yellow"),
    "REFER": ("Refer to an officer", "orange"),
    "REFUSE": ("Refuse", "red"),
}
CHECK_NAMES = {
    "IDENTITY": "Identity",
    "ADDRESS_HISTORY": "Address history",
    "CRIMINAL_RECORD": "Criminal record (PNC)",
    "DBS": "DBS certificate",
    "REFERENCES": "References",
    "OFFENDER_CONNECTIONS": "Connections with offenders",
    "CTC": "Counter-terrorist check",
}
PARTIES = {
    "OFFICER": "Officer",
    "MANAGER": "Manager",
    "APPLICANT": "Applicant",
    "PROVIDER": "Check providers",
}

# The decision forms (decision_views.py), each a GET page at .../<action>.
DECISION_ENDPOINTS = (
    "workbench.clear",
    "workbench.propose_refusal",
    "workbench.countersign_refusal",
    "workbench.countersign_clearance",
    "workbench.request_information",
    "workbench.record_answer",
    "workbench.record_check_result",
    "workbench.retry_check",
    "workbench.link_identity",
    "workbench.separate_identity",
    "workbench.review",
    "workbench.acknowledge_history",
    "workbench.suspend",
    "workbench.reinstate",
    "workbench.revoke",
)


def label(value: str | None) -> str:
    """AWAITING_DECISION -> "Awaiting decision"."""
    if not value:
        return "—"
    words = str(value).replace("_", " ").strip()
    return words[:1].upper() + words[1:].lower()


def condition(code: str) -> str:
    """A clearance condition in words: "Escorted only", "Not at WWI"."""
    return f"Not at {code.removeprefix(EXCLUDE)}" if code.startswith(EXCLUDE) else label(code)


def conditions(codes: list[str] | None) -> str:
    return ", ".join(condition(code) for code in codes or ()) or "None"


def duration(seconds: float | None) -> str:
    """How long, in the largest whole unit: "3 days", "5 hours", "under a minute"."""
    if seconds is None:
        return "—"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        count = int(seconds // size)
        if count:
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return "under a minute"


def waiting_for(item: Mapping[str, Any], moment: datetime) -> str | None:
    """How long the case has waited on its party, or None when it waits on nobody."""
    since = as_moment(item.get("waiting_since"))
    if not item.get("waiting_on") or not isinstance(since, datetime):
        return None
    text = duration((moment - since).total_seconds())
    working = item.get("waiting_working_days")
    return f"{text} ({working_days(working)})" if working else text


def working_days(count: int | None) -> str:
    if count is None:
        return "—"
    return f"{count} working day{'' if count == 1 else 's'}"


def days(seconds: float | None) -> int:
    return int((seconds or 0) // 86400)


def person_name(name: Mapping[str, Any] | None) -> str:
    if not name:
        return "—"
    return " ".join(str(name[part]) for part in ("forenames", "surname") if name.get(part))


def tag(tags: Mapping[Any, tuple[str, str]], value: str | None) -> dict[str, str]:
    """govukTag's parameters for a state."""
    text, colour = tags.get(value or "", (label(value), "grey"))
    return {"text": text, "classes": f"govuk-tag--{colour}"}


def badges(item: Mapping[str, Any], flags: Flags | None) -> list[dict[str, str]]:
    """What needs noticing on a queue row, as govukTag parameters."""
    found: list[tuple[str, str]] = []
    if item.get("identity_status") == IdentityStatus.POSSIBLE_MATCH:
        found.append(("Possible identity match", "orange"))
    if flags and flags.information_overdue:
        found.append(("Information overdue", "red"))
    if flags and flags.checks_failing:
        found.append(("Checks in error", "red"))
    if item.get("status") == CaseState.REFUSAL_PENDING:
        found.append(("Refusal awaiting countersignature", "purple"))
    if item.get("status") == CaseState.CLEARANCE_PENDING:
        found.append(("Clearance awaiting countersignature", "purple"))
    if item.get("waiting_reason") == "HISTORY":
        found.append(("History to acknowledge", "yellow"))
    return [{"text": text, "classes": f"govuk-tag--{colour}"} for text, colour in found]


def action_url(endpoint: str, **values: Any) -> str | None:
    """The form's address, or None while the form does not exist (or needs values not given)."""
    if endpoint not in current_app.view_functions:
        return None
    arguments: frozenset[str] = next(
        (
            frozenset(rule.arguments)
            for rule in current_app.url_map.iter_rules()
            if rule.endpoint == endpoint
        ),
        frozenset(),
    )
    if not arguments <= values.keys():
        return None
    return url_for(endpoint, **{name: values[name] for name in arguments})


def _links(offers: list[tuple[bool, str, str]], **values: Any) -> list[dict[str, str]]:
    return [
        {"text": text, "href": href}
        for allowed, endpoint, text in offers
        if allowed and (href := action_url(endpoint, **values))
    ]


def _proposed_by(case: Mapping[str, Any], part: str) -> str | None:
    return (case.get(part) or {}).get("proposed_by")


def case_actions(
    case: Mapping[str, Any], roles: tuple[str, ...], subject: str
) -> list[dict[str, str]]:
    """The case's decision forms this member of staff may use now (a proposer is never offered
    the countersignature of their own proposal: the use case would refuse it)."""
    status = case["status"]
    manager = MANAGER_ROLE in roles
    possible_match = case.get("identity_status") == IdentityStatus.POSSIBLE_MATCH
    reconsidering = status == CaseState.RECONSIDERATION
    history = case.get("history") or []
    acknowledged = set((case.get("history_acknowledged") or {}).get("keys") or ())
    unacknowledged = any(f"{flag['kind']}:{flag['ref']}" not in acknowledged for flag in history)
    return _links(
        [
            (status in DECIDABLE and not possible_match, "workbench.clear", "Clear"),
            (
                status in DECIDABLE,
                "workbench.propose_refusal",
                "Uphold the refusal" if reconsidering else "Propose a refusal",
            ),
            (
                manager
                and status == CaseState.CLEARANCE_PENDING
                and _proposed_by(case, "override") != subject,
                "workbench.countersign_clearance",
                "Countersign the clearance",
            ),
            (
                manager
                and status == CaseState.REFUSAL_PENDING
                and _proposed_by(case, "refusal") != subject,
                "workbench.countersign_refusal",
                "Countersign the refusal",
            ),
            (
                status in (*INTERRUPTIBLE, CaseState.INFO_REQUESTED),
                "workbench.request_information",
                "Ask for information",
            ),
            (possible_match, "workbench.link_identity", "Link to the person"),
            (possible_match, "workbench.separate_identity", "Separate from the person"),
            (status == CaseState.REVIEW, "workbench.review", "Complete the review"),
            (
                manager and unacknowledged and status != CaseState.WITHDRAWN,
                "workbench.acknowledge_history",
                "Acknowledge the history",
            ),
        ],
        case_id=case["id"],
    )


def check_actions(case: Mapping[str, Any], check: Mapping[str, Any]) -> list[dict[str, str]]:
    """A failing check: retry it, or record its result by hand (also a manual check's)."""
    status = check["status"]
    by_hand = status == CheckState.FAILED or (
        check.get("provider") == "manual" and status not in (CheckState.PASSED, CheckState.ADVERSE)
    )
    return _links(
        [
            (status in (CheckState.ERROR, CheckState.FAILED), "workbench.retry_check", "Retry"),
            (by_hand, "workbench.record_check_result", "Record the result"),
        ],
        case_id=case["id"],
        check=check["name"],
    )


def answer_action(case: Mapping[str, Any], request: Mapping[str, Any]) -> list[dict[str, str]]:
    """A sensitive request the volunteer answers to vetting directly: an officer records it."""
    return _links(
        [
            (
                bool(request.get("sensitive")) and not request.get("answered_at"),
                "workbench.record_answer",
                "Record the answer",
            )
        ],
        case_id=case["id"],
        request_id=request["id"],
    )


def clearance_actions(clearance: Mapping[str, Any], roles: tuple[str, ...]) -> list[dict[str, str]]:
    status = clearance["status"]
    return _links(
        [
            (status == ClearanceState.ACTIVE, "workbench.suspend", "Suspend"),
            (status == ClearanceState.SUSPENDED, "workbench.reinstate", "Reinstate"),
            (MANAGER_ROLE in roles and status in LIVE, "workbench.revoke", "Revoke"),
        ],
        clearance_id=clearance["id"],
    )


# The filters and names every workbench template uses: registered once, as the module loads.
for _name, _function in (
    ("london_date", date_words),
    ("london_datetime", date_time_words),
    ("duration", duration),
    ("days", days),
    ("label", label),
    ("clearance_level", clearance_label),
    ("dbs_certificate", dbs_certificate_label),
    ("conditions", conditions),
    ("person_name", person_name),
    ("working_days", working_days),
):
    bp.add_app_template_filter(_function, _name)


@bp.context_processor
def _names() -> dict[str, Any]:
    return {
        "case_tag": lambda value: tag(CASE_TAGS, value),
        "check_tag": lambda value: tag(CHECK_TAGS, value),
        "clearance_tag": lambda value: tag(CLEARANCE_TAGS, value),
        "recommendation_tag": lambda value: tag(RECOMMENDATION_TAGS, value),
        "parties": PARTIES,
        "check_names": CHECK_NAMES,
        "closed_states": CLOSED,
    }
