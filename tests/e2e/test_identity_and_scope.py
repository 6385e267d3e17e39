"""One person, one record, as real processes on both run modes: an impostor with a stolen name
and birthday is a possible match, never a clearance, and learns nothing of the real person;
twins are two people; the same passport renewing is the same person; a married name is offered
to an officer; an organisation's erasure takes only what it supplied (the other organisation's
application, the clearance and the gate stand); the data protection officer's takes the person
everywhere; a clearance against the risk summary waits for a second person."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from devstack.stack import Stack
from tests.support import wait_for
from tests.support.clock import today
from tests.support.stack_client import get, post
from tests.support.stack_world import (
    admitted_at_wandsworth,
    application,
    apply,
    case_of,
    cleared,
    gate,
    people_of,
    person,
    settled,
    stack_modes,
)

stack_mode = stack_modes("embedded", "real")


@pytest.fixture(scope="module")
def world(module_stack: tuple[Stack, Any]) -> dict[str, Any]:
    return people_of(module_stack)


def test_identity_and_erasure_scope_end_to_end(world):
    w, tag = world, uuid.uuid4().hex[:6]
    surname = f"Quill-{tag}"
    # Organisation A's volunteer, cleared and admitted at Wandsworth.
    genuine = person(surname, passport=f"GEN{tag}")
    a_app, clearance = cleared(w, "a", genuine)
    a_case = case_of(w, a_app)
    badge = f"WWI-{tag}"
    admitted_at_wandsworth(w, a_case["person_id"], badge)
    assert gate(w, badge)["allowed"] is True

    # An impostor through organisation B: same names and birthday, another passport, a record.
    impostor = person(surname, passport=f"IMP{tag}", email=f"imp{tag}+sim-undeclared@x.org")
    impostor["applicant"]["declarations"].update(
        on_licence=True, release_date=(today() - timedelta(days=30)).isoformat()
    )
    b_imp = apply(w, "b", impostor)
    case = case_of(w, b_imp, settled)
    assert case["identity_status"] == "POSSIBLE_MATCH" and case["status"] != "CLEARED"
    assert case["waiting_reason"] == "POSSIBLE_MATCH"
    assert [c["person_id"] for c in case["identity"]["candidates"]] == [a_case["person_id"]]
    seen_by_b = application(w, "b", b_imp)
    assert seen_by_b["status"] != "CLEARED" and seen_by_b.get("outcome") is None
    assert clearance["id"] not in str(seen_by_b) and a_app not in str(seen_by_b)

    # Twins at one address, each with a passport of their own: two people.
    twins = [
        case_of(
            w, apply(w, "a", person(f"Twin-{tag}", passport=f"TW{n}{tag}", forenames=name)), settled
        )
        for n, name in enumerate(("Aoife", "Niamh"))
    ]
    assert twins[0]["person_id"] != twins[1]["person_id"]
    assert all(t["identity_status"] == "RESOLVED" for t in twins)

    # The same passport renewing: the same person.
    renewal = post(
        w["stack"], "applications", f"/applications/{a_app}/renewals", w["a"], expect=(201,)
    )
    post(w["stack"], "applications", f"/applications/{renewal['id']}/submit", w["a"])
    assert case_of(w, renewal["id"])["person_id"] == a_case["person_id"]

    # Her married name, through B, with the same passport: offered, naming the old surname.
    married = person(
        f"Byrne-{tag}",
        passport=f"GEN{tag}",
        previous_names=[
            {
                "forenames": genuine["applicant"]["forenames"],
                "surname": surname,
                "from_date": "1990-01-01",
                "to_date": "2015-06-01",
            }
        ],
    )
    married_case = case_of(w, apply(w, "b", married), settled)
    assert married_case["identity_status"] == "POSSIBLE_MATCH"
    # (The impostor, who has her name and birthday, is offered too: an officer decides.)
    candidates = {c["person_id"]: c for c in married_case["identity"]["candidates"]}
    candidate = candidates[a_case["person_id"]]
    assert candidate["matched_names"] == [surname]
    assert "SAME_IDENTITY_DOCUMENT" in candidate["reasons"]

    # B's own application for her (same passport, same name): served by her clearance; the
    # grant at Wandsworth now rests on both organisations' applications.
    b_app = apply(w, "b", person(surname, passport=f"GEN{tag}"))
    wait_for(lambda: application(w, "b", b_app)["status"] == "CLEARED", message="served")
    assert "clearance_id" not in application(w, "b", b_app)["outcome"]
    # B erases its application: A's, the clearance and the gate stand.
    erasure = post(
        w["stack"],
        "applications",
        "/erasure-requests",
        w["b"],
        {"application_id": b_app},
        expect=(202,),
    )
    done = wait_for(
        lambda: (lambda e: e if e["status"] == "COMPLETE" else None)(
            get(w["stack"], "applications", f"/erasure-requests/{erasure['id']}", w["b"]).json()
        ),
        timeout=60,
        message="B's erasure",
    )
    assert done["person_id"] is None and "counts" not in str(done)
    assert application(w, "b", b_app)["applicant"] == {}
    assert application(w, "a", a_app)["applicant"]["surname"] == surname
    assert (
        get(w["stack"], "vetting", f"/clearances/{clearance['id']}", w["officer"]).json()["status"]
        == "ACTIVE"
    )
    assert gate(w, badge)["allowed"] is True

    # A clearance against the risk summary (the impostor's undeclared record, once an
    # officer has separated them from her): waits for a manager, so nothing is cleared yet.
    post(
        w["stack"],
        "vetting",
        f"/cases/{case['id']}/identity/separation",
        w["officer"],
        {"person_id": a_case["person_id"], "reason": "Different passport and history."},
    )
    decided = case_of(w, b_imp, lambda c: c["status"] == "AWAITING_DECISION")
    assert decided["recommendation"] == "REFER"
    pending = post(
        w["stack"],
        "vetting",
        f"/cases/{decided['id']}/clearance",
        w["officer"],
        {"reason": "Looks fine to me."},
        expect=(202,),
    )
    assert pending["status"] == "CLEARANCE_PENDING"
    assert application(w, "b", b_imp)["status"] != "CLEARED"

    # The data protection officer erases her: everywhere, and the gate refuses her.
    asked = requests_post_dpo(w, a_app)
    wait_for(
        lambda: (
            get(w["stack"], "applications", f"/erasure-requests/{asked['id']}", w["dpo"]).json()[
                "status"
            ]
            == "COMPLETE"
        ),
        timeout=60,
        message="the officer's erasure",
    )
    assert application(w, "a", a_app)["applicant"] == {}
    assert gate(w, badge)["allowed"] is False


def requests_post_dpo(w: dict[str, Any], application_id: str) -> dict[str, Any]:
    return post(
        w["stack"],
        "applications",
        "/erasure-requests",
        w["dpo"],
        {"application_id": application_id},
        expect=(202,),
    )
