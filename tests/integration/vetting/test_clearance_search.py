"""GET /clearances as a search, on embedded SQLite and real PostgreSQL: by the holder's surname
and forenames (any case, from the start), date of birth (through the keyed hashes: it is
encrypted in the case), clearance id, status and expiry within N days, each result naming its
holder; filters combine; bad values are 422s."""

from __future__ import annotations

import uuid
from typing import Any

from tests.support.vetting_harness import Vetting, submitted_data


def _clear_someone(vetting: Vetting, forenames: str, surname: str, born: str) -> dict[str, Any]:
    data = submitted_data()
    applicant = data["applicant"]
    applicant.update(forenames=forenames, surname=surname, date_of_birth=born)
    # Nothing shared with the sample applicant, so this is a new person.
    for document in applicant["details"].get("identity_documents") or ():
        document["number"] = uuid.uuid4().hex[:9].upper()
    applicant["details"].pop("national_insurance_number", None)
    applicant["details"].pop("previous_names", None)
    vetting.event("application.submitted", data)
    vetting.work()
    case = vetting.case(data["application_id"])
    assert case["identity_status"] != "POSSIBLE_MATCH", case["identity"]
    response = vetting.call("POST", f"/cases/{case['id']}/clearance", json={"reason": "Fine."})
    assert response.status_code == 201, response.json
    return response.json


def _ids(vetting: Vetting, query: str) -> list[str]:
    response = vetting.call("GET", f"/clearances?{query}")
    assert response.status_code == 200, response.json
    return [c["id"] for c in response.json]


def test_search_by_name_birth_date_id_status_and_expiry(vetting: Vetting):
    ada = _clear_someone(vetting, "Ada", "Lovelace", "1985-12-10")
    alan = _clear_someone(vetting, "Alan", "Turing", "1982-06-23")
    alice = _clear_someone(vetting, "Alice", "Lovelace-Byron", "1985-12-10")

    assert set(_ids(vetting, "surname=lovelace")) == {ada["id"], alice["id"]}
    assert _ids(vetting, "surname=LOVELACE&forenames=ada") == [ada["id"]]
    assert _ids(vetting, "surname=turing") == [alan["id"]]
    assert _ids(vetting, "surname=%25") == []  # a % is a character, not a wildcard
    assert set(_ids(vetting, "date_of_birth=1985-12-10")) == {ada["id"], alice["id"]}
    assert _ids(vetting, "date_of_birth=1985-12-10&forenames=ali") == [alice["id"]]
    assert _ids(vetting, "date_of_birth=1999-01-01") == []
    assert _ids(vetting, f"clearance_id={alan['id']}") == [alan["id"]]
    assert _ids(vetting, f"clearance_id={uuid.uuid4()}") == []

    found = vetting.call("GET", "/clearances?surname=turing").json[0]
    assert found["holder_name"] == {"forenames": "Alan", "surname": "Turing"}
    one = vetting.call("GET", f"/clearances/{alan['id']}").json
    assert one["holder_name"]["surname"] == "Turing"

    path = f"/clearances/{alan['id']}/suspension"
    assert vetting.call("POST", path, json={"reason": "Checking."}).status_code == 200
    assert _ids(vetting, "surname=turing&status=SUSPENDED") == [alan["id"]]
    assert _ids(vetting, "surname=turing&status=ACTIVE") == []

    # Issued today for years: none expires within a week, all within ten years.
    assert not set(_ids(vetting, "expiring_within_days=7")) & {ada["id"], alan["id"]}
    assert {ada["id"], alan["id"], alice["id"]} <= set(_ids(vetting, "expiring_within_days=3650"))


def test_bad_search_values_are_refused(vetting: Vetting):
    for query in (
        "date_of_birth=10/12/1985",
        "clearance_id=not-a-uuid",
        "expiring_within_days=-1",
        "surname=",
        "status=SLEEPING",
    ):
        response = vetting.call("GET", f"/clearances?{query}")
        assert response.status_code == 422, (query, response.json)
    assert vetting.call("GET", "/clearances?surname=x", who="security").status_code == 403
