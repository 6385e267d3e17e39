"""An officer's terms when clearing: conditions from the policy's managed list or in their
words, fewer months than the level's validity, an earlier review date; each checked field by
field (422, nothing written), kept on the clearance, carried on vetting.clearance_granted
(never to the organisation or the people told), and kept through a countersignature. Each test
runs on embedded SQLite and on real PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from tests.support.clock import today
from tests.support.vetting_harness import Vetting


def _clear(vetting: Vetting, app_id: str, **body):
    case = vetting.case(app_id)
    return vetting.call(
        "POST", f"/cases/{case['id']}/clearance", json={"reason": "Nothing of concern.", **body}
    )


def test_terms_are_kept_on_the_clearance_and_carried_to_the_prisons_only(vetting):
    app_id = vetting.submit()
    vetting.work()
    review_on = today() + timedelta(days=60)
    cleared = _clear(
        vetting,
        app_id,
        condition_codes=["CHAPLAINCY_PRESENT", "NEVER_ALONE_WITH_PRISONER"],
        other_condition="  No visits to the healthcare wing.  ",
        validity_months=12,
        review_on=review_on.isoformat(),
    )
    assert cleared.status_code == 201, cleared.json
    clearance = cleared.json
    custom = [
        {"code": "CHAPLAINCY_PRESENT", "text": "Only with a member of the chaplaincy present"},
        {"code": "NEVER_ALONE_WITH_PRISONER", "text": "Never alone with a prisoner"},
        {"code": "OTHER", "text": "No visits to the healthcare wing."},
    ]
    assert clearance["custom_conditions"] == custom
    assert clearance["review_on"] == review_on.isoformat()
    issued = datetime.fromisoformat(clearance["issued_at"])
    expires = datetime.fromisoformat(clearance["expires_at"])
    assert 364 <= (expires - issued).days <= 367  # 12 months, not the level's 36
    [granted] = vetting.published("vetting.clearance_granted")
    assert granted["custom_conditions"] == custom
    assert granted["review_on"] == review_on.isoformat()
    assert granted["expires_at"] == clearance["expires_at"]
    # The organisation and the people told hear of none of it.
    [org] = vetting.published("vetting.application_cleared")
    [announced] = vetting.published("vetting.clearance_announced")
    for told in (org, announced):
        assert "custom_conditions" not in told and "review_on" not in told
    again = vetting.call("GET", f"/clearances/{clearance['id']}")
    assert again.json["custom_conditions"] == custom


def test_bad_terms_are_field_level_422s_and_nothing_is_written(vetting):
    app_id = vetting.submit()
    vetting.work()
    expires_36 = today().replace(year=today().year + 3)
    cases = [
        ({"condition_codes": ["NOT_ON_THE_LIST"]}, "condition_codes"),
        ({"other_condition": "   "}, "other_condition"),
        ({"other_condition": "x" * 201}, "other_condition"),  # the policy's 200
        ({"other_condition": "x" * 501}, "other_condition"),  # the schema's 500
        ({"validity_months": 37}, "validity_months"),  # longer than the level's 36
        ({"validity_months": 0}, "validity_months"),
        ({"validity_months": "six"}, "validity_months"),
        ({"review_on": today().isoformat()}, "review_on"),
        ({"review_on": (today() - timedelta(days=1)).isoformat()}, "review_on"),
        ({"review_on": expires_36.isoformat()}, "review_on"),  # the clearance's end
        (
            {"validity_months": 6, "review_on": (today() + timedelta(days=200)).isoformat()},
            "review_on",
        ),
        ({"review_on": "next week"}, "review_on"),
    ]
    for body, field in cases:
        response = _clear(vetting, app_id, **body)
        assert response.status_code == 422, (body, response.json)
        assert field in response.json["errors"], (body, response.json)
    assert vetting.published("vetting.clearance_granted") == []
    assert vetting.case(app_id)["status"] == "AWAITING_DECISION"
    # The longest allowed: exactly the level's months.
    ok = _clear(vetting, app_id, validity_months=36)
    assert ok.status_code == 201, ok.json
    assert ok.json["custom_conditions"] == [] and ok.json["review_on"] is None


def test_terms_wait_with_a_proposal_and_are_issued_on_countersignature(vetting):
    # REFER (an undeclared record): the clearance is proposed, and a manager countersigns it.
    app_id = vetting.submit("jo+sim-undeclared@example.org")
    vetting.work()
    case = vetting.case(app_id)
    assert case["risk"]["recommendation"] == "REFER"
    review_on = (today() + timedelta(days=30)).isoformat()
    proposed = _clear(
        vetting,
        app_id,
        condition_codes=["GROUP_SESSIONS_ONLY"],
        validity_months=6,
        review_on=review_on,
    )
    assert proposed.status_code == 202, proposed.json
    assert vetting.published("vetting.clearance_granted") == []
    signed = vetting.call(
        "POST",
        f"/cases/{case['id']}/clearance/countersignature",
        who="manager2",
        json={"decision": "CONFIRM", "note": "Agreed with the terms."},
    )
    assert signed.status_code == 200, signed.json
    clearance = vetting.call("GET", f"/clearances/{vetting.case(app_id)['clearance_id']}").json
    assert clearance["custom_conditions"] == [
        {"code": "GROUP_SESSIONS_ONLY", "text": "Group sessions only, no one-to-one work"}
    ]
    assert clearance["review_on"] == review_on
    expires = datetime.fromisoformat(clearance["expires_at"]).date()
    assert date.fromisoformat(review_on) < expires <= today() + timedelta(days=185)
    [granted] = vetting.published("vetting.clearance_granted")
    assert granted["review_on"] == review_on
