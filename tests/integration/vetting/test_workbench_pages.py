"""The workbench's pages, signed in through the test identity provider, on both run modes: the
queue (order, badges, filters, pages), taking and releasing a case, the case page (the risk
summary, the read audited), clearances and their search. Who may see what:
test_workbench_matrix.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest

from tests.support.workbench_harness import Workbench, csrf
from vetting.workbench import queue_views


@pytest.fixture
def workbench(backend_env: dict[str, dict[str, str]]) -> Iterator[Workbench]:
    harness = Workbench(backend_env["vetting"])
    yield harness
    harness.platform.engine.dispose()


def rows(html: str) -> list[str]:
    """The queue's rows, in order."""
    body = html.split('<tbody class="govuk-table__body">', 1)[-1].split("</tbody>", 1)[0]
    return [row for row in body.split('<tr class="govuk-table__row">')[1:]]


def row_of(html: str, case_id: str) -> str:
    [row] = [row for row in rows(html) if f'/workbench/cases/{case_id}"' in row]
    return row


def case_ids(html: str) -> list[str]:
    return re.findall(r'href="/workbench/cases/([0-9a-f-]{36})"', html)


def test_the_queue_is_oldest_first_and_marks_what_needs_attention(workbench: Workbench):
    plain = workbench.awaiting_decision()
    overdue = workbench.information_overdue()
    failing = workbench.checks_failing()
    refusal = workbench.refusal_pending()
    clearance = workbench.clearance_pending()
    workbench.age(plain["id"], 12)
    workbench.age(refusal["id"], 5)
    client = workbench.signed_in("officer")

    page = client.get("/workbench/cases")

    assert page.status_code == 200
    order = case_ids(page.text)
    assert order[:2] == [plain["id"], refusal["id"]]
    assert set(order) >= {overdue["id"], failing["id"], clearance["id"]}
    first = row_of(page.text, plain["id"])
    assert ">12<" in first and "Awaiting decision" in first and "Officer" in first
    assert "Siobhán" in first and plain["applicant_name"]["surname"] in first
    assert "Information overdue" in row_of(page.text, overdue["id"])
    assert "Checks in error" in row_of(page.text, failing["id"])
    assert "Refusal awaiting countersignature" in row_of(page.text, refusal["id"])
    assert "Clearance awaiting countersignature" in row_of(page.text, clearance["id"])
    assert "Information overdue" not in first and "Checks in error" not in first


def test_a_possible_identity_match_is_marked(workbench: Workbench):
    impostor = workbench.possible_match()
    assert impostor["identity_status"] == "POSSIBLE_MATCH"
    client = workbench.signed_in("officer")

    queue = client.get("/workbench/cases").text
    assert "Possible identity match" in row_of(queue, impostor["id"])
    page = client.get(f"/workbench/cases/{impostor['id']}").text
    assert "Possible identity matches" in page and "The person vetting knows" in page
    assert "Same name and date of birth" in page


def test_the_queue_filters_by_state_level_party_and_age(workbench: Workbench):
    old = workbench.awaiting_decision()
    refusal = workbench.refusal_pending()
    asked = workbench.information_asked()
    decided = workbench.awaiting_decision()
    workbench.vetting.clear(decided["application_id"])
    workbench.age(old["id"], 30)
    client = workbench.signed_in("manager")

    # Undecided cases unless asked: a cleared case is under "Any, decided too".
    assert decided["id"] not in case_ids(client.get("/workbench/cases").text)
    assert decided["id"] in case_ids(client.get("/workbench/cases?status=ANY").text)

    by_state = client.get("/workbench/cases?status=REFUSAL_PENDING").text
    assert case_ids(by_state) == [refusal["id"]]
    assert 'value="REFUSAL_PENDING" selected' in by_state
    assert case_ids(client.get("/workbench/cases?waiting_on=APPLICANT").text) == [asked["id"]]
    assert case_ids(client.get("/workbench/cases?older_than_days=20").text) == [old["id"]]
    levelled = client.get("/workbench/cases?level=ENHANCED_CTC").text
    assert case_ids(levelled) == [] and "No case matches these filters" in levelled
    assert len(case_ids(client.get("/workbench/cases?level=STANDARD").text)) == 3

    wrong = client.get("/workbench/cases?older_than_days=-1&status=NOT_A_STATE")
    assert wrong.status_code == 200
    assert "<title>Error: " in wrong.text and "There is a problem" in wrong.text
    assert "Enter a number of days from 0 to 3650." in wrong.text
    assert 'href="#older_than_days"' in wrong.text


