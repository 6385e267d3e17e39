"""The on-site register on both run modes: only a person the gate lets in now is signed in, once
at a time; signing out closes the visit; "on site now" lists the open visits and flags those
left open from an earlier day (London); a person's visits; another establishment's are a 404;
every sign-in (a refused one too) and sign-out is audited against the grant; erasure, retention
and a subject access request cover the visits."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from access.models import Grant, Visit
from access.service_layer import retention as access_retention
from access.service_layer.subject_access import gather
from shared.audit.log import audit_log_table
from shared.clock import LONDON, ManualClock
from tests.support.access_harness import STAFF, Access
from tests.support.clock import today
from tests.support.erasure import person_erased


def _london(hour: int, days: int = 0) -> datetime:
    return datetime.combine(today() + timedelta(days=days), time(hour), LONDON).astimezone(UTC)


@pytest.fixture
def clock():
    return ManualClock(_london(8))


@pytest.fixture
def access(backend_env, clock):
    harness = Access(backend_env["access"], clock=clock)
    yield harness
    harness.platform.engine.dispose()


def let_in(access: Access, surname: str = "O'Neill", **kwargs) -> dict:
    """A person with an ACTIVE grant at WWI."""
    data = access.grant_clearance(surname=surname, **kwargs)
    access.activate(access.grant_id(data["person_id"]), badge=f"V-{uuid.uuid4().hex[:6]}")
    return data


def sign_in(access: Access, person_id: str, code: str = "WWI", who: str = "officer"):
    return access.call("POST", f"/establishments/{code}/visits", who, json={"person_id": person_id})


def visit_audit(access: Access) -> list[dict]:
    with access.platform.engine.connect() as connection:
        return [
            dict(row._mapping)
            for row in connection.execute(
                select(audit_log_table)
                .where(audit_log_table.c.action.like("visit.%"))
                .order_by(audit_log_table.c.id)
            )
        ]


def test_an_allowed_person_signs_in_once_and_out_audited(access):
    data = let_in(access)
    person_id, grant_id = data["person_id"], access.grant_id(data["person_id"])
    response = sign_in(access, person_id)
    assert response.status_code == 201, response.json
    visit = response.json
    assert visit["grant_id"] == grant_id and visit["surname"] == "O'Neill"
    assert visit["signed_in_by"] == STAFF["officer"][0] and visit["signed_out_at"] is None
    assert visit["badge_number"].startswith("V-") and visit["left_open"] is False

    again = sign_in(access, person_id, who="officer2")
    assert again.status_code == 409
    assert "already signed in" in again.json["message"]

    [on_site] = access.call("GET", "/establishments/WWI/on-site").json
    assert on_site["id"] == visit["id"]

    out = access.call("POST", f"/establishments/WWI/visits/{visit['id']}/sign-out", "officer2")
    assert out.status_code == 200, out.json
    assert out.json["signed_out_by"] == STAFF["officer2"][0] and out.json["signed_out_at"]
    twice = access.call("POST", f"/establishments/WWI/visits/{visit['id']}/sign-out")
    assert twice.status_code == 409
    assert access.call("GET", "/establishments/WWI/on-site").json == []
    # Out, they may come in again.
    assert sign_in(access, person_id).status_code == 201

    entries = visit_audit(access)
    assert [(e["action"], e["actor"], e["subject_id"]) for e in entries] == [
        ("visit.signed_in", STAFF["officer"][0], grant_id),
        ("visit.signed_out", STAFF["officer2"][0], grant_id),
        ("visit.signed_in", STAFF["officer"][0], grant_id),
    ]
    assert entries[0]["detail"] == {"establishment": "WWI", "visit_id": visit["id"]}
    assert all(e["outcome"] == "SUCCESS" for e in entries)


def test_a_person_the_gate_would_not_let_in_is_refused_and_that_is_audited(access):
    pending = access.grant_clearance(surname="Pending")
    suspended = let_in(access, surname="Suspended")
    access.decide(access.grant_id(suspended["person_id"]), "suspension", {"reason": "Checks."})
    nobody = str(uuid.uuid4())
    for person_id, message in (
        (pending["person_id"], "not yet decided"),
        (suspended["person_id"], "suspended"),
        (nobody, "No access at this establishment"),
    ):
        response = sign_in(access, person_id)
        assert response.status_code == 409, response.json
        assert message in response.json["message"]
    with access.platform.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Visit)) == 0
    refused = visit_audit(access)
    assert [(e["action"], e["outcome"]) for e in refused] == [("visit.refused", "REFUSED")] * 3
    assert [e["detail"]["reason"] for e in refused] == ["PENDING_REVIEW", "SUSPENDED", "NO_GRANT"]
    assert refused[2]["subject_id"] == "-"


def test_a_person_not_permitted_today_is_refused(access):
    weekday = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")[today().weekday()]
    data = access.grant_clearance(surname="Tuesday")
    other_day = "TUE" if weekday != "TUE" else "WED"
    access.activate(access.grant_id(data["person_id"]), permitted_days=[other_day])
    response = sign_in(access, data["person_id"])
    assert response.status_code == 409 and "not permitted on this day" in response.json["message"]


def test_visits_left_open_from_an_earlier_day_are_flagged(access, clock):
    early, late = let_in(access, surname="Early"), let_in(access, surname="Late")
    yesterday = sign_in(access, early["person_id"]).json
    clock.set(_london(7, days=1))  # the next morning, London time
    this_morning = sign_in(access, late["person_id"]).json
    on_site = access.call("GET", "/establishments/WWI/on-site").json
    assert [(v["id"], v["left_open"]) for v in on_site] == [
        (yesterday["id"], True),
        (this_morning["id"], False),
    ]
    out = access.call("POST", f"/establishments/WWI/visits/{yesterday['id']}/sign-out").json
    assert out["left_open"] is False
    [entry] = [e for e in visit_audit(access) if e["action"] == "visit.signed_out"]
    assert entry["detail"]["left_open"] is True


def test_a_persons_visits_newest_first(access, clock):
    data = let_in(access)
    first = sign_in(access, data["person_id"]).json
    access.call("POST", f"/establishments/WWI/visits/{first['id']}/sign-out")
    clock.advance(hours=2)
    second = sign_in(access, data["person_id"]).json
    history = access.call(
        "GET", "/establishments/WWI/visits", query_string={"person_id": data["person_id"]}
    )
    assert history.status_code == 200
    assert [v["id"] for v in history.json] == [second["id"], first["id"]]
    assert history.json[1]["signed_out_at"] is not None
    bad = access.call("GET", "/establishments/WWI/visits", query_string={"person_id": "nope"})
    assert bad.status_code == 422
    assert access.call("POST", "/establishments/WWI/visits", json={}).status_code == 422


def test_another_establishments_register_does_not_exist_for_them(access):
    data = let_in(access)
    visit = sign_in(access, data["person_id"]).json
    person = {"person_id": data["person_id"]}
    assert sign_in(access, data["person_id"], who="other").status_code == 404
    assert sign_in(access, data["person_id"], code="BMI", who="other").status_code == 409
    for method, path, kwargs in (
        ("GET", "/establishments/WWI/on-site", {}),
        ("GET", "/establishments/WWI/visits", {"query_string": person}),
        ("POST", f"/establishments/WWI/visits/{visit['id']}/sign-out", {}),
        ("POST", f"/establishments/BMI/visits/{visit['id']}/sign-out", {}),
    ):
        response = access.call(method, path, "other", **kwargs)
        assert response.status_code == 404, (path, response.status_code)
    assert access.call("GET", "/establishments/WWI/on-site", "auditor").status_code == 403
    assert access.call("GET", "/establishments/BMI/on-site", "other").json == []
    assert access.call("GET", "/establishments/WWI/on-site").json[0]["signed_out_at"] is None


def test_erasure_retention_and_subject_access_cover_visits(access, clock):
    erased, kept = let_in(access, surname="Erased"), let_in(access, surname="Kept")
    sign_in(access, erased["person_id"])
    visit = sign_in(access, kept["person_id"]).json

    with access.platform.session_factory() as session:
        found = gather(session, kept["person_id"], None, None, clock.now())
    assert [v["signed_in_at"] for v in found["visits"]] == [
        datetime.fromisoformat(visit["signed_in_at"])
    ]
    assert found["visits"][0]["signed_in_by"] == STAFF["officer"][0]

    person_erased(access, erased["person_id"], [erased["application_id"]])
    with access.platform.session_factory() as session:
        left = session.execute(select(Visit.person_id)).scalars().all()
    assert left == [kept["person_id"]]

    access.call("POST", f"/establishments/WWI/visits/{visit['id']}/sign-out")
    grant_id = access.grant_id(kept["person_id"])
    access.decide(grant_id, "revocation", {"reason": "Passed a package."}, who="head")
    with access.platform.session_factory() as session:
        grant = session.get(Grant, grant_id)
        detail = access_retention.purge_grant(session, grant)
        session.commit()
        assert "visits" in detail["fields"]
        assert session.scalar(select(func.count()).select_from(Visit)) == 0
