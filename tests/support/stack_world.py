"""A whole stack's people and moves for end-to-end scenarios: who acts (two organisations, an
officer, a manager, Wandsworth's security, the data protection officer) and the steps every
scenario takes (apply, find the case, clear, admit at Wandsworth, ask the gate)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from devstack.stack import Stack
from tests.support import wait_for
from tests.support.stack_client import (
    application_body,
    get,
    organisation_key,
    post,
    staff_token,
)


def people_of(module_stack: tuple[Stack, Any]) -> dict[str, Any]:
    """One stack for the module's scenarios (each uses people of its own), on each run mode,
    and who acts on it."""
    stack, _inbox = module_stack
    return {
        "stack": stack,
        "a": organisation_key(stack, "Intergroup A"),
        "b": organisation_key(stack, "Recovery B"),
        "officer": staff_token(stack, "vetting", "vetting_officer", staff_id="ann"),
        "manager": staff_token(stack, "vetting", "vetting_manager", staff_id="cat"),
        "security": staff_token(stack, "access", "security_officer", "WWI"),
        "head": staff_token(stack, "access", "head_of_security", "WWI", staff_id="hos"),
        "dpo": staff_token(stack, "applications", "data_protection_officer"),
    }


def person(
    surname: str, *, passport: str, email: str | None = None, **applicant: Any
) -> dict[str, Any]:
    body = copy.deepcopy(application_body(email))
    body["applicant"]["surname"] = surname
    body["applicant"]["identity_documents"][0]["number"] = passport
    body["applicant"].update(applicant)
    return body


def apply(w: dict[str, Any], org: str, body: dict[str, Any]) -> str:
    stack = w["stack"]
    draft = post(stack, "applications", "/applications", w[org], body, expect=(201,))
    post(stack, "applications", f"/applications/{draft['id']}/submit", w[org])
    return draft["id"]


def case_of(
    w: dict[str, Any],
    application_id: str,
    ready: Callable[[dict[str, Any]], bool] = lambda case: True,
) -> dict[str, Any]:
    def found() -> dict[str, Any] | None:
        items = get(
            w["stack"], "vetting", f"/cases?application_id={application_id}", w["officer"]
        ).json()["items"]
        if not items or not ready(items[0]):
            return None
        return get(w["stack"], "vetting", f"/cases/{items[0]['id']}", w["officer"]).json()

    return wait_for(found, timeout=60, message=f"the case of {application_id}")


def application(w: dict[str, Any], org: str, application_id: str) -> dict[str, Any]:
    return get(w["stack"], "applications", f"/applications/{application_id}", w[org]).json()


def settled(case: dict[str, Any]) -> bool:
    return case["status"] not in ("OPEN",) and case["waiting_on"] != "PROVIDER"


def cleared(w: dict[str, Any], org: str, body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    app_id = apply(w, org, body)
    case = case_of(w, app_id, lambda c: c["status"] == "AWAITING_DECISION")
    clearance = post(
        w["stack"],
        "vetting",
        f"/cases/{case['id']}/clearance",
        w["officer"],
        {"reason": "All checks passed."},
        expect=(201,),
    )
    wait_for(lambda: application(w, org, app_id)["status"] == "CLEARED", message="cleared")
    return app_id, clearance


def admitted_at_wandsworth(w: dict[str, Any], person_id: str, badge: str) -> str:
    stack, security = w["stack"], w["security"]

    def request() -> dict[str, Any] | None:
        items = get(stack, "access", "/establishments/WWI/queue", security).json()["items"]
        return next((g for g in items if g["person_id"] == person_id), None)

    grant_id = wait_for(request, message="the request at WWI")["id"]
    post(stack, "access", f"/grants/{grant_id}/approval", security, {"access_type": "ESCORTED"})
    post(stack, "access", f"/grants/{grant_id}/induction", security, {"item": "SECURITY_BRIEFING"})
    post(
        stack,
        "access",
        f"/grants/{grant_id}/induction",
        security,
        {"item": "ID_BADGE", "badge_number": badge},
    )
    return grant_id


def gate(w: dict[str, Any], badge: str) -> dict[str, Any]:
    return get(
        w["stack"], "access", f"/establishments/WWI/gate-check?badge={badge}", w["security"]
    ).json()


def clearance_status(w: dict[str, Any], clearance_id: str) -> str:
    return get(w["stack"], "vetting", f"/clearances/{clearance_id}", w["officer"]).json()["status"]


def grant_status(w: dict[str, Any], grant_id: str) -> str:
    return get(w["stack"], "access", f"/grants/{grant_id}", w["security"]).json()["status"]


def report_change(w: dict[str, Any], org: str, application_id: str, change: dict[str, Any]) -> str:
    """The organisation reports a change of circumstances; the report's id."""
    return post(
        w["stack"],
        "applications",
        f"/applications/{application_id}/changes",
        w[org],
        change,
        expect=(201,),
    )["id"]


def change_report(
    w: dict[str, Any], org: str, application_id: str, report_id: str
) -> dict[str, Any] | None:
    """The report as its organisation sees it on the application (None: not there)."""
    reports = application(w, org, application_id).get("change_reports") or []
    return next((r for r in reports if r["id"] == report_id), None)


def served(w: dict[str, Any], org: str, body: dict[str, Any]) -> str:
    """Another application for a person already cleared: served by the clearance, or, where
    vetting flags the person's history, seen by a manager and then cleared by the officer."""
    app_id = apply(w, org, body)
    case = case_of(w, app_id, settled)
    if case["status"] != "CLEARED":
        if case.get("history"):
            post(
                w["stack"],
                "vetting",
                f"/cases/{case['id']}/history/acknowledgement",
                w["manager"],
                {"reason": "Seen: the prison's decision stands there."},
            )
        post(
            w["stack"],
            "vetting",
            f"/cases/{case['id']}/clearance",
            w["officer"],
            {"reason": "All checks passed."},
            expect=(201,),
        )
    wait_for(lambda: application(w, org, app_id)["status"] == "CLEARED", message="served")
    return app_id


def wandsworth_grants(w: dict[str, Any], person_id: str) -> list[dict[str, Any]]:
    """The person's grants at Wandsworth, as its security team sees them (history included)."""
    return get(w["stack"], "access", f"/people/{person_id}", w["security"]).json()["grants"]


def revoked_at_wandsworth(w: dict[str, Any], grant_id: str, reason: str) -> dict[str, Any]:
    return post(
        w["stack"], "access", f"/grants/{grant_id}/revocation", w["head"], {"reason": reason}
    )


def end_sponsorship(
    w: dict[str, Any],
    org: str,
    application_id: str,
    reason_code: str = "LEFT_ORGANISATION",
    expect: tuple[int, ...] = (200,),
) -> Any:
    return post(
        w["stack"],
        "applications",
        f"/applications/{application_id}/sponsorship-end",
        w[org],
        {"reason_code": reason_code},
        expect=expect,
    )


def stack_modes(*modes: str) -> Any:
    """The `stack_mode` fixture of a module of scenarios on the shared stacks (assign it to
    `stack_mode`): its test ids name the stack (`[stack-embedded]`), which is how the
    scheduler keeps each mode's scenarios on one worker (tests/conftest.py)."""

    @pytest.fixture(scope="module", params=modes, ids=lambda mode: f"stack-{mode}")
    def stack_mode(request: pytest.FixtureRequest) -> str:
        return request.param

    return stack_mode
