"""A prison's closing decisions stick, on both run modes: news from vetting never resets a
refusal, revocation or exclusion. A later clearance opens a new request beside the closed grant
(which stays as the establishment left it), and the security team sees the earlier decision
with the new request, in the API and in the console."""

from __future__ import annotations

import pytest

from tests.support.access_harness import Access


@pytest.fixture
def access(backend_env):
    return Access(backend_env["access"])


def _closed(access, how):
    """A person whose grant at WWI the prison closed `how`, and that grant's view."""
    data = access.grant_clearance()
    grant_id = access.grant_id(data["person_id"])
    if how == "refusal":
        access.decide(grant_id, "refusal", {"reason": "Known to staff: conflict"})
    else:
        access.activate(grant_id)
        access.decide(grant_id, how, {"reason": "Passed a package"}, who="head")
    return data, access.grant(grant_id)


@pytest.mark.parametrize("how", ["refusal", "revocation"])
@pytest.mark.parametrize("same_clearance", [True, False])
def test_a_new_clearance_opens_a_new_request_beside_the_closed_grant(access, how, same_clearance):
    data, before = _closed(access, how)
    person_id = data["person_id"]
    again = {"clearance_id": data["clearance_id"]} if same_clearance else {}
    access.grant_clearance(person_id=person_id, **again)  # another organisation's application

    after = access.grant(before["id"])
    for field in (
        "status",
        "status_reason",
        "decided_by",
        "decided_at",
        "access_type",
        "badge_number",
        "induction",
    ):
        assert after[field] == before[field], field
    assert after["superseded_at"] is not None

    new = access.grant(access.grant_id(person_id))
    assert new["id"] != before["id"] and new["status"] == "PENDING_REVIEW"
    assert new["awaiting_review"] and not new["renewal"]
    [earlier] = new["earlier_decisions"]
    assert earlier == {
        "grant_id": before["id"],
        "status": before["status"],
        "status_reason": before["status_reason"],
        "decided_by": before["decided_by"],
        "decided_at": before["decided_at"],
        "review_on": None,
        "superseded_at": after["superseded_at"],
    }
    assert access.gate(person=person_id)["reason"] == "PENDING_REVIEW"
    if before["badge_number"]:  # the old badge opens nothing
        assert access.gate(badge=before["badge_number"])["reason"] == "NO_GRANT"
    queue = access.call("GET", "/establishments/WWI/queue").json["items"]
    assert [item["id"] for item in queue] == [new["id"]]
    assert queue[0]["earlier_decisions"][0]["status"] == before["status"]
    # The closed grant takes no decision any more.
    access.decide(before["id"], "approval", {"access_type": "ESCORTED"}, expect=409)


def test_the_same_news_again_opens_nothing_more(access):
    data, before = _closed(access, "revocation")
    second = access.grant_clearance(person_id=data["person_id"])
    access.event("vetting.clearance_granted", second)
    access.event("vetting.clearance_granted", data)  # the first, late: already applied here
    assert len(access.grant_ids(data["person_id"])) == 2
    new_id = access.grant_id(data["person_id"])
    access.decide(new_id, "refusal", {"reason": "Still no"})
    access.event("vetting.clearance_granted", second)
    access.event("vetting.clearance_granted", data)
    assert len(access.grant_ids(data["person_id"])) == 2
    assert access.grant(before["id"])["status"] == "REVOKED"
    assert access.grant(new_id)["status"] == "REFUSED"


def test_vetting_news_about_the_old_clearance_leaves_the_history_alone(access):
    data, before = _closed(access, "revocation")
    access.grant_clearance(person_id=data["person_id"], clearance_id=data["clearance_id"])
    access.event(
        "vetting.clearance_revoked",
        {
            "clearance_id": data["clearance_id"],
            "application_id": data["application_id"],
            "person_id": data["person_id"],
            "revoked_at": data["issued_at"],
        },
    )
    old = access.grant(before["id"])
    assert old["status"] == "REVOKED" and old["status_reason"] == before["status_reason"]
    assert old["clearance"]["status"] == before["clearance"]["status"]
    assert access.grant(access.grant_id(data["person_id"]))["status"] == "ENDED"


