"""Who holds access here, in the API, on both run modes: an establishment's current grants
filtered (status, access type, key holders, expiring within N days, exclusions due for review,
awaiting induction), ordered, paged with a stable order, and exported as CSV with the same
filters (a name a spreadsheet would run as a formula arrives as text); bad filters are 422 per
field; every list and export is audited; another establishment's list is not there."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from shared.audit.log import audit_log_table
from shared.clock import ManualClock
from tests.support.access_harness import Access
from tests.support.clock import now

HYPERLINK = '=HYPERLINK("http://evil.example/x","Click")'


@pytest.fixture
def clock():
    return ManualClock(now())


@pytest.fixture
def access(backend_env, clock):
    harness = Access(backend_env["access"], clock=clock)
    yield harness
    harness.platform.engine.dispose()


def person(harness: Access, surname: str, forenames: str = "Ann", **kwargs) -> str:
    data = harness.grant_clearance(forenames=forenames, surname=surname, **kwargs)
    return harness.grant_id(data["person_id"], kwargs.get("establishments", ("WWI",))[0])


def active(
    harness: Access, surname: str, access_type: str, days: int | None = None, who="officer", **kw
) -> str:
    """An ACTIVE grant of that type, valid for `days` (else until the clearance expires)."""
    grant_id = person(harness, surname, access="KEY_HOLDING", **kw)
    terms = {"valid_until": (now() + timedelta(days=days)).isoformat()} if days else {}
    harness.decide(grant_id, "approval", {"access_type": access_type, **terms}, who)
    items = ["SECURITY_BRIEFING", "KEY_TRAINING"] if access_type == "KEY_HOLDING" else []
    for item in items or ["SECURITY_BRIEFING"]:
        harness.decide(grant_id, "induction", {"item": item}, who)
    badge = {"item": "ID_BADGE", "badge_number": grant_id[:8]}
    assert harness.decide(grant_id, "induction", badge, who)["status"] == "ACTIVE"
    return grant_id


@pytest.fixture
def world(access, clock):
    """WWI: key holders expiring in 20 days (one named as a formula) and in a year, an escorted
    visitor expiring in 10, a request, an approval awaiting induction, two exclusions (one due
    for review after the clock moves on a week); BMI: a key holder expiring in 20 days."""
    ids = {
        "key_soon": active(access, "Keyes", "KEY_HOLDING", 20),
        "formula": active(access, HYPERLINK, "KEY_HOLDING", 25, forenames="Mal"),
        "key_later": active(access, "Lock", "KEY_HOLDING"),
        "escorted_soon": active(access, "Escott", "ESCORTED", 10),
        "pending": person(access, "Pending"),
        "approved": person(access, "Approved", access="KEY_HOLDING"),
        "excluded_due": active(access, "Dew", "UNESCORTED"),
        "excluded_later": active(access, "Later", "UNESCORTED"),
        "elsewhere": active(
            access, "Keyes", "KEY_HOLDING", 20, who="other", establishments=("BMI",)
        ),
    }
    access.decide(ids["approved"], "approval", {"access_type": "KEY_HOLDING"})
    for key, days in (("excluded_due", 5), ("excluded_later", 60)):
        review = (now() + timedelta(days=days)).date().isoformat()
        body = {"reason": "Brought in a phone.", "review_on": review}
        access.decide(ids[key], "exclusion", body, who="head")
    clock.advance(days=7)
    return ids


def holders(access: Access, who: str = "officer", expect: int = 200, code="WWI", **query):
    response = access.call("GET", f"/establishments/{code}/holders", who, query_string=query)
    assert response.status_code == expect, response.json
    return response.json


def ids_of(page: dict) -> list[str]:
    return [item["grant_id"] for item in page["items"]]


def test_each_filter_selects_what_it_says(access, world):
    every = holders(access)
    assert set(ids_of(every)) == set(world.values()) - {world["elsewhere"]}
    key = holders(access, key_holders="true")
    # Key-holding terms, whatever the state: the approved one awaits its key training.
    key_holders = ("key_soon", "formula", "key_later", "approved")
    assert set(ids_of(key)) == {world[k] for k in key_holders}
    # A week on: the 20- and 25-day key holders end within 30 days, the 10-day visitor too.
    soon = holders(access, expiring_within_days=30)
    assert set(ids_of(soon)) == {world[k] for k in ("key_soon", "formula", "escorted_soon")}
    both = holders(access, key_holders="true", expiring_within_days=30)
    assert set(ids_of(both)) == {world["key_soon"], world["formula"]}
    # The visitor's last day is 3 days from today now: within 3 days, not within 2.
    assert ids_of(holders(access, expiring_within_days=3)) == [world["escorted_soon"]]
    assert ids_of(holders(access, expiring_within_days=2)) == []
    assert ids_of(holders(access, review_due="true")) == [world["excluded_due"]]
    assert ids_of(holders(access, awaiting_induction="true")) == [world["approved"]]
    [induction] = holders(access, awaiting_induction="true")["items"]
    assert induction["induction_outstanding"] == ["SECURITY_BRIEFING", "ID_BADGE", "KEY_TRAINING"]
    assert ids_of(holders(access, status="PENDING_REVIEW")) == [world["pending"]]
    excluded = holders(access, status=["EXCLUDED", "PENDING_REVIEW"])
    wanted = ("pending", "excluded_due", "excluded_later")
    assert set(ids_of(excluded)) == {world[k] for k in wanted}
    escorted = holders(access, access_type=["ESCORTED"])
    assert ids_of(escorted) == [world["escorted_soon"]]


def test_orders_are_stable_and_pages_neither_skip_nor_repeat(access, world):
    by_name = holders(access)["items"]
    surnames = [item["surname"] for item in by_name]
    assert surnames == sorted(surnames)
    backwards = [item["surname"] for item in holders(access, direction="desc")["items"]]
    assert backwards == surnames[::-1]
    expiring = [i["valid_until"] for i in holders(access, sort="valid_until")["items"]]
    dated = [moment for moment in expiring if moment]
    assert dated == sorted(dated) and expiring[: len(dated)] == dated  # undated last
    latest = [
        i["valid_until"] for i in holders(access, sort="valid_until", direction="desc")["items"]
    ]
    assert latest[0] == max(dated)
    seen: list[str] = []
    for page in range(1, 5):
        got = holders(access, size=3, page=page)
        seen += ids_of(got)
        assert got["more"] is (page < 3), page
    assert seen == [item["grant_id"] for item in by_name]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "OPEN"}, "status"),
        ({"access_type": "ROOF"}, "access_type"),
        ({"expiring_within_days": "-1"}, "expiring_within_days"),
        ({"expiring_within_days": "400"}, "expiring_within_days"),
        ({"expiring_within_days": "soon"}, "expiring_within_days"),
        ({"key_holders": "perhaps"}, "key_holders"),
        ({"sort": "salary"}, "sort"),
        ({"direction": "up"}, "direction"),
        ({"page": "0"}, "page"),
        ({"size": "500"}, "size"),
        ({"key_holders": "true", "access_type": "ESCORTED"}, "access_type"),
    ],
)
def test_bad_filters_are_422_on_their_field(access, query, field):
    answer = holders(access, expect=422, **query)
    assert field in answer["errors"], answer
    if field not in ("page", "size"):  # the file is all of it: it has no pages
        csv_answer = access.call("GET", "/establishments/WWI/holders.csv", query_string=query)
        assert csv_answer.status_code == 422 and field in csv_answer.json["errors"]


def rows_of(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.json
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_the_csv_has_the_same_filters_and_neutralises_formulas(access, world):
    query = {"key_holders": "true", "expiring_within_days": "30", "sort": "valid_until"}
    response = access.call("GET", "/establishments/WWI/holders.csv", query_string=query)
    rows = rows_of(response)
    assert [row["Grant ID"] for row in rows] == [world["key_soon"], world["formula"]]
    assert rows[1]["Surname"] == "'" + HYPERLINK
    assert rows[0]["Surname"] == "Keyes" and rows[0]["Access type"] == "KEY_HOLDING"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row.values())
    every = rows_of(access.call("GET", "/establishments/WWI/holders.csv"))
    assert len(every) == len(world) - 1


def entries(access: Access, action: str) -> list[dict]:
    with access.platform.engine.connect() as connection:
        rows = connection.execute(
            select(audit_log_table)
            .where(audit_log_table.c.action == action)
            .order_by(audit_log_table.c.id)
        )
        return [dict(row._mapping) for row in rows]


def test_every_list_and_export_is_audited_naming_nobody(access, world):
    holders(access, key_holders="true", expiring_within_days=30)
    access.call("GET", "/establishments/WWI/holders.csv", query_string={"review_due": "true"})
    [listed] = entries(access, "holders.listed")
    assert listed["actor"] == "sec-ann" and listed["subject_id"] == "WWI"
    assert listed["detail"]["filters"] == {"key_holders": "true", "expiring_within_days": 30}
    assert listed["detail"]["found"] == 2 and len(listed["detail"]["person_ids"]) == 2
    [exported] = entries(access, "holders.exported")
    assert exported["detail"]["filters"] == {"review_due": "true"}
    assert exported["detail"]["found"] == 1
    assert "Keyes" not in str(listed) and "HYPERLINK" not in str(exported)


def test_another_establishments_holders_are_not_there(access, world):
    for path in ("/establishments/WWI/holders", "/establishments/WWI/holders.csv"):
        denied = access.call("GET", path, "other")
        assert denied.status_code == 404 and denied.json == {"status": 404, "message": "Not found."}
        assert access.call("GET", path, "vetting").status_code == 403
        assert access.call("GET", path, None).status_code == 401
    assert ids_of(holders(access, "other", code="BMI")) == [world["elsewhere"]]
    both = holders(access, "both", code="BMI", key_holders="true")
    assert ids_of(both) == [world["elsewhere"]]
    assert entries(access, "holders.exported") == []
