"""What vetting tells the prisons, and what the prisons tell vetting, on both run modes: a new
clearance names the establishments where the person declared a connection with someone held
(the code only, never who); a prison's exclusion or revocation arrives with its reason
(access.decision_evidence, in either order with access.excluded / access.revoked, duplicated)
and is shown as evidence on the person's clearance, on any later case (workbench and API) and
is blanked when the person is erased."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.support.clock import iso_now, now
from tests.support.events import deliver, envelope
from tests.support.subject_access_world import DPO, PATH
from tests.support.vetting_harness import Vetting, cleared
from tests.support.workbench_harness import Workbench
from vetting.models import PrisonDecision

CONNECTION = {"name": "Dermot Fairweather", "relationship": "Brother", "establishment": "WWI"}
EXCLUSION_REASON = "Passed a package to a prisoner in the chapel."
REVOCATION_REASON = "Threatened an officer at the gate."


@pytest.fixture
def workbench(backend_env: dict[str, dict[str, str]]) -> Iterator[Workbench]:
    harness = Workbench(backend_env["vetting"])
    yield harness
    harness.platform.engine.dispose()


def test_a_clearance_names_where_a_connection_was_declared_never_who(vetting: Vetting):
    application_id = vetting.submit(
        establishments=["WWI", "BMI"], details={"connections": [CONNECTION]}
    )
    vetting.work()
    # Cleared without excluding WWI (against the recommendation: a manager countersigns).
    vetting.clear(
        application_id, {"reason": "Known to the chaplaincy; supervised.", "conditions": []}
    )
    [granted] = vetting.published("vetting.clearance_granted")
    assert granted["establishments"] == ["WWI", "BMI"]
    assert granted["connection_establishments"] == ["WWI"]
    everything = json.dumps(vetting.published())
    assert CONNECTION["name"] not in everything and CONNECTION["relationship"] not in everything
    for event_type in ("vetting.application_cleared", "vetting.clearance_announced"):
        [other] = vetting.published(event_type)
        assert "connection_establishments" not in other


def test_an_excluded_establishment_is_not_named_for_a_connection(vetting: Vetting):
    application_id = vetting.submit(
        establishments=["WWI", "BMI"], details={"connections": [CONNECTION]}
    )
    vetting.work()
    vetting.clear(
        application_id,
        {"reason": "Not at the brother's prison.", "conditions": ["EXCLUDE_ESTABLISHMENT:WWI"]},
    )
    [granted] = vetting.published("vetting.clearance_granted")
    assert granted["establishments"] == ["BMI"] and granted["connection_establishments"] == []


def decision(
    application_id: str, person_id: str, code: str, status: str, **extra: Any
) -> dict[str, Any]:
    return {
        "grant_id": str(uuid.uuid4()),
        "application_id": application_id,
        "person_id": person_id,
        "establishment_code": code,
        "status": status,
        "by": "ESTABLISHMENT",
        "at": iso_now(),
        **extra,
    }


def evidence(change: dict[str, Any], decided: str, reason: str, **extra: Any) -> dict[str, Any]:
    keys = ("grant_id", "application_id", "person_id", "establishment_code", "at")
    return {
        **{key: change[key] for key in keys},
        "decision": decided,
        "reason": reason,
        "review_on": None,
        **extra,
    }


def rows(vetting: Vetting, person_id: str) -> list[PrisonDecision]:
    with vetting.platform.session_factory() as session:
        return list(
            session.execute(
                select(PrisonDecision)
                .where(PrisonDecision.person_id == person_id)
                .order_by(PrisonDecision.id)
            ).scalars()
        )


def test_a_prisons_reasons_are_evidence_on_the_clearance_and_any_later_case(
    workbench: Workbench,
):
    vetting = workbench.vetting
    email = f"ev-{uuid.uuid4().hex[:6]}@example.org"
    first, clearance = cleared(vetting, email)
    person_id = clearance["person_id"]
    review_on = (now() + timedelta(days=180)).date().isoformat()
    excluded = decision(first, person_id, "WWI", "EXCLUDED", review_on=review_on)
    # The reason first (delivered twice, the same envelope), then the change without it.
    with_reason = evidence(excluded, "EXCLUDED", EXCLUSION_REASON, review_on=review_on)
    sent = envelope(vetting.platform.registry, "access.decision_evidence", with_reason)
    deliver(vetting.platform, "vetting", sent)
    deliver(vetting.platform, "vetting", sent)
    vetting.event("access.excluded", excluded)
    # The other order for a revocation, and the reason again in a new envelope.
    revoked = decision(first, person_id, "BMI", "REVOKED")
    vetting.event("access.revoked", revoked)
    vetting.event("access.decision_evidence", evidence(revoked, "REVOKED", REVOCATION_REASON))
    vetting.event("access.decision_evidence", evidence(revoked, "REVOKED", REVOCATION_REASON))
    kept = rows(vetting, person_id)
    assert [(r.establishment_code, r.decision, r.reason) for r in kept] == [
        ("WWI", "EXCLUDED", EXCLUSION_REASON),
        ("BMI", "REVOKED", REVOCATION_REASON),
    ]
    assert str(kept[0].review_on) == review_on
    # The person's own copy (subject access) has them, reasons included.
    vetting.staff = {**vetting.staff, "dpo": DPO}
    answer = vetting.call("GET", PATH, "dpo", query_string={"person": person_id})
    assert answer.status_code == 200, answer.json
    assert [d["reason"] for d in answer.json["content"]["prison_decisions"]] == [
        EXCLUSION_REASON,
        REVOCATION_REASON,
    ]

    second = vetting.submit(email, establishments=["BMI"])
    case = vetting.case(second)
    assert [
        (d["establishment_code"], d["establishment_name"], d["decision"], d["reason"])
        for d in case["prison_decisions"]
    ] == [
        ("WWI", "Wandsworth (HMP & YOI)", "EXCLUDED", EXCLUSION_REASON),
        ("BMI", "Birmingham (HMP)", "REVOKED", REVOCATION_REASON),
    ]
    assert {(f["kind"], f["ref"]) for f in case["history"]} >= {
        ("ESTABLISHMENT_EXCLUDED", "WWI"),
        ("ESTABLISHMENT_REVOKED", "BMI"),
    }

    client = workbench.signed_in("officer")
    page = client.get(f"/workbench/cases/{case['id']}").text
    assert "Decisions by prisons" in page
    assert "Excluded at Wandsworth (HMP &amp; YOI) (WWI) on " in page
    assert EXCLUSION_REASON in page and REVOCATION_REASON in page
    assert "Access revoked at Birmingham (HMP) (BMI)" in page
    held = client.get(f"/workbench/clearances/{clearance['id']}").text
    assert "Decisions by prisons" in held and EXCLUSION_REASON in held
    # A person no prison has decided against shows nothing of the kind.
    someone_else = workbench.awaiting_decision()
    plain = vetting.clear(someone_else["application_id"])
    assert "Decisions by prisons" not in client.get(f"/workbench/clearances/{plain['id']}").text


def test_erasing_the_person_blanks_the_prisons_reasons(vetting: Vetting):
    first, clearance = cleared(vetting, f"er-{uuid.uuid4().hex[:6]}@example.org")
    person_id = clearance["person_id"]
    excluded = decision(first, person_id, "WWI", "EXCLUDED", review_on="2099-01-01")
    vetting.event(
        "access.decision_evidence",
        evidence(excluded, "EXCLUDED", EXCLUSION_REASON, review_on="2099-01-01"),
    )
    vetting.event(
        "application.erasure_requested",
        {
            "erasure_id": str(uuid.uuid4()),
            "application_id": first,
            "organisation_id": str(uuid.uuid4()),
            "scope": "PERSON",
            "requested_at": iso_now(),
        },
    )
    [row] = rows(vetting, person_id)
    assert row.reason is None and row.decision == "EXCLUDED"
    [erased] = vetting.published("vetting.person_erased")
    assert erased["counts"]["prison_reasons"] == 1
