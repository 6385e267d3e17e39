"""One person, one record, on both run modes: who a new applicant is (strong match, possible
match, new person), an officer's link or separation, and a clearance that serves only a person
surely the same."""

from __future__ import annotations

import uuid
from typing import Any

from tests.support.vetting_harness import Vetting, cleared, submitted_data

REASON = {"reason": "Checked both records."}


def applicant_like(
    email: str,
    *,
    forenames: str = "Siobhán",
    surname: str = "O'Connor",
    passport: str = "5347917Q2Z",
    previous_surname: str | None = None,
    **details: Any,
) -> dict[str, Any]:
    data = submitted_data(email)
    applicant = data["applicant"]
    applicant.update(forenames=forenames, surname=surname)
    applicant["details"]["identity_documents"] = [
        {"type": "PASSPORT", "number": passport, "expiry": None}
    ]
    if previous_surname:
        applicant["details"]["previous_names"] = [
            {
                "forenames": forenames,
                "surname": previous_surname,
                "from_date": "1990-01-01",
                "to_date": "2015-06-01",
            }
        ]
    applicant["details"].update(details)
    return applicant


def submit(vetting: Vetting, applicant: dict[str, Any]) -> str:
    return vetting.submit(applicant=applicant, organisation_id=str(uuid.uuid4()))


def test_a_stolen_name_and_birthday_is_a_possible_match_never_a_clearance(vetting):
    genuine, clearance = cleared(vetting, "siobhan@example.org")
    impostor = submit(
        vetting,
        applicant_like(
            "someone+sim-undeclared@example.org",
            passport="X9999999",
            declarations={"convictions": [], "on_licence": True, "release_date": "2026-11-01"},
        ),
    )
    case = vetting.case(impostor)
    assert case["status"] != "CLEARED" and case["clearance_id"] is None
    assert case["identity_status"] == "POSSIBLE_MATCH" and case["checks"]
    assert case["person_id"] != vetting.case(genuine)["person_id"]
    [candidate] = case["identity"]["candidates"]
    assert candidate["person_id"] == vetting.case(genuine)["person_id"]
    assert sorted(candidate["reasons"]) == ["SAME_DATE_OF_BIRTH", "SAME_NAME_AND_DATE_OF_BIRTH"]
    assert candidate["record"]["identity_documents"][0]["ending"] == "7Q2Z"  # never in full
    assert candidate["clearances"][0]["id"] == clearance["id"]
    vetting.work()
    case = vetting.case(impostor)
    assert (case["waiting_on"], case["waiting_reason"]) == ("OFFICER", "POSSIBLE_MATCH")
    queue = vetting.call("GET", "/cases?waiting_on=OFFICER").json["items"]
    assert any(
        c["application_id"] == impostor and c["waiting_reason"] == "POSSIBLE_MATCH" for c in queue
    )
    blocked = vetting.call("POST", f"/cases/{case['id']}/clearance", json=REASON)
    assert blocked.status_code == 409 and "possible match" in blocked.json["message"]

    separated = vetting.call(
        "POST",
        f"/cases/{case['id']}/identity/separation",
        json={"person_id": candidate["person_id"], **REASON},
    )
    assert separated.status_code == 200, separated.json
    assert separated.json["identity"]["method"] == "OFFICER_SEPARATE"
    assert separated.json["waiting_reason"] is None
    # The impostor's next application (same passport, name, birthday) is them, not Siobhán,
    # and the pair is never offered again.
    again = vetting.case(
        submit(vetting, applicant_like("someone@example.org", passport="X9999999"))
    )
    assert again["person_id"] == case["person_id"] and again["identity_status"] == "RESOLVED"
    assert again["identity"]["method"] == "STRONG_MATCH" and again["status"] != "CLEARED"
    audit = [e["action"] for e in vetting.call("GET", f"/cases/{case['id']}/audit").json]
    assert "identity.separated" in audit


def test_twins_are_two_people(vetting):
    first = vetting.case(
        submit(
            vetting, applicant_like("aoife@example.org", forenames="Aoife", passport="111111111")
        )
    )
    second = vetting.case(
        submit(
            vetting, applicant_like("niamh@example.org", forenames="Niamh", passport="222222222")
        )
    )
    assert first["person_id"] != second["person_id"]
    assert second["identity_status"] == "RESOLVED" and second["identity"]["candidates"] == []


def test_the_same_passport_renewing_is_the_same_person(vetting):
    first_app, clearance = cleared(vetting, "siobhan@example.org")
    renewal = vetting.case(
        vetting.submit(applicant=applicant_like("siobhan@example.org"), renewal_of=first_app)
    )
    assert renewal["person_id"] == vetting.case(first_app)["person_id"]
    assert renewal["identity"]["method"] == "STRONG_MATCH"
    assert renewal["status"] != "CLEARED"  # a renewal is vetted again
    # Another organisation's application for her is served by her clearance.
    other = vetting.case(submit(vetting, applicant_like("siobhan@example.org")))
    assert other["status"] == "CLEARED" and other["clearance_id"] == clearance["id"]


