"""A sensitive information request goes to the volunteer alone, who answers the vetting team
directly: an officer records that answer, the request closes and the case goes back where it
was, once; a request the organisation was asked is answered by the organisation. On embedded
SQLite and real PostgreSQL."""

from __future__ import annotations

import uuid

from tests.support.clock import iso_now, now
from tests.support.vetting_harness import Vetting, cleared

ANSWERS = {
    "answers": [
        {
            "question": "Tell us about the caution in 2019.",
            "answer": "A caution for shoplifting, aged 19; I forgot it.",
        }
    ]
}


def ask(vetting: Vetting, case_id: str, sensitive: bool = True) -> str:
    asked = vetting.call(
        "POST",
        f"/cases/{case_id}/information-requests",
        json={
            "items": [{"question": "Tell us about the caution in 2019."}],
            "reason": "The record check found a caution that was not declared.",
            "sensitive": sensitive,
        },
    )
    assert asked.status_code == 201, asked.json
    assert asked.json["sensitive"] is sensitive
    return asked.json["id"]


def answer(vetting: Vetting, case_id: str, request_id: str, body=None, who="officer"):
    return vetting.call(
        "POST",
        f"/cases/{case_id}/information-requests/{request_id}/answer",
        who=who,
        json=ANSWERS if body is None else body,
    )


def test_an_officer_records_the_volunteers_direct_answer_once(vetting):
    app_id = vetting.submit()
    vetting.work()
    case_id = vetting.case(app_id)["id"]
    request_id = ask(vetting, case_id)
    waiting = vetting.case(app_id)
    assert (waiting["status"], waiting["waiting_on"]) == ("INFO_REQUESTED", "APPLICANT")
    for bad, field in (
        ({}, "answers"),
        ({"answers": []}, "answers"),
        ({"answers": [{"answer": "   "}]}, "answers"),
        ({"answers": [{"answer": "x" * 4001}]}, "answers"),
        ({**ANSWERS, "extra": 1}, "extra"),
    ):
        refused = answer(vetting, case_id, request_id, bad)
        assert refused.status_code == 422 and field in refused.json["errors"], refused.json
    assert answer(vetting, case_id, str(uuid.uuid4())).status_code == 404
    assert answer(vetting, str(uuid.uuid4()), request_id).status_code == 404
    done = answer(vetting, case_id, request_id)
    assert done.status_code == 200, done.json
    assert (done.json["status"], done.json["waiting_on"]) == ("AWAITING_DECISION", "OFFICER")
    [request] = done.json["information_requests"]
    assert request["answers"] == ANSWERS["answers"] and request["sensitive"] is True
    assert request["answered_at"] is not None
    again = answer(vetting, case_id, request_id, who="manager")
    assert again.status_code == 409 and "ANSWERED" in again.json["errors"]["status"][0]
    trail = vetting.call("GET", f"/cases/{case_id}/audit").json
    [entry] = [e for e in trail if e["action"] == "case.information_received"]
    assert entry["actor"] == "officer-ann" and "shoplifting" not in str(entry)
    # The case is decided as usual afterwards.
    assert vetting.call(
        "POST", f"/cases/{case_id}/clearance", json={"reason": "Explained."}
    ).status_code in (201, 202)


def test_a_plain_request_is_the_organisations_to_answer(vetting):
    app_id = vetting.submit()
    vetting.work()
    case_id = vetting.case(app_id)["id"]
    plain, sensitive = ask(vetting, case_id, sensitive=False), ask(vetting, case_id)
    refused = answer(vetting, case_id, plain)
    assert refused.status_code == 409 and "sensitive" in refused.json["errors"]
    # One of two answered: the case still waits on the other.
    partly = answer(vetting, case_id, sensitive)
    assert (partly.json["status"], partly.json["waiting_on"]) == ("INFO_REQUESTED", "APPLICANT")
    vetting.event(
        "application.info_provided",
        {
            "application_id": app_id,
            "request_id": plain,
            "answers": [{"answer": "Tuesdays."}],
            "provided_at": iso_now(),
        },
    )
    assert vetting.case(app_id)["status"] == "AWAITING_DECISION"


def test_a_direct_answer_returns_a_review_to_review(vetting):
    app_id, _clearance = cleared(vetting, f"rev-{uuid.uuid4().hex[:6]}@example.org")
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
    case_id = vetting.case(app_id)["id"]
    assert vetting.case(app_id)["status"] == "REVIEW"
    request_id = ask(vetting, case_id)
    done = answer(vetting, case_id, request_id)
    assert (done.json["status"], done.json["waiting_on"]) == ("REVIEW", "OFFICER")


def test_no_answer_revives_a_withdrawn_case(vetting):
    app_id = vetting.submit()
    vetting.work()
    case_id = vetting.case(app_id)["id"]
    request_id = ask(vetting, case_id)
    vetting.event(
        "application.withdrawn",
        {"application_id": app_id, "reason": "Moved away.", "withdrawn_at": iso_now()},
    )
    late = answer(vetting, case_id, request_id)
    assert late.status_code == 409 and late.json["errors"]["status"] == ["The case is WITHDRAWN."]
    assert vetting.case(app_id)["status"] == "WITHDRAWN"
    security = answer(vetting, case_id, request_id, who="security")
    assert security.status_code == 403
