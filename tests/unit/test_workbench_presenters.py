"""The workbench's words and links: London dates, durations, the queue's badges, and decision
forms offered only where the state and the role allow and the form exists."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask

from shared.frontdoor.words import date_time_words, date_words
from vetting.service_layer.queue_flags import Flags
from vetting.workbench import presenters

CASE = {
    "id": "c1",
    "status": "AWAITING_DECISION",
    "identity_status": "RESOLVED",
    "history": None,
    "history_acknowledged": None,
}


def app_with(*endpoints: str) -> Flask:
    """An app with these workbench endpoints (their rules as the decision forms have them)."""
    app = Flask(__name__)
    paths = {
        "workbench.clear": "/workbench/cases/<case_id>/clear",
        "workbench.propose_refusal": "/workbench/cases/<case_id>/refusal",
        "workbench.countersign_refusal": "/workbench/cases/<case_id>/refusal/countersignature",
        "workbench.request_information": "/workbench/cases/<case_id>/information-requests",
        "workbench.retry_check": "/workbench/cases/<case_id>/checks/<check>/retry",
        "workbench.revoke": "/workbench/clearances/<clearance_id>/revoke",
        "workbench.suspend": "/workbench/clearances/<clearance_id>/suspend",
    }
    for endpoint in endpoints:
        app.add_url_rule(paths[endpoint], endpoint, lambda **_: "")
    return app


def test_dates_are_london_dates_and_durations_the_largest_unit():
    summer = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)  # 00:30 on 1 July in London
    assert date_words(summer) == "1 July 2026"
    assert date_time_words(summer) == "1 July 2026 at 00:30"
    assert date_words("2026-12-03") == "3 December 2026"
    assert date_words(None) == "—"
    assert presenters.duration(59) == "under a minute"
    assert presenters.duration(3 * 86400 + 7200) == "3 days"
    assert presenters.duration(3600) == "1 hour"
    assert presenters.days(86399) == 0 and presenters.days(86400 * 12.5) == 12
    assert presenters.label("AWAITING_DECISION") == "Awaiting decision"


def test_the_queue_badges_say_what_needs_attention():
    texts = [
        badge["text"]
        for badge in presenters.badges(
            {**CASE, "identity_status": "POSSIBLE_MATCH", "status": "REFUSAL_PENDING"},
            Flags(information_overdue=True, checks_failing=2),
        )
    ]
    assert texts == [
        "Possible identity match",
        "Information overdue",
        "Checks in error",
        "Refusal awaiting countersignature",
    ]
    assert presenters.badges(CASE, None) == []


def test_decision_forms_are_offered_by_state_and_role_once_they_exist():
    with app_with().test_request_context():
        assert presenters.case_actions(CASE, ("vetting_manager",), "m1") == []  # no form yet
    app = app_with(
        "workbench.clear",
        "workbench.propose_refusal",
        "workbench.countersign_refusal",
        "workbench.request_information",
        "workbench.retry_check",
        "workbench.revoke",
        "workbench.suspend",
    )
    with app.test_request_context():
        officer = [a["text"] for a in presenters.case_actions(CASE, ("vetting_officer",), "o1")]
        assert officer == ["Clear", "Propose a refusal", "Ask for information"]
        match = {**CASE, "identity_status": "POSSIBLE_MATCH"}
        assert "Clear" not in [a["text"] for a in presenters.case_actions(match, (), "o1")]
        pending = {**CASE, "status": "REFUSAL_PENDING"}
        assert presenters.case_actions(pending, ("vetting_officer",), "o1") == []
        pending["refusal"] = {"proposed_by": "m1", "reasons": ["r"]}
        [countersign] = presenters.case_actions(pending, ("vetting_manager",), "m2")
        assert countersign == {
            "text": "Countersign the refusal",
            "href": "/workbench/cases/c1/refusal/countersignature",
        }
        # The manager who proposed it is not offered their own countersignature.
        assert presenters.case_actions(pending, ("vetting_manager",), "m1") == []
        failed = {"name": "DBS", "status": "FAILED", "provider": "simulated"}
        assert presenters.check_actions(CASE, failed) == [
            {"text": "Retry", "href": "/workbench/cases/c1/checks/DBS/retry"}
        ]
        active = {"id": "k1", "status": "ACTIVE"}
        assert [a["text"] for a in presenters.clearance_actions(active, ("vetting_officer",))] == [
            "Suspend"
        ]
        assert [a["text"] for a in presenters.clearance_actions(active, ("vetting_manager",))] == [
            "Suspend",
            "Revoke",
        ]


def test_conditions_read_as_words():
    assert presenters.conditions(["ESCORTED_ONLY", "EXCLUDE_ESTABLISHMENT:WWI"]) == (
        "Escorted only, Not at WWI"
    )
    assert presenters.conditions([]) == "None"
