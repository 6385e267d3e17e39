"""Fair to people with records, as real processes on PostgreSQL + RabbitMQ with the simulated
providers: a protected caution the volunteer left out (the PNC finds it, the DBS certificate
does not show it) is not referred for honesty; an unprotected conviction left out, found by both
the PNC search and the DBS certificate, is referred once, naming both checks."""

from __future__ import annotations

import uuid
from typing import Any

from tests.support.stack_world import apply, case_of, people_of, person, stack_modes

stack_mode = stack_modes("real")


def undeclared(case: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in case["risk"]["factors"] if f["code"] == "UNDECLARED_RECORD"]


def found_by(case: dict[str, Any], check: str) -> list[dict[str, Any]]:
    (result,) = [c for c in case["checks_detail"] if c["name"] == check]
    return list((result.get("result") or {}).get("records") or [])


def decidable(case: dict[str, Any]) -> bool:
    return case["status"] == "AWAITING_DECISION"


def test_a_protected_caution_left_out_is_not_referred_for_honesty(module_stack):
    w = people_of(module_stack)
    tag = uuid.uuid4().hex[:8]
    body = person(
        f"Caution-{tag}",
        passport=f"FC{tag}",
        email=f"pat-{tag}+sim-protected-caution@example.org",
    )
    case = case_of(w, apply(w, "a", body), decidable)
    cautions = [r for r in found_by(case, "CRIMINAL_RECORD") if r["kind"] == "CAUTION"]
    assert len(cautions) == 1  # the PNC found it; the applicant did not declare it
    assert not any(r["kind"] == "CAUTION" for r in found_by(case, "DBS"))  # filtered
    assert undeclared(case) == []
    assert "undeclared" not in case["risk"]["rationale"]


def test_an_unprotected_conviction_left_out_is_referred_once(module_stack):
    w = people_of(module_stack)
    tag = uuid.uuid4().hex[:8]
    body = person(
        f"Conviction-{tag}", passport=f"FD{tag}", email=f"sam-{tag}+sim-undeclared@example.org"
    )
    case = case_of(w, apply(w, "a", body), decidable)
    assert case["risk"]["recommendation"] == "REFER"
    (factor,) = undeclared(case)
    assert "from CRIMINAL_RECORD and DBS" in factor["evidence"]
    assert "1 undeclared record" in case["risk"]["rationale"]
    assert "undeclared records" not in case["risk"]["rationale"]
