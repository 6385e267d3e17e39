"""The console's "Who holds access here", on both run modes: in the navigation, the filters as
GOV.UK controls, the table sorted by its headers, pages, a CSV link that keeps the filters (a
formula in a name arrives neutralised), answers checked field by field (422 with an error
summary, never a 500), each list audited, another establishment's list a 404."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest

from shared.audit import log as audit
from tests.support.console_harness import Console

HYPERLINK = '=HYPERLINK("http://evil.example/x","Click")'


@pytest.fixture
def console(backend_env):
    harness = Console(backend_env["access"])
    yield harness
    harness.access.platform.engine.dispose()


def key_holder(console: Console, surname: str, forenames: str = "Kay") -> str:
    access = console.access
    data = access.grant_clearance(forenames=forenames, surname=surname, access="KEY_HOLDING")
    grant_id = access.grant_id(data["person_id"])
    access.activate(grant_id, access_type="KEY_HOLDING")
    return grant_id


def listed_here(console: Console) -> list[dict]:
    with console.access.platform.session_factory() as session:
        found = audit.entries(session, subject_type="establishment", subject_id="WWI", limit=50)
    return [entry for entry in found if entry["action"].startswith("holders.")]


def test_the_list_filters_sorts_pages_and_downloads(console):
    client = console.signed_in("officer")
    keyes, formula = key_holder(console, "Keyes"), key_holder(console, HYPERLINK, "Mal")
    page = client.get("/console/holders")
    assert page.status_code == 200 and "Who holds access here" in page.text
    assert 'href="/console/holders"' in page.text  # in the navigation
    assert 'id="holders-status"' in page.text and 'id="holders-key_holders"' in page.text
    assert console.grant_id in page.text  # the pending request is a current grant too
    key = client.get("/console/holders?establishment=WWI&key_holders=true").text
    assert keyes in key and formula in key and console.grant_id not in key
    assert 'aria-sort="ascending"' in key  # by name, unless a header says otherwise
    # The header's link keeps the filters and turns the order round.
    link = unescape(re.search(r'href="(/console/holders\?[^"]*sort=name[^"]*)"', key).group(1))
    assert "key_holders=true" in link and "direction=desc" in link
    backwards = client.get(link).text
    assert backwards.index(keyes) < backwards.index(formula)  # "Keyes" after "=HYPERLINK"
    csv_link = unescape(re.search(r'id="holders-csv" href="([^"]+)"', key).group(1))
    assert "key_holders=true" in csv_link
    download = client.get(csv_link)
    assert download.status_code == 200 and download.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True))))
    assert sorted(row["Grant ID"] for row in rows) == sorted([keyes, formula])
    assert {row["Surname"] for row in rows} == {"Keyes", "'" + HYPERLINK}
    audited = [entry["action"] for entry in listed_here(console)]
    assert sorted(audited) == ["holders.exported"] + ["holders.listed"] * 3


def test_pages_of_the_list(console):
    client = console.signed_in("officer")
    for index in range(26):
        console.access.grant_clearance(surname=f"Page-{index:02d}")
    first = client.get("/console/holders").text
    assert "govuk-pagination" in first and "page=2" in unescape(first)
    second = client.get("/console/holders?page=2").text
    assert "Page 2: 2 grants" in second and 'aria-current="page"' in second


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"expiring_within_days": "soon"}, "expiring_within_days", "whole number from 0 to 366"),
        ({"expiring_within_days": "999"}, "expiring_within_days", "whole number from 0 to 366"),
        ({"status": "OPEN"}, "status", "Choose statuses from the list"),
        ({"key_holders": "true", "access_type": "ESCORTED"}, "access_type", "Key holders have"),
        ({"sort": "salary"}, "sort", "Sort by one of the table"),
        ({"page": "0"}, "page", "not one of this list"),
    ],
)
def test_what_the_list_is_given_is_checked(console, query, field, message):
    client = console.signed_in("officer")
    for path in ("/console/holders", "/console/holders.csv"):
        response = client.get(path, query_string=query)
        assert response.status_code == 422, path
        assert "There is a problem" in response.text and f'href="#holders-{field}' in response.text
        assert message in response.text


def test_another_establishments_list_is_not_there(console):
    other = console.signed_in("other")
    for path in ("/console/holders", "/console/holders.csv"):
        assert other.get(f"{path}?establishment=WWI").status_code == 404
    assert console.grant_id not in other.get("/console/holders").text