def test_a_married_name_with_the_same_passport_is_offered_then_linked(vetting):
    first_app, clearance = cleared(vetting, "siobhan@example.org")
    married = vetting.case(
        submit(
            vetting,
            applicant_like(
                "siobhan.byrne@example.org", surname="Byrne", previous_surname="O'Connor"
            ),
        )
    )
    assert married["identity_status"] == "POSSIBLE_MATCH" and married["status"] != "CLEARED"
    [candidate] = married["identity"]["candidates"]
    assert sorted(candidate["reasons"]) == [
        "PREVIOUS_NAME_MATCHES",
        "SAME_DATE_OF_BIRTH",
        "SAME_IDENTITY_DOCUMENT",
    ]
    assert candidate["matched_names"] == ["O'Connor"]
    wrong = vetting.call(
        "POST",
        f"/cases/{married['id']}/identity/link",
        json={"person_id": str(uuid.uuid4()), **REASON},
    )
    assert wrong.status_code == 422 and "person_id" in wrong.json["errors"]
    linked = vetting.call(
        "POST",
        f"/cases/{married['id']}/identity/link",
        json={"person_id": candidate["person_id"], **REASON},
    )
    assert linked.status_code == 200, linked.json
    assert linked.json["person_id"] == vetting.case(first_app)["person_id"]
    assert linked.json["status"] == "CLEARED" and linked.json["clearance_id"] == clearance["id"]
    assert linked.json["identity"]["method"] == "OFFICER_LINK"
    again = vetting.call(
        "POST",
        f"/cases/{married['id']}/identity/link",
        json={"person_id": candidate["person_id"], **REASON},
    )
    assert again.status_code == 409
    # Her married name is now known: her next application is a strong match.
    later = vetting.case(
        submit(
            vetting,
            applicant_like(
                "siobhan.byrne@example.org", surname="Byrne", previous_surname="O'Connor"
            ),
        )
    )
    assert later["identity"]["method"] == "STRONG_MATCH" and later["status"] == "CLEARED"


def test_clearing_against_the_recommendation_takes_a_second_person(vetting):
    app_id = vetting.submit("jo+sim-undeclared@example.org")
    vetting.work()
    case = vetting.case(app_id)
    assert case["recommendation"] == "REFER"
    path = f"/cases/{case['id']}/clearance"
    proposed = vetting.call("POST", path, json={"reason": "Known to us; minor."})
    assert proposed.status_code == 202 and proposed.json["status"] == "CLEARANCE_PENDING"
    assert vetting.published("vetting.clearance_granted") == []
    sign = {"decision": "CONFIRM", "note": "Agreed."}
    assert (
        vetting.call("POST", path + "/countersignature", who="officer", json=sign).status_code
        == 403
    )  # not a manager
    rejected = vetting.call(
        "POST",
        path + "/countersignature",
        who="manager",
        json={"decision": "REJECT", "note": "Refer it properly."},
    )
    assert rejected.status_code == 200 and rejected.json["status"] == "AWAITING_DECISION"
    proposed = vetting.call("POST", path, who="manager", json={"reason": "On review, fine."})
    assert proposed.status_code == 202
    own = vetting.call("POST", path + "/countersignature", who="manager", json=sign)
    assert own.status_code == 403 and "different officer" in own.json["message"]
    signed = vetting.call("POST", path + "/countersignature", who="manager2", json=sign)
    assert signed.status_code == 200 and signed.json["status"] == "CLEARED"
    [granted] = vetting.published("vetting.clearance_granted")
    assert granted["case_id"] == case["id"]
    [entry] = [
        e
        for e in vetting.call("GET", f"/cases/{case['id']}/audit").json
        if e["action"] == "case.cleared"
    ]
    assert entry["detail"]["proposed_by"] == "manager-cat"
    assert entry["detail"]["countersigned_by"] == "manager-dev"


def test_leaving_out_the_summarys_conditions_takes_a_second_person_too(vetting):
    app_id = vetting.submit(
        details={
            "connections": [{"name": "J Doe", "relationship": "brother", "establishment": "BMI"}]
        }
    )
    vetting.work()
    case = vetting.case(app_id)
    assert "EXCLUDE_ESTABLISHMENT:BMI" in case["risk"]["conditions"]
    path = f"/cases/{case['id']}/clearance"
    weaker = vetting.call("POST", path, json={"reason": "Fine."})
    assert weaker.status_code == 202
    assert (
        vetting.call(
            "POST",
            path + "/countersignature",
            who="manager",
            json={"decision": "REJECT", "note": "Keep the exclusion."},
        ).status_code
        == 200
    )
    kept = vetting.call(
        "POST", path, json={"conditions": ["EXCLUDE_ESTABLISHMENT:BMI"], "reason": "Fine."}
    )
    assert kept.status_code == 201 and kept.json["conditions"] == ["EXCLUDE_ESTABLISHMENT:BMI"]
