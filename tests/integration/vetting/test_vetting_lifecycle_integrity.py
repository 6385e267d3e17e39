"""Decisions that stick, on both backends: a suspended, revoked or refused person resubmitted
by another organisation is flagged and waits for a manager; a renewal by any organisation
supersedes the person's one live clearance (the database refuses a second); lifting a REFUSE
assessment or overturning a countersigned refusal takes a manager; information requests during
a review or a reconsideration are answered and the case goes back where it was."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.support.clock import iso_now, now
from tests.support.vetting_harness import Vetting, cleared, submitted_data
from vetting.models import Clearance

WHY = {"reason": "Police intelligence received."}


def live_clearances(vetting: Vetting, person_id: str) -> int:
    with vetting.platform.session_factory() as session:
        return session.execute(
            select(func.count())
            .select_from(Clearance)
            .where(Clearance.person_id == person_id, Clearance.status.in_(("ACTIVE", "SUSPENDED")))
        ).scalar_one()


def clear_path(vetting: Vetting, app_id: str) -> str:
    return f"/cases/{vetting.case(app_id)['id']}/clearance"


def acknowledge(vetting: Vetting, app_id: str, who: str = "manager"):
    return vetting.call(
        "POST",
        f"/cases/{vetting.case(app_id)['id']}/history/acknowledgement",
        who=who,
        json={"reason": "Seen the earlier suspension and why."},
    )


def test_a_suspended_person_resubmitted_elsewhere_is_flagged_and_never_cleared_around_it(vetting):
    email = f"susp-{uuid.uuid4().hex[:6]}@example.org"
    _first, clearance = cleared(vetting, email)
    path = f"/clearances/{clearance['id']}"
    assert vetting.call("POST", path + "/suspension", json=WHY).status_code == 200
    # Organisation B submits the same person: not served, vetted afresh, flagged.
    second = vetting.submit(email, organisation_id=str(uuid.uuid4()))
    vetting.work()
    case = vetting.case(second)
    assert case["status"] == "AWAITING_DECISION" and case["clearance_id"] is None
    assert [flag["kind"] for flag in case["history"]] == ["CLEARANCE_SUSPENDED"]
    assert case["waiting_reason"] == "HISTORY"
    refused = vetting.call("POST", clear_path(vetting, second), json={"reason": "Fine."})
    assert refused.status_code == 409 and refused.json["errors"]["history"]
    assert acknowledge(vetting, second, who="officer").status_code == 403
    assert acknowledge(vetting, second).status_code == 200
    # Acknowledged, yet the suspension still stands: its review decides first.
    still = vetting.call("POST", clear_path(vetting, second), json={"reason": "Fine."})
    assert still.status_code == 409 and "SUSPENDED" in still.json["message"]
    assert len(vetting.published("vetting.clearance_granted")) == 1
    assert vetting.call("GET", path).json["status"] == "SUSPENDED"
    # Revoked by a manager: new history, acknowledged again, then cleared on its merits.
    assert vetting.call("POST", path + "/revocation", who="manager", json=WHY).status_code == 200
    assert [flag["kind"] for flag in vetting.case(second)["history"]] == ["CLEARANCE_REVOKED"]
    assert (
        vetting.call("POST", clear_path(vetting, second), json={"reason": "Fine."}).status_code
        == 409
    )
    assert acknowledge(vetting, second).status_code == 200
    fresh = vetting.call("POST", clear_path(vetting, second), json={"reason": "Fine."})
    assert fresh.status_code == 201 and fresh.json["replaces_id"] is None
    assert live_clearances(vetting, case["person_id"]) == 1
    actions = [e["action"] for e in vetting.call("GET", f"/cases/{case['id']}/audit").json]
    assert actions.count("case.history_acknowledged") == 2


def test_a_refused_person_resubmitted_is_flagged(vetting):
    email = f"refused-{uuid.uuid4().hex[:6]}@example.org"
    first = vetting.submit(email)
    vetting.work()
    case = vetting.case(first)
    vetting.call("POST", f"/cases/{case['id']}/refusal", json={"reasons": ["Doubtful."]})
    signed = vetting.call(
        "POST",
        f"/cases/{case['id']}/refusal/countersignature",
        who="manager",
        json={"decision": "CONFIRM", "note": "Agreed."},
    )
    assert signed.json["status"] == "REFUSED"
    second = vetting.submit(email, organisation_id=str(uuid.uuid4()))
    vetting.work()
    flagged = vetting.case(second)
    assert [(f["kind"], f["ref"]) for f in flagged["history"]] == [("CASE_REFUSED", case["id"])]
    assert (
        vetting.call("POST", clear_path(vetting, second), json={"reason": "Fine."}).status_code
        == 409
    )


def test_an_establishments_exclusion_flags_the_next_case_which_is_not_served(vetting):
    email = f"excl-{uuid.uuid4().hex[:6]}@example.org"
    first, clearance = cleared(vetting, email)
    excluded = {
        "grant_id": str(uuid.uuid4()),
        "application_id": first,
        "person_id": clearance["person_id"],
        "establishment_code": "WWI",
        "status": "EXCLUDED",
        "by": "ESTABLISHMENT",
        "at": iso_now(),
        "review_on": (now() + timedelta(days=365)).date().isoformat(),
    }
    vetting.event("access.excluded", excluded)
    vetting.event("access.excluded", excluded)  # twice: one entry
    # What followed vetting's own news is not an establishment's decision.
    revoked = {key: value for key, value in excluded.items() if key != "review_on"}
    vetting.event(
        "access.revoked",
        {**revoked, "grant_id": str(uuid.uuid4()), "status": "REVOKED", "by": "VETTING"},
    )
    second = vetting.submit(email, establishments=["BMI"])
    case = vetting.case(second)
    assert case["status"] != "CLEARED" and case["clearance_id"] is None
    assert [(f["kind"], f["ref"]) for f in case["history"]] == [("ESTABLISHMENT_EXCLUDED", "WWI")]
    vetting.work()
    assert (
        vetting.call("POST", clear_path(vetting, second), json={"reason": "Fine."}).status_code
        == 409
    )
    assert acknowledge(vetting, second).status_code == 200
    renewed = vetting.call("POST", clear_path(vetting, second), json={"reason": "Fine."})
    assert renewed.status_code == 201 and renewed.json["replaces_id"] == clearance["id"]
    assert live_clearances(vetting, clearance["person_id"]) == 1


def test_a_possible_match_linked_to_a_person_with_history_is_not_served(vetting):
    first, clearance = cleared(vetting, f"link-{uuid.uuid4().hex[:6]}@example.org")
    vetting.event(
        "access.revoked",
        {
            "grant_id": str(uuid.uuid4()),
            "application_id": first,
            "person_id": clearance["person_id"],
            "establishment_code": "WWI",
            "status": "REVOKED",
            "by": "ESTABLISHMENT",
            "at": iso_now(),
        },
    )
    # The same names and birthday with another passport: a possible match, linked by hand.
    data = submitted_data(
        f"link2-{uuid.uuid4().hex[:6]}@example.org",
        organisation_id=str(uuid.uuid4()),
        establishments=["BMI"],
    )
    data["applicant"]["details"]["identity_documents"][0]["number"] = "OTHER0001"
    vetting.event("application.submitted", data)
    case = vetting.case(data["application_id"])
    assert case["identity_status"] == "POSSIBLE_MATCH"
    [candidate] = case["identity"]["candidates"]
    linked = vetting.call(
        "POST",
        f"/cases/{case['id']}/identity/link",
        json={"person_id": candidate["person_id"], "reason": "Same person, new passport."},
    )
    assert linked.status_code == 200, linked.json
    assert linked.json["status"] != "CLEARED" and linked.json["clearance_id"] is None
    assert [(f["kind"], f["ref"]) for f in linked.json["history"]] == [
        ("ESTABLISHMENT_REVOKED", "WWI")
    ]
    assert len(vetting.published("vetting.clearance_granted")) == 1


def test_a_renewal_by_a_served_organisation_supersedes_the_persons_clearance(vetting):
    email = f"renew-{uuid.uuid4().hex[:6]}@example.org"
    first, old = cleared(vetting, email)
    served = vetting.submit(email, establishments=["BMI"], organisation_id=str(uuid.uuid4()))
    assert vetting.case(served)["clearance_id"] == old["id"]
    renewal = vetting.submit(email, renewal_of=served)
    vetting.work()
    new = vetting.call("POST", clear_path(vetting, renewal), json={"reason": "Renewed."})
    assert new.status_code == 201 and new.json["replaces_id"] == old["id"]
    assert vetting.call("GET", f"/clearances/{old['id']}").json["status"] == "SUPERSEDED"
    assert live_clearances(vetting, old["person_id"]) == 1
    # Every case the old clearance served shows the live one: a review from the first
    # organisation's case reaches it.
    assert {vetting.case(app)["clearance_id"] for app in (first, served)} == {new.json["id"]}
    vetting.event(
        "application.circumstances_changed",
        {
            "application_id": first,
            "kind": "CHANGE_OF_ADDRESS",
            "details": {
                "line1": "1 New Road",
                "town": "York",
                "postcode": "YO1 7HH",
                "from_date": now().date().isoformat(),
                "to_date": None,
            },
            "reported_at": iso_now(),
        },
    )
    review = vetting.call(
        "POST",
        f"/cases/{vetting.case(first)['id']}/review",
        json={"outcome": "SUSPEND", "reason": "Until we have checked."},
    )
    assert review.status_code == 200, review.json
    assert vetting.call("GET", f"/clearances/{new.json['id']}").json["status"] == "SUSPENDED"
    # Revoking the one live clearance leaves nothing live behind it.
    vetting.call("POST", f"/clearances/{new.json['id']}/revocation", who="manager", json=WHY)
    assert live_clearances(vetting, old["person_id"]) == 0


def test_the_database_holds_one_live_clearance_per_person(vetting):
    _app, clearance = cleared(vetting, f"db-{uuid.uuid4().hex[:6]}@example.org")
    with vetting.platform.session_factory() as session:
        original = session.get(Clearance, clearance["id"])
        assert original is not None
        copy = {c.name: getattr(original, c.name) for c in Clearance.__table__.columns}
        session.add(Clearance(**{**copy, "id": str(uuid.uuid4()), "status": "SUSPENDED"}))
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()
        session.add(Clearance(**{**copy, "id": str(uuid.uuid4()), "status": "EXPIRED"}))
        session.commit()  # a past clearance beside the live one is fine


def test_a_second_live_clearance_racing_the_first_is_a_409(vetting, monkeypatch):
    from vetting.service_layer import clearances

    email = f"race-{uuid.uuid4().hex[:6]}@example.org"
    cleared(vetting, email)
    other = vetting.submit(email, requested_access="UNESCORTED")  # not covered: vetted again
    vetting.work()
    # As if another officer's clearance committed after this decision looked for one.
    monkeypatch.setattr(clearances, "live_clearance", lambda _session, _person: None)
    raced = vetting.call(
        "POST", clear_path(vetting, other), who="manager", json={"reason": "Fine."}
    )
    assert raced.status_code == 409 and raced.json["errors"]["status"]
    assert vetting.case(other)["status"] == "AWAITING_DECISION"


def refuse_review(vetting: Vetting) -> tuple[str, dict, dict]:
    app_id, clearance = cleared(vetting, f"rev-{uuid.uuid4().hex[:6]}@example.org")
    vetting.event(
        "application.circumstances_changed",
        {
            "application_id": app_id,
            "kind": "NEW_CONVICTION",
            "details": {
                "kind": "CONVICTION",
                "offence": "Conveying a mobile phone into a prison",
                "date": (now() - timedelta(days=20)).date().isoformat(),
                "disposal": "SUSPENDED_SENTENCE",
            },
            "reported_at": iso_now(),
        },
    )
    case = vetting.case(app_id)
    assert case["status"] == "REVIEW" and case["risk"]["recommendation"] == "REFUSE"
    path = f"/clearances/{clearance['id']}"
    if vetting.call("GET", path).json["status"] == "ACTIVE":
        assert vetting.call("POST", path + "/suspension", json=WHY).status_code == 200
    return app_id, clearance, case


def test_only_a_manager_lifts_a_suspension_whose_review_assessed_refuse(vetting):
    _app, clearance, case = refuse_review(vetting)
    path = f"/clearances/{clearance['id']}/reinstatement"
    denied = vetting.call("POST", path, json={"reason": "Looks fine to me."})
    assert denied.status_code == 403 and "vetting_manager" in denied.json["message"]
    review = vetting.call(
        "POST",
        f"/cases/{case['id']}/review",
        json={"outcome": "CONTINUE", "reason": "Looks fine to me."},
    )
    assert review.status_code == 403
    assert vetting.call("GET", f"/clearances/{clearance['id']}").json["status"] == "SUSPENDED"
    lifted = vetting.call("POST", path, who="manager", json={"reason": "Managed: escorted."})
    assert lifted.status_code == 200 and lifted.json["status"] == "ACTIVE"


def test_only_another_manager_overturns_a_countersigned_refusal(vetting):
    app_id = vetting.submit(f"ovt-{uuid.uuid4().hex[:6]}@example.org")
    vetting.work()
    case = vetting.case(app_id)
    vetting.call("POST", f"/cases/{case['id']}/refusal", json={"reasons": ["Doubtful."]})
    vetting.call(
        "POST",
        f"/cases/{case['id']}/refusal/countersignature",
        who="manager",
        json={"decision": "CONFIRM", "note": "Agreed."},
    )
    vetting.event(
        "application.reconsideration_requested",
        {"application_id": app_id, "grounds": "Please look again.", "requested_at": iso_now()},
    )
    proposed = vetting.call(
        "POST", f"/cases/{case['id']}/clearance", who="officer2", json={"reason": "On reflection."}
    )
    assert proposed.status_code == 202 and proposed.json["status"] == "CLEARANCE_PENDING"
    assert "countersigned" in " ".join(proposed.json["override"]["why"])
    assert vetting.published("vetting.clearance_granted") == []
    sign = {"decision": "CONFIRM", "note": "Agreed."}
    path = f"/cases/{case['id']}/clearance/countersignature"
    assert vetting.call("POST", path, who="manager", json=sign).status_code == 403
    assert vetting.call("POST", path, who="manager2", json=sign).json["status"] == "CLEARED"
    assert len(vetting.published("vetting.clearance_granted")) == 1


def ask_and_answer(vetting: Vetting, case: dict, app_id: str, back_to: str) -> None:
    asked = vetting.call(
        "POST",
        f"/cases/{case['id']}/information-requests",
        json={"items": [{"question": "Please explain the gap."}], "reason": "A gap."},
    )
    assert asked.status_code == 201, asked.json
    waiting = vetting.case(app_id)
    assert waiting["status"] == "INFO_REQUESTED" and waiting["waiting_on"] == "APPLICANT"
    vetting.event(
        "application.info_provided",
        {
            "application_id": app_id,
            "request_id": asked.json["id"],
            "answers": [{"answer": "Travelling."}],
            "provided_at": iso_now(),
        },
    )
    answered = vetting.case(app_id)
    assert answered["status"] == back_to and answered["waiting_on"] == "OFFICER"


def test_information_requests_in_review_return_to_it(vetting):
    app_id, _clearance = cleared(vetting, f"info-{uuid.uuid4().hex[:6]}@example.org")
    vetting.event(
        "application.circumstances_changed",
        {
            "application_id": app_id,
            "kind": "CHANGE_OF_ADDRESS",
            "details": {
                "line1": "1 New Road",
                "town": "York",
                "postcode": "YO1 7HH",
                "from_date": now().date().isoformat(),
                "to_date": None,
            },
            "reported_at": iso_now(),
        },
    )
    case = vetting.case(app_id)
    ask_and_answer(vetting, case, app_id, "REVIEW")
    done = vetting.call(
        "POST",
        f"/cases/{case['id']}/review",
        json={"outcome": "CONTINUE", "reason": "Address noted."},
    )
    assert done.status_code == 200 and done.json["status"] == "CLEARED"


def test_information_requests_in_reconsideration_return_to_it(vetting):
    refused_app = vetting.submit(f"info2-{uuid.uuid4().hex[:6]}@example.org")
    vetting.work()
    case = vetting.case(refused_app)
    vetting.call("POST", f"/cases/{case['id']}/refusal", json={"reasons": ["Doubtful."]})
    vetting.call(
        "POST",
        f"/cases/{case['id']}/refusal/countersignature",
        who="manager",
        json={"decision": "CONFIRM", "note": "Agreed."},
    )
    vetting.event(
        "application.reconsideration_requested",
        {"application_id": refused_app, "grounds": "Look again.", "requested_at": iso_now()},
    )
    ask_and_answer(vetting, case, refused_app, "RECONSIDERATION")
    upheld = vetting.call(
        "POST",
        f"/cases/{case['id']}/refusal",
        who="officer2",
        json={"reasons": ["Still doubtful."]},
    )
    assert upheld.status_code == 200 and upheld.json["status"] == "REFUSED"


def test_a_move_the_table_does_not_list_is_a_409_naming_the_state(vetting):
    _app, clearance = cleared(vetting, f"state-{uuid.uuid4().hex[:6]}@example.org")
    path = f"/clearances/{clearance['id']}"
    vetting.call("POST", path + "/revocation", who="manager", json=WHY)
    again = vetting.call("POST", path + "/suspension", json=WHY)
    assert again.status_code == 409
    assert again.json["errors"] == {"status": ["The clearance is REVOKED."]}
    case = vetting.case(_app)
    review = vetting.call(
        "POST", f"/cases/{case['id']}/review", json={"outcome": "CONTINUE", "reason": "Nothing."}
    )
    assert review.status_code == 409 and review.json["errors"] == {
        "status": ["The case is CLEARED."]
    }