def test_the_queue_comes_a_page_at_a_time(workbench: Workbench, monkeypatch):
    monkeypatch.setattr(queue_views, "PAGE_SIZE", 2)
    cases = [workbench.awaiting_decision() for _ in range(5)]
    for days, case in zip((50, 40, 30, 20, 10), cases, strict=True):
        workbench.age(case["id"], days)
    client = workbench.signed_in("officer")

    first = client.get("/workbench/cases?waiting_on=OFFICER").text
    assert case_ids(first) == [cases[0]["id"], cases[1]["id"]]
    assert "govuk-pagination__prev" not in first
    [second_url] = re.findall(r'class="govuk-pagination__next">\s*<a[^>]*href="([^"]+)"', first)
    second_url = second_url.replace("&amp;", "&")
    assert "waiting_on=OFFICER" in second_url
    second = client.get(second_url).text
    assert case_ids(second) == [cases[2]["id"], cases[3]["id"]]
    assert "(page 2)" in second and "govuk-pagination__prev" in second
    [third_url] = re.findall(r'class="govuk-pagination__next">\s*<a[^>]*href="([^"]+)"', second)
    third = client.get(third_url.replace("&amp;", "&")).text
    assert case_ids(third) == [cases[4]["id"]] and "govuk-pagination__next" not in third
    [back] = re.findall(r'class="govuk-pagination__prev">\s*<a[^>]*href="([^"]+)"', third)
    assert case_ids(client.get(back.replace("&amp;", "&")).text) == case_ids(second)
    # A mangled page link starts again from the oldest.
    mangled = client.get("/workbench/cases?cursor=not-a-cursor")
    assert mangled.status_code == 302 and mangled.headers["Location"] == "/workbench/cases"


def test_take_and_release_a_case_and_someone_elses_is_refused(workbench: Workbench):
    case = workbench.awaiting_decision()
    ann, bob = workbench.signed_in("officer"), workbench.signed_in("officer2")
    take, release = f"/workbench/cases/{case['id']}/take", f"/workbench/cases/{case['id']}/release"

    taken = ann.post(
        take, data={"csrf_token": csrf(ann), "next": "/workbench/cases?level=STANDARD"}
    )
    assert taken.status_code == 302
    assert taken.headers["Location"] == "/workbench/cases?level=STANDARD"
    mine = ann.get("/workbench/my-cases").text
    assert case_ids(mine) == [case["id"]] and "You are working this case." in mine
    assert ">You<" in row_of(mine, case["id"])
    assert case_ids(bob.get("/workbench/my-cases").text) == []

    for url in (take, release):
        refused = bob.post(url, data={"csrf_token": csrf(bob), "next": "/workbench/cases"})
        assert refused.status_code == 409
        assert "There is a problem" in refused.text and "officer-ann is working" in refused.text
        assert "<title>Error: " in refused.text
    assert "officer-ann" in row_of(bob.get("/workbench/cases").text, case["id"])

    released = ann.post(release, data={"csrf_token": csrf(ann), "next": "/workbench/my-cases"})
    assert released.status_code == 302
    assert case_ids(ann.get("/workbench/my-cases").text) == []
    # A manager frees a case an officer holds (someone away, say).
    bob.post(take, data={"csrf_token": csrf(bob)})
    manager = workbench.signed_in("manager")
    page = manager.get(f"/workbench/cases/{case['id']}").text
    assert f'action="{release}"' in page
    freed = manager.post(release, data={"csrf_token": csrf(manager), "next": page and take})
    assert freed.status_code == 302 and freed.headers["Location"] == "/workbench/cases"


def test_the_case_page_shows_the_risk_summary_and_audits_the_read(workbench: Workbench):
    case = workbench.adverse()
    client = workbench.signed_in("officer")
    before = len(workbench.reads("case", case["id"]))

    page = client.get(f"/workbench/cases/{case['id']}")

    assert page.status_code == 200
    text = page.text
    assert "Risk summary" in text and "Refer" in text
    for factor in case["risk"]["factors"]:
        assert factor["evidence"].replace("'", "&#39;") in text
    assert "Declared and found" in text and "Possession of a controlled drug" in text
    assert case["applicant"]["email"] in text and case["policy_version"] in text
    assert "Criminal record (PNC)" in text and "Adverse" in text
    assert "Case opened" in text  # the decision trail
    reads = workbench.reads("case", case["id"])
    assert len(reads) == before + 1
    assert reads[0]["actor"] == "officer-ann" and reads[0]["detail"] == {"view": "workbench"}


