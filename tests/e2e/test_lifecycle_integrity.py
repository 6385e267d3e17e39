"""Decisions that stick, across the services, as real processes on both run modes: each
scenario uses people of its own on one stack per run mode (the module's), so a scenario costs
API calls, not a stack."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from shared.devstack import Stack
from tests.support import wait_for
from tests.support.stack_client import post
from tests.support.stack_world import (
    admitted_at_wandsworth,
    application,
    apply,
    case_of,
    clearance_status,
    cleared,
    end_sponsorship,
    gate,
    grant_status,
    people_of,
    person,
    settled,
)


@pytest.fixture(scope="module", params=["embedded", "real"])
def stack_mode(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def world(module_stack: tuple[Stack, Any]) -> dict[str, Any]:
    return people_of(module_stack)


def test_a_suspension_is_not_undone_by_another_organisation_resubmitting(world):
    """A manager's acknowledgement of the history is not enough either: while the person's
    clearance is suspended no new clearance is issued, so the suspended grant stays so."""
    w, tag = world, uuid.uuid4().hex[:6]
    body = person(f"Suspended-{tag}", passport=f"SUS{tag}")
    _a_app, clearance = cleared(w, "a", body)
    badge = f"WWI-S{tag}"
    grant_id = admitted_at_wandsworth(w, clearance["person_id"], badge)
    wait_for(lambda: gate(w, badge)["allowed"] is True, message="admitted")
    post(w["stack"], "vetting", f"/clearances/{clearance['id']}/suspension", w["officer"],
         {"reason": "Police intelligence received."})
    wait_for(lambda: gate(w, badge)["allowed"] is False, message="the gate follows")

    b_app = apply(w, "b", body)
    case = case_of(w, b_app, settled)
    assert case["status"] == "AWAITING_DECISION" and case["clearance_id"] is None
    assert [flag["kind"] for flag in case["history"]] == ["CLEARANCE_SUSPENDED"]
    clear = f"/cases/{case['id']}/clearance"
    post(w["stack"], "vetting", clear, w["officer"], {"reason": "Fine."}, expect=(409,))
    post(w["stack"], "vetting", f"/cases/{case['id']}/history/acknowledgement", w["manager"],
         {"reason": "Seen the suspension."})
    post(w["stack"], "vetting", clear, w["officer"], {"reason": "Fine."}, expect=(409,))

    assert gate(w, badge)["allowed"] is False
    assert clearance_status(w, clearance["id"]) == "SUSPENDED"
    assert grant_status(w, grant_id) == "SUSPENDED"
    assert application(w, "b", b_app)["status"] != "CLEARED"


def test_an_organisation_ends_its_sponsorship_of_a_cleared_volunteer(world):
    """The organisation that dismissed its volunteer says so after clearance; another
    organisation cannot say it for them."""
    w, tag = world, uuid.uuid4().hex[:6]
    app_id, clearance = cleared(w, "a", person(f"Dismissed-{tag}", passport=f"END{tag}"))
    badge = f"WWI-E{tag}"
    admitted_at_wandsworth(w, clearance["person_id"], badge)
    wait_for(lambda: gate(w, badge)["allowed"] is True, message="admitted")
    end_sponsorship(w, "b", app_id, expect=(404,))
    ended = end_sponsorship(w, "a", app_id, "CONDUCT")
    assert ended["status"] == "SPONSORSHIP_ENDED"
    assert ended["timeline"][-1]["kind"] == "sponsorship_ended"
    end_sponsorship(w, "a", app_id, expect=(409,))
    assert application(w, "a", app_id)["status"] == "SPONSORSHIP_ENDED"
