"""An officer may mark an information request sensitive: the event says so, so that the
request goes to the volunteer alone and the organisation is told only that the volunteer was
asked. On embedded SQLite and real PostgreSQL."""

from __future__ import annotations


def test_a_sensitive_request_says_so_in_its_event_and_a_plain_one_does_not(vetting):
    app_id = vetting.submit()
    vetting.work()
    case = vetting.case(app_id)
    path = f"/cases/{case['id']}/information-requests"
    plain = vetting.call(
        "POST",
        path,
        json={"items": [{"question": "Which group do you attend?"}], "reason": "Group unclear."},
    )
    sensitive = vetting.call(
        "POST",
        path,
        json={
            "items": [{"question": "Tell us about the caution in 2019."}],
            "reason": "The record check found a caution that was not declared.",
            "sensitive": True,
        },
    )
    assert plain.status_code == 201 and sensitive.status_code == 201, sensitive.json
    events = {e["request_id"]: e for e in vetting.published("vetting.info_requested")}
    assert events[plain.json["id"]]["sensitive"] is False
    assert events[sensitive.json["id"]]["sensitive"] is True
    # The organisation's copies: a sensitive request's questions stay with the volunteer, and
    # neither carries why vetting asks.
    told = {e["request_id"]: e for e in vetting.published("vetting.info_request_announced")}
    assert told[plain.json["id"]]["items"] == events[plain.json["id"]]["items"]
    assert told[sensitive.json["id"]]["items"] == []
    assert told[sensitive.json["id"]]["sensitive"] is True
    assert not any("reason" in e for e in told.values())
    wrong = vetting.call(
        "POST",
        path,
        json={"items": [{"question": "Which group?"}], "reason": "Why.", "sensitive": "maybe"},
    )
    assert wrong.status_code == 422 and "sensitive" in wrong.json["errors"]