def test_late_news_of_a_clearance_since_revoked_opens_no_request(access):
    """Vetting served another application from the clearance, then revoked it; the consumer
    hears of the revocation first: the late news must not open a request approvable on it."""
    data = access.grant_clearance()
    grant_id = access.grant_id(data["person_id"])
    access.activate(grant_id)
    access.event(
        "vetting.clearance_revoked",
        {
            "clearance_id": data["clearance_id"],
            "application_id": data["application_id"],
            "person_id": data["person_id"],
            "revoked_at": data["issued_at"],
        },
    )
    access.grant_clearance(
        person_id=data["person_id"],
        clearance_id=data["clearance_id"],
        establishments=("WWI", "BMI"),
    )
    assert access.grant_ids(data["person_id"]) == [grant_id]
    assert access.grant_ids(data["person_id"], "BMI") == []
    assert access.grant(grant_id)["status"] == "ENDED"


def test_a_second_new_request_shows_every_earlier_decision_newest_first(access):
    data, first = _closed(access, "refusal")
    access.grant_clearance(person_id=data["person_id"])
    second = access.grant_id(data["person_id"])
    access.decide(second, "refusal", {"reason": "Again no"})
    access.grant_clearance(person_id=data["person_id"])
    earlier = access.grant(access.grant_id(data["person_id"]))["earlier_decisions"]
    assert [e["grant_id"] for e in earlier] == [second, first["id"]]
    assert [e["status_reason"] for e in earlier] == ["Again no", "Known to staff: conflict"]


def test_another_establishment_never_sees_the_earlier_decision(access):
    data, before = _closed(access, "revocation")
    access.grant_clearance(person_id=data["person_id"], establishments=("WWI", "BMI"))
    bmi = access.grant(access.grant_id(data["person_id"], "BMI"), who="other")
    assert bmi["earlier_decisions"] == []
    assert access.call("GET", f"/grants/{before['id']}", "other").status_code == 404
    person = access.call("GET", f"/people/{data['person_id']}", "other").json
    assert [g["status"] for g in person["grants"]] == ["PENDING_REVIEW"]


def test_the_console_request_page_shows_the_earlier_decision(console):
    data, _before = _closed(console.access, "revocation")
    console.access.grant_clearance(person_id=data["person_id"])
    new_id = console.access.grant_id(data["person_id"])
    page = console.signed_in("officer").get(f"/console/grants/{new_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Earlier decisions here" in html and "Passed a package" in html
    assert "Revoked" in html


def test_an_exclusion_from_another_prison_reaches_no_other_prison(access):
    """EXCLUDE_ESTABLISHMENT:<code> points at a connection with someone in custody there: the
    other prisons see what they must enforce and that other conditions apply."""
    data = access.grant_clearance(
        establishments=("WWI", "BMI"), conditions=("ESCORTED_ONLY", "EXCLUDE_ESTABLISHMENT:LEI")
    )
    for code, who in (("WWI", "officer"), ("BMI", "other")):
        grant_id = access.grant_id(data["person_id"], code)
        response = access.call("GET", f"/grants/{grant_id}", who)
        clearance = response.json["clearance"]
        assert clearance["conditions"] == ["ESCORTED_ONLY"]
        assert clearance["other_conditions_apply"] is True
        assert "LEI" not in response.get_data(as_text=True)
    wwi = access.grant_id(data["person_id"], "WWI")
    access.activate(wwi, access_type="ESCORTED")
    assert "LEI" not in str(access.gate(person=data["person_id"]))
    assert "LEI" not in str(access.published())
    # With nothing withheld, nothing is said.
    plain = access.grant_clearance(conditions=("ESCORTED_ONLY",))
    clearance = access.grant(access.grant_id(plain["person_id"]))["clearance"]
    assert clearance["other_conditions_apply"] is False
