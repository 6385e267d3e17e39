"""Access follows vetting, on both run modes: a clearance suspended, revoked or expired
suspends or ends every grant of that person at every establishment; reinstatement lifts only
the suspension it names, never the establishment's own; a renewal reopens review without taking
working access away; news naming someone else is held for the security team."""

from __future__ import annotations

import pytest

from tests.support.access_harness import Access
from tests.support.clock import iso_now


@pytest.fixture
def access(backend_env):
    return Access(backend_env["access"])


# The suspension vetting's events name (a reinstatement lifts only the one it names).
SUSPENSION = "5a1d0c3e-7b9f-4e2a-8c61-0d4f2b9e7a13"


def _change(data, **extra):
    return {
        "clearance_id": data["clearance_id"],
        "application_id": data["application_id"],
        "person_id": data["person_id"],
        **extra,
    }


def _now():
    return iso_now()


def _suspend(access, data, reason, **named):
    access.event(
        "vetting.clearance_suspended",
        _change(
            data, reason=reason, suspended_at=_now(), **({"suspension_id": SUSPENSION} | named)
        ),
    )


def _reinstate(access, data, **named):
    access.event(
        "vetting.clearance_reinstated",
        _change(data, reinstated_at=_now(), **({"suspension_id": SUSPENSION} | named)),
    )


def _two_active_grants(access):
    data = access.grant_clearance(establishments=("WWI", "BMI"))
    wwi = access.grant_id(data["person_id"], "WWI")
    bmi = access.grant_id(data["person_id"], "BMI")
    access.activate(wwi)
    access.decide(bmi, "approval", {"access_type": "ESCORTED"}, who="other")
    return data, wwi, bmi


def test_a_suspended_clearance_suspends_every_grant_everywhere(access):
    data, wwi, bmi = _two_active_grants(access)
    _suspend(access, data, "CHANGE_OF_CIRCUMSTANCES")
    assert access.grant(wwi)["status"] == "SUSPENDED"
    assert access.grant(bmi, who="other")["status"] == "SUSPENDED"
    suspended = access.published("access.suspended")
    assert sorted(e["establishment_code"] for e in suspended) == ["BMI", "WWI"]
    assert {e["by"] for e in suspended} == {"VETTING"}
    assert access.gate(person=data["person_id"])["allowed"] is False
    # Redelivery changes nothing.
    _suspend(access, data, "CHANGE_OF_CIRCUMSTANCES")
    assert len(access.published("access.suspended")) == 2


def test_a_pending_request_cannot_be_approved_while_the_clearance_is_suspended(access):
    data = access.grant_clearance()
    grant_id = access.grant_id(data["person_id"])
    _suspend(access, data, "OFFICER_DECISION")
    assert access.grant(grant_id)["status"] == "PENDING_REVIEW"
    assert access.grant(grant_id)["clearance"]["status"] == "SUSPENDED"
    access.decide(grant_id, "approval", {"access_type": "ESCORTED"}, expect=409)
    _reinstate(access, data)
    assert access.decide(grant_id, "approval", {"access_type": "ESCORTED"})["status"] == "APPROVED"


def test_reinstatement_restores_what_vetting_suspended_but_not_a_local_suspension(access):
    data, wwi, bmi = _two_active_grants(access)
    access.decide(wwi, "suspension", {"reason": "Searched: contraband"})
    _suspend(access, data, "OFFICER_DECISION")
    _reinstate(access, data)
    assert access.grant(wwi)["status"] == "SUSPENDED"  # the prison's own suspension stands
    assert access.grant(bmi, who="other")["status"] == "APPROVED"  # back where it was
    assert access.gate(person=data["person_id"])["reason"] == "SUSPENDED"
    # Lifting the local suspension now brings it back.
    assert access.decide(wwi, "reinstatement", {"reason": "Resolved"})["status"] == "ACTIVE"
    assert access.gate(person=data["person_id"])["allowed"] is True


def test_local_reinstatement_waits_for_vetting(access):
    data, wwi, _bmi = _two_active_grants(access)
    access.decide(wwi, "suspension", {"reason": "Incident"})
    _suspend(access, data, "OFFICER_DECISION")
    still = access.decide(wwi, "reinstatement", {"reason": "Our side is resolved"})
    assert still["status"] == "SUSPENDED" and not still["suspended_locally"]
    _reinstate(access, data)
    assert access.grant(wwi)["status"] == "ACTIVE"


