"""An organisation ends its sponsorship (application.sponsorship_ended), on both run modes: the
grants resting only on that application end at once and the prison is told; a grant another
organisation's application still rests on stays; what the prison closed stays as it decided."""

from __future__ import annotations

import uuid

import pytest

from tests.support.access_harness import Access
from tests.support.clock import iso_now


@pytest.fixture
def access(backend_env):
    return Access(backend_env["access"])


def _ended(access, application_id, **extra):
    access.event(
        "application.sponsorship_ended",
        {
            "application_id": application_id,
            "organisation_id": str(uuid.uuid4()),
            "reason_code": "LEFT_ORGANISATION",
            "ended_at": iso_now(),
            **extra,
        },
    )


def test_an_admitted_volunteer_whose_only_sponsor_stops_is_refused_at_the_gate(access):
    data = access.grant_clearance(establishments=("WWI", "BMI"))
    wwi = access.grant_id(data["person_id"], "WWI")
    bmi = access.grant_id(data["person_id"], "BMI")
    access.activate(wwi)
    assert access.gate(person=data["person_id"])["allowed"] is True
    _ended(access, data["application_id"], from_withdrawal=True)
    grant = access.grant(wwi)
    assert grant["status"] == "ENDED"
    assert grant["status_reason"] == "The organisation ended its sponsorship."
    assert access.grant(bmi, who="other")["status"] == "ENDED"  # the request lapses too
    assert access.gate(person=data["person_id"])["reason"] == "ENDED"
    ended = access.published("access.ended")
    assert sorted(e["establishment_code"] for e in ended) == ["BMI", "WWI"]
    assert {e["by"] for e in ended} == {"ORGANISATION"}
    assert access.call("GET", "/establishments/WWI/queue").json["items"] == []
    # Redelivered: nothing more.
    _ended(access, data["application_id"])
    assert len(access.published("access.ended")) == 2


def test_a_grant_another_organisation_still_sponsors_stays(access):
    data = access.grant_clearance()
    grant_id = access.grant_id(data["person_id"])
    access.activate(grant_id)
    other = access.grant_clearance(person_id=data["person_id"], clearance_id=data["clearance_id"])
    _ended(access, data["application_id"])
    grant = access.grant(grant_id)
    assert grant["status"] == "ACTIVE" and grant["application_id"] == other["application_id"]
    assert access.gate(person=data["person_id"])["allowed"] is True
    assert access.published("access.ended") == []
    # The second organisation stops too: now it ends.
    _ended(access, other["application_id"])
    assert access.grant(grant_id)["status"] == "ENDED"
    assert access.gate(person=data["person_id"])["allowed"] is False


def test_what_the_prison_closed_stays_as_it_decided(access):
    data = access.grant_clearance()
    grant_id = access.grant_id(data["person_id"])
    access.activate(grant_id)
    access.decide(grant_id, "revocation", {"reason": "Conduct"}, who="head")
    _ended(access, data["application_id"])
    grant = access.grant(grant_id)
    assert grant["status"] == "REVOKED" and grant["status_reason"] == "Conduct"
    assert access.published("access.ended") == []


def test_a_new_sponsor_later_opens_a_new_request_showing_the_ended_grant(access):
    data = access.grant_clearance()
    grant_id = access.grant_id(data["person_id"])
    access.activate(grant_id)
    _ended(access, data["application_id"])
    access.grant_clearance(person_id=data["person_id"], clearance_id=data["clearance_id"])
    new = access.grant(access.grant_id(data["person_id"]))
    assert new["id"] != grant_id and new["status"] == "PENDING_REVIEW"
    assert [e["status"] for e in new["earlier_decisions"]] == ["ENDED"]
    assert access.grant(grant_id)["status"] == "ENDED"


def test_an_ending_that_overtook_the_clearance_keeps_it_from_opening_a_request(access):
    """A withdrawal crossed the clearance and its news reached access first (the clearance's
    delivery was retried): the late clearance opens nothing a prison could approve."""
    application_id, person_id = str(uuid.uuid4()), str(uuid.uuid4())
    _ended(access, application_id, from_withdrawal=True, reason_code="OTHER")
    assert access.published() == []
    access.grant_clearance(
        application_id=application_id, person_id=person_id, establishments=("WWI", "BMI")
    )
    assert access.grant_ids(person_id) == [] and access.grant_ids(person_id, "BMI") == []
    assert access.published("access.request_opened") == []
    assert access.call("GET", "/establishments/WWI/queue").json["items"] == []
    assert access.gate(person=person_id)["allowed"] is False
    # Another organisation's application for the same person is a request as ever.
    other = access.grant_clearance(person_id=person_id)
    grant = access.grant(access.grant_id(person_id))
    assert grant["status"] == "PENDING_REVIEW"
    assert grant["application_id"] == other["application_id"]


def test_news_for_an_unknown_application_changes_nothing(access):
    _ended(access, str(uuid.uuid4()))
    assert access.published() == []