def test_information_requests_and_failing_checks_are_on_the_case_page(workbench: Workbench):
    asked = workbench.information_overdue()
    failing = workbench.checks_failing()
    client = workbench.signed_in("officer")

    page = client.get(f"/workbench/cases/{asked['id']}").text
    assert "Information requests" in page and "Where did you live in 2019?" in page
    assert "A gap in the address history." in page and "Not answered yet" in page
    page = client.get(f"/workbench/cases/{failing['id']}").text
    assert "Failed" in page and "Simulated temporary failure" in page


def test_unknown_cases_and_clearances_get_the_404_page(workbench: Workbench):
    client = workbench.signed_in("officer")
    for url in (
        "/workbench/cases/no-such-case",
        "/workbench/clearances/no-such-clearance",
        "/workbench/no/such/page",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Page not found" in response.text and "{" not in response.text.split("<body")[0][-1:]
    assert workbench.reads("case", "no-such-case") == []


def test_clearances_are_searched_and_shown_with_their_history(workbench: Workbench):
    clearance = workbench.cleared()
    client = workbench.signed_in("officer")

    listed = client.get("/workbench/clearances").text
    assert f"/workbench/clearances/{clearance['id']}" in listed
    active = client.get("/workbench/clearances?status=ACTIVE&expiring_within_days=3650").text
    assert f"/workbench/clearances/{clearance['id']}" in active
    assert clearance["id"] not in client.get("/workbench/clearances?status=SUSPENDED").text
    soon = client.get("/workbench/clearances?expiring_within_days=1").text
    assert clearance["id"] not in soon and "No clearance matches this search" in soon
    by_id = client.get(f"/workbench/clearances?clearance_id={clearance['id']}").text
    assert f"/workbench/clearances/{clearance['id']}" in by_id
    holder = workbench.vetting.case(clearance["application_id"])["applicant"]
    born = date.fromisoformat(holder["date_of_birth"])
    dob = f"date_of_birth={born.day}&date_of_birth={born.month}&date_of_birth={born.year}"
    named = client.get(f"/workbench/clearances?surname={holder['surname'][:4].lower()}&{dob}")
    assert f"/workbench/clearances/{clearance['id']}" in named.text
    assert holder["surname"] in named.text  # the holder's name on each line
    other_day = f"date_of_birth={born.day}&date_of_birth={born.month}&date_of_birth=1901"
    assert clearance["id"] not in client.get(f"/workbench/clearances?{other_day}").text
    wrong = client.get("/workbench/clearances?clearance_id=abc&expiring_within_days=x")
    assert wrong.status_code == 422 and "Enter a clearance ID in full." in wrong.text
    assert 'href="#clearance_id"' in wrong.text and "<title>Error: " in wrong.text
    for impossible in ("31&date_of_birth=2&date_of_birth=1990", "1990-02-01"):
        not_a_date = client.get(f"/workbench/clearances?date_of_birth={impossible}")
        assert not_a_date.status_code == 422, impossible
        assert "Date of birth must be a real date" in not_a_date.text or (
            "Enter the date of birth as a day, month and year." in not_a_date.text
        )

    suspended = workbench.vetting.call(
        "POST", f"/clearances/{clearance['id']}/suspension", json={"reason": "Arrested."}
    )
    assert suspended.status_code == 200, suspended.json
    before = len(workbench.reads("clearance", clearance["id"]))
    page = client.get(f"/workbench/clearances/{clearance['id']}").text
    assert "Suspended" in page and "Clearance issued" in page and holder["surname"] in page
    assert "Clearance suspended" in page and "Arrested." in page
    assert page.index("Clearance suspended") < page.index("Clearance issued")  # newest first
    assert clearance["policy_version"] in page and "Level 2 (escorted)" in page
    assert f"/workbench/cases/{clearance['case_id']}" in page
    assert len(workbench.reads("clearance", clearance["id"])) == before + 1


def test_the_case_page_links_the_decisions_its_state_and_role_allow(workbench: Workbench):
    deciding = workbench.awaiting_decision()
    refusal = workbench.refusal_pending()
    officer, manager = workbench.signed_in("officer"), workbench.signed_in("manager")

    page = officer.get(f"/workbench/cases/{deciding['id']}").text
    for action in ("clear", "refusal", "information-requests"):
        assert f'href="/workbench/cases/{deciding["id"]}/{action}"' in page, action
    assert "countersignature" not in page
    countersign = f'href="/workbench/cases/{refusal["id"]}/refusal/countersignature"'
    assert countersign not in officer.get(f"/workbench/cases/{refusal['id']}").text
    pending = manager.get(f"/workbench/cases/{refusal['id']}").text
    assert countersign in pending and f'/workbench/cases/{refusal["id"]}/clear"' not in pending
    assert manager.get(countersign.split('"')[1]).status_code == 200  # the form it leads to