@pytest.mark.parametrize(
    "event_type,field",
    [("vetting.clearance_revoked", "revoked_at"), ("vetting.clearance_expired", "expired_at")],
)
def test_a_revoked_or_expired_clearance_ends_every_grant(access, event_type, field):
    data, wwi, bmi = _two_active_grants(access)
    access.event(event_type, _change(data, **{field: _now()}))
    assert access.grant(wwi)["status"] == "ENDED"
    assert access.grant(bmi, who="other")["status"] == "ENDED"
    ended = access.published("access.ended")
    assert len(ended) == 2 and {e["by"] for e in ended} == {"VETTING"}
    access.event(event_type, _change(data, **{field: _now()}))
    assert len(access.published("access.ended")) == 2
    assert access.gate(person=data["person_id"])["reason"] == "ENDED"


def test_news_of_an_older_clearance_moves_nothing(access):
    data, wwi, _bmi = _two_active_grants(access)
    old = {**data, "clearance_id": "00000000-0000-4000-8000-000000000001"}
    access.event("vetting.clearance_revoked", _change(old, revoked_at=_now()))
    assert access.grant(wwi)["status"] == "ACTIVE"


def test_a_renewal_reopens_review_and_keeps_access_meanwhile(access):
    data, wwi, bmi = _two_active_grants(access)
    renewal = access.grant_clearance(
        person_id=data["person_id"],
        establishments=("WWI",),
        access="ESCORTED",
        expires_in_days=730,
        replaces_clearance_id=data["clearance_id"],
    )
    grant = access.grant(wwi)
    assert grant["status"] == "ACTIVE" and grant["renewal"] and grant["awaiting_review"]
    assert grant["access_type"] == "ESCORTED"  # capped at once: the new clearance allows less
    assert grant["clearance"]["id"] == renewal["clearance_id"]
    assert access.gate(person=data["person_id"])["allowed"] is True
    reopened = [e["grant_id"] for e in access.published("access.request_opened") if e["renewal"]]
    assert sorted(reopened) == sorted([wwi, bmi])
    queue = access.call("GET", "/establishments/WWI/queue").json["items"]
    assert [item["id"] for item in queue] == [wwi]
    approved = access.decide(wwi, "approval", {"access_type": "ESCORTED"})
    assert approved["status"] == "ACTIVE" and not approved["awaiting_review"]
    assert approved["valid_until"][:10] == renewal["expires_at"][:10]
    # BMI, which the renewal did not name, never rests on the replaced clearance: it moves onto
    # the new one too (capped to it), still approved, for BMI's own review.
    elsewhere = access.grant(bmi, who="other")
    assert elsewhere["clearance"]["id"] == renewal["clearance_id"]
    assert elsewhere["status"] == "APPROVED" and elsewhere["awaiting_review"]
    assert elsewhere["access_type"] == "ESCORTED"


def test_a_refused_person_with_a_new_application_is_reviewed_again_beside_the_refusal(access):
    data = access.grant_clearance()
    grant_id = access.grant_id(data["person_id"])
    access.decide(grant_id, "refusal", {"reason": "Not now"})
    access.grant_clearance(person_id=data["person_id"], clearance_id=data["clearance_id"])
    assert access.grant(grant_id)["status"] == "REFUSED"
    assert access.grant(access.grant_id(data["person_id"]))["status"] == "PENDING_REVIEW"


def test_an_exclusion_stands_until_its_review_date_whatever_vetting_says(access):
    data = access.grant_clearance()
    grant_id = access.grant_id(data["person_id"])
    access.activate(grant_id)
    access.decide(
        grant_id, "exclusion", {"reason": "Governor", "review_on": "2099-01-01"}, who="head"
    )
    access.grant_clearance(person_id=data["person_id"])
    assert access.grant(grant_id)["status"] == "EXCLUDED"
    assert access.gate(person=data["person_id"])["reason"] == "EXCLUDED"


def test_the_same_clearance_on_another_application_leaves_an_admitted_person_alone(access):
    data, wwi, _bmi = _two_active_grants(access)
    access.grant_clearance(
        person_id=data["person_id"],
        clearance_id=data["clearance_id"],
        establishments=("WWI", "LEI"),
    )
    grant = access.grant(wwi)
    assert grant["status"] == "ACTIVE" and not grant["awaiting_review"]
    opened = access.published("access.request_opened")
    assert sorted(e["establishment_code"] for e in opened) == ["BMI", "LEI", "WWI"]
