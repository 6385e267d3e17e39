"""Bulk intake on both run modes: a CSV of draft applicants, checked by a dry run, committed all
or nothing, for the calling organisation only; and the operator's `bulk-import` command."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from applications.models import Application, Organisation, TimelineEntry
from applications.service_layer import bulk
from tests.support import operator_cli
from tests.support.platforms import count

COLUMNS = list(bulk.COLUMNS)
SIOBHAN = {
    "forenames": "Siobhán",
    "middle_names": "Máire",
    "surname": "O'Connor",
    "date_of_birth": "1980-04-01",
    "email": "s@example.org",
    "mobile": "07700 900123",
    "preferred_channel": "EMAIL",
    "role": "GROUP_FACILITATOR",
    "establishments": "WWI; BMI",
    "requested_access": "ESCORTED",
    "frequency": "REGULAR",
    "place_of_birth_town": "Cork",
    "place_of_birth_country": "Ireland",
    "national_insurance_number": "ab 12 34 56 c",
    "identity_document_type": "PASSPORT",
    "identity_document_number": "534 791 7Q2Z",
    "identity_document_expiry": "2031-01-31",
}
TOM = {
    "forenames": "Tom",
    "no_middle_name": "Yes",
    "surname": "Hughes",
    "date_of_birth": "1975-11-30",
    "email": "t@example.org",
    "role": "VISITING_SPEAKER",
    "establishments": "LEI",
    "requested_access": "ESCORTED",
    "frequency": "ONE_OFF",
}
BAD = {
    "forenames": "Ann",
    "surname": "Lee",
    "email": "not-an-email",
    "establishments": "WWI ww1",
    "no_middle_name": "maybe",
}


def csv_body(*rows, columns=COLUMNS, bom=False):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode()


def post(client, body, query="", org="A", content_type="text/csv"):
    return client.call(
        "POST", f"/applications/bulk{query}", org=org, data=body, content_type=content_type
    )


def nothing_written(platform):
    return count(platform, Application.__table__) == 0 == count(platform, TimelineEntry.__table__)


def test_a_dry_run_reports_each_bad_row_by_number_and_column_and_writes_nothing(api):
    client, platform = api
    body = csv_body(SIOBHAN, BAD, TOM, {}, bom=True)  # a BOM, and a blank row at the end
    for query in ("", "?dry_run=true"):  # a dry run unless told otherwise
        response = post(client, body, query)
        assert response.status_code == 200, response.json
        assert response.json == {
            "dry_run": True,
            "rows": 3,
            "created_ids": [],
            "errors": [
                {
                    "row": 2,
                    "errors": {
                        "no_middle_name": ["Use true, false, yes or no (or leave it blank)."],
                        "email": ["Not a valid email address."],
                        "establishments": ["ww1: Not a valid establishment code."],
                    },
                }
            ],
        }
    clean = post(client, csv_body(SIOBHAN, TOM))
    assert clean.status_code == 200 and clean.json["errors"] == [] and clean.json["rows"] == 2
    assert nothing_written(platform)


def test_a_commit_with_any_bad_row_is_refused_and_writes_nothing(api):
    client, platform = api
    response = post(client, csv_body(SIOBHAN, TOM, BAD), "?dry_run=false")
    assert response.status_code == 422
    assert response.json["status"] == 422 and "Nothing was created" in response.json["message"]
    assert [e["row"] for e in response.json["errors"]] == [3]
    assert "email" in response.json["errors"][0]["errors"]
    assert response.json["created_ids"] == [] and response.json["dry_run"] is False
    assert nothing_written(platform)


def test_a_commit_creates_the_callers_drafts_and_nobody_elses(api):
    client, platform = api
    response = post(client, csv_body(SIOBHAN, TOM), "?dry_run=false")
    assert response.status_code == 201, response.json
    assert response.json["errors"] == [] and response.json["dry_run"] is False
    ids = response.json["created_ids"]
    assert len(ids) == 2

    listed = client.call("GET", "/applications").json["items"]
    assert [a["id"] for a in listed] == ids
    assert [a["applicant_name"] for a in listed] == ["Siobhán O'Connor", "Tom Hughes"]
    assert {a["status"] for a in listed} == {"DRAFT"}
    first = client.call("GET", f"/applications/{ids[0]}").json
    assert first["establishments"] == ["WWI", "BMI"]
    assert first["applicant"]["contact"] == {
        "email": "s@example.org",
        "mobile": "07700 900123",
        "preferred_channel": "EMAIL",
    }
    assert first["applicant"]["date_of_birth"] == "1980-04-01"
    assert first["applicant"]["place_of_birth"] == {"town": "Cork", "country": "Ireland"}
    assert first["applicant"]["national_insurance_number"] == "AB123456C"  # as written, tidied
    assert first["applicant"]["identity_documents"] == [
        {"type": "PASSPORT", "number": "5347917Q2Z", "expiry": "2031-01-31"}
    ]
    second = client.call("GET", f"/applications/{ids[1]}").json
    assert second["applicant"]["no_middle_name"] is True
    assert second["applicant"]["contact"]["preferred_channel"] == "EMAIL"  # the API's default
    assert "middle_names" not in second["applicant"]  # a blank cell is "not given"
    for application_id in ids:
        readiness = client.call("GET", f"/applications/{application_id}/readiness")
        assert readiness.status_code == 200 and readiness.json["ready"] is False
        assert client.call("GET", f"/applications/{application_id}", org="B").status_code == 404
    assert client.call("GET", "/applications", org="B").json["items"] == []
    with platform.session_factory() as session:
        owner = session.execute(
            select(Organisation.name)
            .join(Application, Application.organisation_id == Organisation.id)
            .distinct()
        ).scalars()
        assert list(owner) == ["Org A"]


@pytest.mark.parametrize(
    ("kwargs", "status", "named"),
    [
        ({"content_type": "application/json", "body": b'{"rows": []}'}, 415, "text/csv"),
        ({"content_type": "text/plain", "body": csv_body(SIOBHAN)}, 415, "text/csv"),
        ({"org": None, "body": csv_body(SIOBHAN)}, 401, "Authentication required"),
        (
            {"body": csv_body({**SIOBHAN, "shoe_size": "9"}, columns=[*COLUMNS, "shoe_size"])},
            400,
            "shoe_size",
        ),
        ({"body": csv_body(*[TOM] * (bulk.MAX_ROWS + 1))}, 400, "more than 1000 rows"),
        ({"body": csv_body()}, 400, "no rows"),
        ({"body": b"forenames\n" + b"x" * bulk.MAX_BYTES}, 413, "capacity"),
        ({"body": b""}, 400, "header row"),
        ({"body": "forenames\nZo\u00eb\n".encode("latin-1")}, 400, "UTF-8"),
        ({"body": csv_body(SIOBHAN, columns=["surname", *COLUMNS])}, 400, "Repeated column"),
        ({"body": csv_body(SIOBHAN), "query": "?dry_run=sometimes"}, 422, "dry_run"),
    ],
)
def test_unusable_requests_are_refused_with_a_json_error_and_write_nothing(
    api, kwargs, status, named
):
    client, platform = api
    response = post(client, **{"query": "?dry_run=false", **kwargs})
    assert response.status_code == status, response.json
    assert response.json["status"] == status
    assert named in str(response.json), response.json
    assert nothing_written(platform)


def test_the_endpoint_is_in_the_openapi_document_with_its_csv_body(api):
    client, _platform = api
    spec = client.raw.get("/openapi.json").json
    operation = spec["paths"]["/applications/bulk"]["post"]
    assert "text/csv" in operation["requestBody"]["content"]
    assert {"200", "201", "400", "413", "415", "422"} <= set(operation["responses"])
    assert "BulkResult" in spec["components"]["schemas"]
    example = operation["requestBody"]["content"]["text/csv"]["example"]
    checked = post(client, example.encode())
    assert checked.status_code == 200 and checked.json["errors"] == [], checked.json


def test_the_cli_shows_progress_and_writes_only_with_commit(api, backend_env, tmp_path):
    client, platform = api
    with platform.session_factory() as session:
        organisation_id = session.execute(
            select(Organisation.id).where(Organisation.name == "Org A")
        ).scalar_one()

    operator = operator_cli("applications", backend_env["applications"])

    def cli(path, *args, organisation=organisation_id):
        return operator("bulk-import", organisation, str(path), *args)

    bad, good = tmp_path / "bad.csv", tmp_path / "good.csv"
    bad.write_bytes(csv_body(SIOBHAN, BAD, TOM))
    good.write_bytes(csv_body(SIOBHAN, TOM))

    refused = cli(bad, "--commit")
    assert refused.returncode == 1, refused.stderr
    assert "Checking 3 row(s)" in refused.stderr
    assert "row 2: email: Not a valid email address." in refused.stdout
    assert "3 row(s): 2 valid, 1 with errors." in refused.stdout
    dry = cli(good)
    assert dry.returncode == 0, dry.stderr
    assert "Checking 2 row(s)" in dry.stderr and "Dry run: nothing was written" in dry.stdout
    assert nothing_written(platform)

    committed = cli(good, "--commit")
    assert committed.returncode == 0, committed.stderr
    assert "Created 2 draft(s)" in committed.stdout
    listed = client.call("GET", "/applications").json["items"]
    assert [a["id"] for a in listed] == committed.stdout.strip().splitlines()[-2:]

    unknown = cli(good, organisation="no-such-organisation")
    assert unknown.returncode == 1 and "no organisation" in unknown.stderr


def test_a_row_may_give_the_group_and_area_checked_like_the_api(api):
    client, _platform = api
    placed = {**SIOBHAN, "group_name": "Tuesday evening meeting", "area": "Chapel"}
    bad = post(client, csv_body(placed, {**TOM, "area": "x" * 121}))
    assert [(e["row"], list(e["errors"])) for e in bad.json["errors"]] == [(2, ["area"])]
    response = post(client, csv_body(placed, TOM), "?dry_run=false")
    assert response.status_code == 201, response.json
    first, second = (
        client.call("GET", f"/applications/{i}").json for i in response.json["created_ids"]
    )
    assert (first["group_name"], first["area"]) == ("Tuesday evening meeting", "Chapel")
    assert (second["group_name"], second["area"]) == (None, None)
