"""Finding a person without their badge, on both run modes: by name (accents and case dropped,
each word the start of a word), date of birth, badge or the application reference; the search
name kept with the names wherever they change; badge numbers in one form when issued and
checked (a lower-case badge at the gate is ALLOWED); the gate check by name and date of birth
(one match answers, several are a choice, none is NOT ALLOWED); every search audited; another
establishment's people are not there."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from access.models import Grant
from shared.audit.log import audit_log_table
from shared.reference import application_reference
from tests.support.access_harness import Access
from tests.support.erasure import person_erased


@pytest.fixture
def access(backend_env):
    harness = Access(backend_env["access"])
    yield harness
    harness.platform.engine.dispose()


def find(access: Access, code: str = "WWI", who: str = "officer", status: int = 200, **query):
    response = access.call("GET", f"/establishments/{code}/people", who, query_string=query)
    assert response.status_code == status, response.json
    return response.json


def names(found: dict) -> list[str]:
    return [f"{item['forenames']} {item['surname']}" for item in found["items"]]


def entries(access: Access, action: str) -> list[dict]:
    with access.platform.engine.connect() as connection:
        return [
            dict(row._mapping)
            for row in connection.execute(
                select(audit_log_table)
                .where(audit_log_table.c.action == action)
                .order_by(audit_log_table.c.id)
            )
        ]


def search_name_of(access: Access, grant_id: str) -> str | None:
    with access.platform.session_factory() as session:
        return session.get(Grant, grant_id).search_name


def test_find_by_name_without_accents_or_case_by_word_start(access):
    tag = uuid.uuid4().hex[:6]
    siobhan = access.grant_clearance(forenames="Siobhán", surname=f"O'Néill-{tag}")
    access.grant_clearance(forenames="Sean", surname=f"Neill-{tag}", date_of_birth="1990-01-02")
    access.grant_clearance(forenames="Rosa", surname=f"Other-{tag}", establishments=("BMI",))

    assert names(find(access, name=f"siobhan o'neill-{tag}")) == [f"Siobhán O'Néill-{tag}"]
    assert names(find(access, name=f"SIOBH ONEILL {tag}")) == [f"Siobhán O'Néill-{tag}"]
    # Each word starts a word of the name: "s" starts both forenames, "eill" starts nothing.
    assert len(find(access, name=f"s {tag}")["items"]) == 2
    assert find(access, name=f"eill {tag}")["items"] == []
    assert names(find(access, name=f"neill {tag}")) == [f"Sean Neill-{tag}"]
    # With a date of birth too: only the one born then.
    both = find(access, name=f"s {tag}", date_of_birth="1990-01-02")
    assert names(both) == [f"Sean Neill-{tag}"]
    [item] = find(access, name=f"siobhan {tag}")["items"]
    assert item["person_id"] == siobhan["person_id"]
    assert item["grant_id"] == access.grant_id(siobhan["person_id"])
    assert item["status"] == "PENDING_REVIEW" and item["date_of_birth"] == "1980-02-29"
    # Another establishment's people are not found here, nor by its staff here.
    assert find(access, name=f"rosa other {tag}")["items"] == []
    find(access, name="rosa", who="other", status=404)
    assert names(find(access, "BMI", "other", name=f"rosa {tag}")) == [f"Rosa Other-{tag}"]


def test_find_by_badge_as_typed_and_by_the_reference_in_emails(access):
    data = access.grant_clearance(surname=f"Badge-{uuid.uuid4().hex[:6]}")
    grant_id = access.grant_id(data["person_id"])
    badge = f"wwi-{uuid.uuid4().hex[:4]}"
    access.activate(grant_id, badge=f"  {badge} ")
    grant = access.grant(grant_id)
    assert grant["badge_number"] == badge.upper()
    assert grant["induction"]["done"]["ID_BADGE"]["badge_number"] == badge.upper()
    [by_badge] = find(access, badge=badge)["items"]
    assert by_badge["grant_id"] == grant_id and by_badge["badge_number"] == badge.upper()
    reference = application_reference(data["application_id"])
    for typed in (reference, reference.lower(), f" {reference} ", data["application_id"]):
        [by_reference] = find(access, reference=typed)["items"]
        assert by_reference["grant_id"] == grant_id
    # A second application on the same clearance: its reference finds the person too.
    second = str(uuid.uuid4())
    access.grant_clearance(
        person_id=data["person_id"],
        clearance_id=data["clearance_id"],
        application_id=second,
        surname=data["surname"],
    )
    [again] = find(access, reference=application_reference(second))["items"]
    assert again["grant_id"] == grant_id


def test_find_needs_something_to_search_by_and_checks_what_it_is_given(access):
    nothing = find(access, status=422)
    assert "at least one" in str(nothing["errors"])
    assert "name" in find(access, name="   ", status=422)["errors"]
    assert "reference" in find(access, reference="not-a-ref", status=422)["errors"]
    assert "date_of_birth" in find(access, date_of_birth="1980-02-30", status=422)["errors"]
    assert "badge" in find(access, badge="no spaces inside", status=422)["errors"]


def test_every_search_is_audited_naming_nobody(access):
    surname = f"Audit-{uuid.uuid4().hex[:6]}"
    data = access.grant_clearance(surname=surname)
    find(access, name=surname.lower(), date_of_birth="1980-02-29")
    [entry] = [e for e in entries(access, "people.searched") if e["detail"]["found"] == 1][-1:]
    assert entry["actor"] == "sec-ann" and entry["subject_id"] == "WWI"
    assert entry["detail"]["by"] == ["name", "date_of_birth"]
    assert entry["detail"]["person_ids"] == [data["person_id"]]
    assert surname.lower() not in str(entry) and surname not in str(entry)


def test_the_search_name_follows_the_names_wherever_they_change(access):
    surname = f"Fóllow-{uuid.uuid4().hex[:6]}"
    data = access.grant_clearance(forenames="Zoë", surname=surname)
    grant_id = access.grant_id(data["person_id"])
    assert search_name_of(access, grant_id) == f"zoe follow {surname[7:]}"
    # A revoked grant cleared again: the new request, opened beside it, carries the names.
    access.activate(grant_id)
    access.decide(grant_id, "revocation", {"reason": "Gone."}, who="head")
    access.grant_clearance(person_id=data["person_id"], forenames="Zoë", surname=surname)
    reopened = access.grant_id(data["person_id"])
    assert reopened != grant_id and search_name_of(access, reopened) == search_name_of(
        access, grant_id
    )
    # News naming someone else, accepted by the head of security: the search name follows.
    access.grant_clearance(person_id=data["person_id"], forenames="Zoe", surname="Renamed")
    [item] = [
        i
        for i in access.call("GET", "/establishments/WWI/review-items", "head").json
        if i["grant_id"] == reopened
    ]
    accepted = access.call(
        "POST",
        f"/review-items/{item['id']}/resolution",
        "head",
        json={"outcome": "ACCEPT", "reason": "Married."},
    )
    assert accepted.status_code == 200, accepted.json
    assert search_name_of(access, reopened) == "zoe renamed"
    assert find(access, name="zoe renamed")["items"][0]["grant_id"] == reopened
    # Erased: names and the search name gone; nobody is found by the old name.
    person_erased(access, data["person_id"], [data["application_id"]])
    assert search_name_of(access, reopened) is None and search_name_of(access, grant_id) is None
    assert find(access, name="zoe renamed")["items"] == []


def test_a_lower_case_badge_at_the_gate_is_allowed(access):
    data = access.grant_clearance()
    grant_id = access.grant_id(data["person_id"])
    badge = f"WWI-{uuid.uuid4().hex[:4].upper()}"
    access.activate(grant_id, badge=badge)
    for typed in (badge, badge.lower(), f"  {badge.lower()} "):
        answer = access.gate(badge=typed)
        assert answer["allowed"] is True and answer["grant_id"] == grant_id, typed
    assert access.gate(badge="WWI-NOBODY")["reason"] == "NO_GRANT"
    # Issued again in another case to someone else here: the same badge, refused.
    other = access.grant_clearance()
    other_grant = access.grant_id(other["person_id"])
    access.decide(other_grant, "approval", {"access_type": "ESCORTED"})
    taken = access.decide(
        other_grant,
        "induction",
        {"item": "ID_BADGE", "badge_number": badge.lower()},
        expect=422,
    )
    assert "badge_number" in taken["errors"]


def test_the_gate_by_name_and_date_of_birth(access):
    tag = uuid.uuid4().hex[:6]
    one = access.grant_clearance(forenames="Ana", surname=f"Núñez-{tag}")
    access.activate(access.grant_id(one["person_id"]))
    answer = access.gate(name=f"ana nunez-{tag}", date_of_birth="1980-02-29")
    assert answer["allowed"] is True and answer["surname"] == f"Núñez-{tag}"
    assert answer["grant_id"] == access.grant_id(one["person_id"]) and answer["matches"] == []
    # The wrong birthday: nobody, NOT ALLOWED as for an unknown badge.
    nobody = access.gate(name=f"ana nunez-{tag}", date_of_birth="1980-03-01")
    assert nobody["allowed"] is False and nobody["reason"] == "NO_GRANT"
    assert nobody["message"] == "No access at this establishment."
    # Two people of one name and birthday: a choice, then a check by the one chosen.
    two = access.grant_clearance(forenames="Ana", surname=f"Nunez-{tag}")
    several = access.gate(name=f"Ana Nunez-{tag}", date_of_birth="1980-02-29")
    assert several["allowed"] is False and several["reason"] == "SEVERAL_MATCHES"
    assert {m["person_id"] for m in several["matches"]} == {one["person_id"], two["person_id"]}
    chosen = access.gate(person=two["person_id"])
    assert chosen["reason"] == "PENDING_REVIEW"
    # Each is audited; the ones by name say so and name nobody.
    by_name = [e for e in entries(access, "gate.checked") if e["detail"].get("by")]
    assert [e["detail"]["reason"] for e in by_name[-2:]] == ["NO_GRANT", "SEVERAL_MATCHES"]
    assert all(tag not in str(e) for e in by_name)
    # Another establishment's: 404; a name without a date of birth: 422.
    response = access.call(
        "GET",
        "/establishments/WWI/gate-check",
        "other",
        query_string={"name": "Ana", "date_of_birth": "1980-02-29"},
    )
    assert response.status_code == 404
    half = access.call(
        "GET", "/establishments/WWI/gate-check", query_string={"name": f"Ana Nunez-{tag}"}
    )
    assert half.status_code == 422
    mixed = access.call(
        "GET",
        "/establishments/WWI/gate-check",
        query_string={"badge": "X-1", "name": "Ana", "date_of_birth": "1980-02-29"},
    )
    assert mixed.status_code == 422
