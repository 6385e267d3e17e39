"""The sharper intake check through the API: 'not related' on a referee is stored and answers
the same surname and postcode question; postcodes are stored tidied; a placeholder middle name,
a connection at an unknown establishment and a passport expiring during vetting are reported
together with the rest. Both run modes."""

from __future__ import annotations

import copy
from datetime import timedelta

from applications.schemas.examples import sample_application
from tests.support.clock import today


def problems(client, application_id: str) -> tuple[bool, list[tuple[str, str, bool]]]:
    answer = client.call("GET", f"/applications/{application_id}/readiness")
    assert answer.status_code == 200, answer.json
    found = [(p["code"], p["field"], p["blocking"]) for p in answer.json["problems"]]
    return answer.json["ready"], found


def test_not_related_is_stored_and_answers_the_question(api):
    client, _platform = api
    body = copy.deepcopy(sample_application("s@example.org"))
    # The second referee shares the applicant's surname and current postcode, typed loosely.
    body["applicant"]["referees"][1].update({"surname": "o'connor", "postcode": " ls14ap"})
    draft = client.draft(body)
    stored = draft["applicant"]["referees"][1]
    assert stored["postcode"] == "LS1 4AP" and "not_related" not in stored
    assert problems(client, draft["id"]) == (
        True,
        [("REFEREE_MAY_BE_RELATIVE", "applicant.referees[1]", False)],
    )

    referees = copy.deepcopy(draft["applicant"]["referees"])
    referees[1]["not_related"] = True
    patched = client.call(
        "PATCH", f"/applications/{draft['id']}", json={"applicant": {"referees": referees}}
    )
    assert patched.status_code == 200, patched.json
    assert patched.json["applicant"]["referees"][1]["not_related"] is True
    assert problems(client, draft["id"]) == (True, [])

    wrong = copy.deepcopy(referees)
    wrong[1]["not_related"] = "maybe"
    refused = client.call(
        "PATCH", f"/applications/{draft['id']}", json={"applicant": {"referees": wrong}}
    )
    assert refused.status_code == 422
    assert refused.json["errors"] == {
        "applicant": {"referees": {"1": {"not_related": ["Not a valid boolean."]}}}
    }


def test_the_new_rules_are_reported_together(api):
    client, _platform = api
    body = copy.deepcopy(sample_application("s@example.org"))
    applicant = body["applicant"]
    applicant["middle_names"] = "N/A"
    applicant["connections"] = [
        {"name": "Sam Jones", "relationship": "friend", "establishment": "QQQ"}
    ]
    applicant["identity_documents"][0]["expiry"] = (today() + timedelta(days=20)).isoformat()
    applicant["referees"][0]["relationship"] = "Fiancée"
    draft = client.draft(body)
    ready, found = problems(client, draft["id"])
    assert not ready
    assert sorted(found) == [
        (
            "IDENTITY_DOCUMENT_EXPIRES_DURING_VETTING",
            "applicant.identity_documents[0].expiry",
            False,
        ),
        ("MIDDLE_NAME_PLACEHOLDER", "applicant.no_middle_name", True),
        ("REFEREE_IS_RELATIVE", "applicant.referees[0].relationship", True),
        ("UNKNOWN_CONNECTION_ESTABLISHMENT", "applicant.connections[0].establishment", True),
    ]
    assert client.call("POST", f"/applications/{draft['id']}/submit").status_code == 422
