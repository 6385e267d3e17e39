"""The portal's spreadsheet upload on both run modes: the templates, a CSV or XLSX file checked
by a dry run whose report is a page (row, column, problem; nothing created), then every draft
created or none, for the coordinator's organisation only; the file's faults as field errors;
the checked copy sealed for its organisation and person, kept 30 minutes, committed once."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from applications.models import Application, Organisation
from applications.service_layer import bulk, spreadsheets
from shared.audit import log as audit
from shared.clock import ManualClock
from tests.integration.applications.test_bulk_intake import BAD, SIOBHAN, TOM, csv_body
from tests.support import operator_cli
from tests.support.clock import now
from tests.support.identity import PROVIDER
from tests.support.platforms import count
from tests.support.portal_harness import Portal

UPLOAD = "/portal/upload"
COMMIT = "/portal/upload/commit"


@pytest.fixture
def portal(backend_env: dict[str, dict[str, str]]) -> Iterator[Portal]:
    harness = Portal(backend_env["applications"])
    yield harness
    harness.close()


def upload(client, content: bytes, filename: str = "volunteers.csv"):
    return client.post(
        UPLOAD,
        data={"csrf_token": csrf(client), "spreadsheet": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def csrf(client) -> str:
    page = client.get(UPLOAD)
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def sealed(page) -> str:
    return re.search(r'name="checked" value="([^"]+)"', page.text).group(1)


def commit(client, token: str):
    return client.post(COMMIT, data={"csrf_token": csrf(client), "checked": token})


def workbook(*rows: dict[str, object], columns=tuple(bulk.COLUMNS)) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(columns))
    for row in rows:
        sheet.append([row.get(column) for column in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def drafts(portal: Portal, organisation: str = "A") -> list[Application]:
    with portal.platform.session_factory() as db:
        return list(
            db.scalars(
                select(Application).where(
                    Application.organisation_id == portal.organisation_ids[organisation]
                )
            )
        )


def test_the_page_offers_both_templates_the_columns_and_the_prison_codes(portal):
    page = portal.signed_in("coord_a").get(UPLOAD)
    assert page.status_code == 200
    assert '<h1 class="govuk-heading-l">Upload a spreadsheet</h1>' in page.text
    assert 'enctype="multipart/form-data"' in page.text and 'type="file"' in page.text
    for column in bulk.COLUMNS:
        assert column in page.text.replace("<wbr>", "")
    assert "/portal/upload/template.csv" in page.text and "template.xlsx" in page.text
    assert "WWI" in page.text  # the prison codes, with their names


def test_the_templates_have_the_columns_and_one_example_row_that_passes_the_check(portal):
    client = portal.signed_in("coord_a")
    as_csv = client.get("/portal/upload/template.csv")
    assert as_csv.status_code == 200 and as_csv.mimetype == "text/csv"
    assert "attachment" in as_csv.headers["Content-Disposition"]
    rows = bulk.read_csv(as_csv.data)
    as_xlsx = client.get("/portal/upload/template.xlsx")
    assert as_xlsx.status_code == 200 and as_xlsx.mimetype == spreadsheets.XLSX_TYPE
    assert spreadsheets.read_xlsx(as_xlsx.data) == rows and len(rows) == 1
    assert rows[0].cells["forenames"] == "Siobhán"  # accents intact in both
    assert not bulk.check_rows(rows, None, commit=False).errors
    guidance = load_workbook(io.BytesIO(as_xlsx.data))["Guidance"]
    assert [row[0] for row in guidance.iter_rows(min_row=2, values_only=True)] == list(bulk.COLUMNS)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_file_with_problems_is_reported_by_row_and_column_and_nothing_is_created(portal, kind):
    client = portal.signed_in("coord_a")
    content = csv_body(SIOBHAN, BAD, TOM) if kind == "csv" else workbook(SIOBHAN, BAD, TOM)
    page = upload(client, content, f"volunteers.{kind}")
    assert page.status_code == 422
    assert "<title>Error: Fix the problems in your spreadsheet" in page.text
    assert 'href="#problems"' in page.text and "nothing has been created" in page.text
    # BAD is the file's second applicant: the spreadsheet's row 3 (row 1 is the header).
    text = page.text.replace("<wbr>", "")  # where a column's name may break on a phone
    cells = re.findall(r'<td class="govuk-table__cell">([^<]*)</td>', text)
    problems = [tuple(cells[i : i + 3]) for i in range(0, len(cells), 3)]
    assert ("3", "email", "Not a valid email address.") in problems
    assert any(row == "3" and column == "establishments" for row, column, _ in problems)
    assert any(row == "3" and column == "no_middle_name" for row, column, _ in problems)
    assert {row for row, _, _ in problems} == {"3"}
    assert 'name="checked"' not in page.text  # no way to create anything
    assert 'type="file"' in page.text  # the corrected file goes up from here
    assert drafts(portal) == []


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_clean_file_is_previewed_then_created_all_at_once_for_the_organisation(portal, kind):
    client = portal.signed_in("coord_a")
    content = csv_body(SIOBHAN, TOM) if kind == "csv" else workbook(SIOBHAN, TOM)
    page = upload(client, content, f"Volunteers.{kind.upper()}")
    assert page.status_code == 200, page.text
    assert "Check the applications before you create them" in page.text
    assert "Siobhán Máire O&#39;Connor" in page.text
    assert "Create 2 draft applications" in page.text
    assert drafts(portal) == []  # the dry run created nothing
    created = commit(client, sealed(page))
    assert created.status_code == 302 and created.headers["Location"].endswith(
        "/portal/applications"
    )
    made = drafts(portal)
    assert sorted(d.applicant["surname"] for d in made) == ["Hughes", "O'Connor"]
    assert all(d.status == "DRAFT" for d in made) and drafts(portal, "B") == []
    assert "2 draft applications created" in client.get("/portal/applications").text
    with portal.platform.session_factory() as db:
        entry = db.execute(
            select(audit.audit_log_table).where(
                audit.audit_log_table.c.action == "bulk_upload.committed"
            )
        ).one()
    assert entry.actor == f"portal:public-{portal.username('coord_a')}"
    assert entry.detail["organisation_id"] == portal.organisation_ids["A"]
    assert sorted(entry.detail["application_ids"]) == sorted(d.id for d in made)


def test_the_same_checked_file_is_created_once(portal):
    client = portal.signed_in("coord_a")
    token = sealed(upload(client, csv_body(TOM)))
    assert commit(client, token).status_code == 302
    again = commit(client, token)
    assert again.status_code == 409 and "already created from this file" in again.text
    assert len(drafts(portal)) == 1


def test_the_commit_checks_every_row_again_and_creates_none_if_one_fails(portal):
    client = portal.signed_in("coord_a")
    # Between the check and the commit, the volunteer's address becomes the coordinator's own
    # (no volunteer may give it).
    mine = {**TOM, "email": "mine@example.org"}
    token = sealed(upload(client, csv_body(SIOBHAN, mine)))
    with portal.platform.unit_of_work() as uow:
        uow.session.get(
            Organisation, portal.organisation_ids["A"]
        ).coordinator_email = "mine@example.org"
        uow.commit()
    refused = commit(client, token)
    assert refused.status_code == 422 and "Fix the problems in your spreadsheet" in refused.text
    assert drafts(portal) == []


def test_a_sealed_copy_opens_only_for_its_person_and_organisation_and_for_30_minutes(
    backend_env,
):
    clock = ManualClock(now())
    portal = Portal(backend_env["applications"], clock=clock)
    coordinator = portal.signed_in("coord_a")
    token = sealed(upload(coordinator, csv_body(TOM)))
    for who in ("admin_a", "coord_b"):  # another person, another organisation
        other = portal.signed_in(who)
        refused = commit(other, token)
        assert refused.status_code == 422 and "Upload the file again" in refused.text
    assert commit(coordinator, token[:-4] + "AAAA").status_code == 422  # tampered
    clock.advance(timedelta(minutes=20))
    coordinator.get(UPLOAD)  # the portal's own session stays alive; the seal does not
    clock.advance(timedelta(minutes=11))
    expired = commit(coordinator, token)
    assert expired.status_code == 422 and "Upload the file again" in expired.text
    assert drafts(portal) == [] == drafts(portal, "B")
    portal.close()


@pytest.mark.parametrize(
    ("content", "filename", "status", "message"),
    [
        (b"", "", 422, "Select a CSV or XLSX file."),
        (b"a,b", "volunteers.xls", 422, "The selected file must be a CSV or XLSX file."),
        (b"a,b", "volunteers", 422, "The selected file must be a CSV or XLSX file."),
        (b"", "volunteers.csv", 422, "The selected file is empty."),
        (b"not a zip", "volunteers.xlsx", 422, "is not an Excel workbook"),
        (b"\xff\xfe,x", "volunteers.csv", 422, "Save the file as &#39;CSV UTF-8&#39;"),
        (b"name,age\r\nA,1\r\n", "volunteers.csv", 422, "Unknown column(s): name, age"),
        (b"forenames\r\n", "volunteers.csv", 422, "Give one applicant a row."),
        (b"x" * (bulk.MAX_BYTES + 1), "big.csv", 413, "must be smaller than 4 MB"),
        (b"x" * (bulk.MAX_BYTES + 100 * 1024), "bigger.csv", 413, "must be smaller than 4 MB"),
    ],
)
def test_a_file_that_cannot_be_used_is_a_field_error(portal, content, filename, status, message):
    client = portal.signed_in("coord_a")
    page = upload(client, content, filename)
    assert page.status_code == status, page.text[:2000]
    assert "<title>Error: Upload a spreadsheet" in page.text
    assert 'class="govuk-error-summary' in page.text and 'href="#spreadsheet"' in page.text
    assert message in page.text and 'id="spreadsheet-error"' in page.text
    assert drafts(portal) == []


def test_an_xlsx_reads_dates_and_numbers_as_typed_and_numbers_rows_as_the_sheet_does(portal):
    from datetime import date, datetime

    row = {**TOM, "date_of_birth": datetime(1975, 11, 30), "identity_document_expiry": None}
    content = workbook(row, {}, {**TOM, "date_of_birth": date(1975, 11, 31 - 1), "surname": 7})
    rows = spreadsheets.read_xlsx(content)
    assert [r.number for r in rows] == [1, 3]  # the blank row 2 is skipped, not renumbered
    assert rows[0].cells["date_of_birth"] == "1975-11-30" and rows[1].cells["surname"] == "7"


def test_pages_need_signing_in_and_a_membership(portal):
    anonymous = portal.app.test_client()
    for path in (UPLOAD, "/portal/upload/template.csv", "/portal/upload/template.xlsx"):
        answer = anonymous.get(path)
        assert answer.status_code == 302 and "/portal/login" in answer.headers["Location"]
    assert anonymous.post(COMMIT).status_code in (302, 400)
    PROVIDER.add_public_user(portal.username("stranger"), portal.email("stranger"))
    stranger = portal.signed_in("stranger")  # signed in, but a member of no organisation
    for path in (UPLOAD, "/portal/upload/template.csv"):
        answer = stranger.get(path)
        assert answer.status_code == 302 and answer.headers["Location"].endswith("/portal/")
    assert count(portal.platform, Application.__table__) == 0


def test_the_api_and_the_cli_take_an_xlsx_workbook_too(api, backend_env, tmp_path):
    client, platform = api

    def post(body, query="?dry_run=true"):
        return client.call(
            "POST",
            f"/applications/bulk{query}",
            org="A",
            data=body,
            content_type=spreadsheets.XLSX_TYPE,
        )

    checked = post(workbook(SIOBHAN, BAD, TOM))
    assert checked.status_code == 200, checked.json
    assert [e["row"] for e in checked.json["errors"]] == [2]
    assert post(b"not a workbook").status_code == 400
    created = post(workbook(SIOBHAN, TOM), "?dry_run=false")
    assert created.status_code == 201 and len(created.json["created_ids"]) == 2
    spec = client.raw.get("/openapi.json").json
    assert (
        spreadsheets.XLSX_TYPE
        in spec["paths"]["/applications/bulk"]["post"]["requestBody"]["content"]
    )
    with platform.session_factory() as db:
        organisation_id = db.scalars(select(Organisation.id).where(Organisation.name == "Org A"))
        organisation_id = organisation_id.one()
    path = tmp_path / "volunteers.xlsx"
    path.write_bytes(workbook(TOM))
    done = operator_cli("applications", backend_env["applications"])(
        "bulk-import", organisation_id, str(path), "--commit"
    )
    assert done.returncode == 0 and "Created 1 draft(s)" in done.stdout, done.stderr
