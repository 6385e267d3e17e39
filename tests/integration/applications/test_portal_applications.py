"""The portal's list of applications (status in words, prisons by name, what each waits on,
filters, pages), the clearances expiring within 90 days and their one-click renewal; and that
nobody sees another organisation's. Both run modes."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from applications.models import Application
from applications.portal import application_views
from shared.audit import log as audit
from tests.support import portal_applications as made
from tests.support.portal_harness import Portal


@pytest.fixture
def portal(backend_env: dict[str, dict[str, str]]) -> Iterator[Portal]:
    harness = Portal(backend_env["applications"])
    yield harness
    harness.close()


def rows(page_html: str) -> list[str]:
    """The list's rows, as text (tags and words for screen readers only stripped), in order."""
    body = page_html.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    body = re.sub(r'<span class="govuk-visually-hidden">[^<]*</span>', "", body)
    return [
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split())
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def test_the_list_says_status_prisons_last_change_and_what_each_waits_on(portal):
    drafted = made.draft(portal, forenames="Dara", surname="Quinn")
    sent = made.submitted(portal, forenames="Eve", surname="Stone")
    asked, case = made.in_vetting(portal, forenames="Finn", surname="Walsh")
    made.ask(portal, asked, case)
    cleared = made.cleared(portal, forenames="Gus", surname="Hale", days=30)
    made.draft(portal, "B", forenames="Other", surname="Organisation")
    client = portal.signed_in("coord_a")

    page = client.get("/portal/applications")

    assert page.status_code == 200
    found = rows(page.text)
    assert len(found) == 4  # organisation A's only, the latest change first
    assert found[0].startswith(cleared[:8].upper()) and "Gus Hale" in found[0]
    assert "Cleared" in found[0] and "You: renew it" in found[0]
    assert "Finn Walsh" in found[1] and "Information needed" in found[1]
    assert "You: answer a question" in found[1]
    assert "Eve Stone" in found[2] and "Submitted" in found[2] and "Vetting" in found[2]
    assert "Dara Quinn" in found[3] and "Draft" in found[3] and "You: finish the draft" in found[3]
    assert "Wandsworth (HMP & YOI), Birmingham (HMP)" in found[3]  # prisons by name
    assert "Other Organisation" not in page.text
    links = [drafted, sent, asked, cleared]
    assert all(f"/portal/applications/{app_id}" in page.text for app_id in links)


def test_filters_by_status_prison_and_name_and_pages_through(portal, monkeypatch):
    made.draft(portal, forenames="Hana", surname="Ito", establishments=("WWI",))
    made.draft(portal, forenames="Ian", surname="Ito", establishments=("BMI",))
    made.submitted(portal, forenames="Jo", surname="Kerr")
    client = portal.signed_in("coord_a")

    drafts = rows(client.get("/portal/applications?status=DRAFT").text)
    assert len(drafts) == 2 and all("Draft" in row for row in drafts)
    birmingham = rows(client.get("/portal/applications?establishment=BMI").text)
    assert {row.split()[1] for row in birmingham} == {"Ian", "Jo"}
    named = rows(client.get("/portal/applications?name=hana+ito").text)
    assert len(named) == 1 and "Hana Ito" in named[0]
    none = client.get("/portal/applications?name=nobody")
    assert "No application matches these filters" in none.text
    # Nonsense in a filter is ignored, never a 500.
    assert (
        client.get("/portal/applications?status=NOPE&establishment=ZZZZ&page=x").status_code == 200
    )

    monkeypatch.setattr(application_views, "PAGE_SIZE", 2)
    first = client.get("/portal/applications?name=o")  # Ito, Ito, Kerr: all have an "o"
    assert len(rows(first.text)) == 2 and "page=2" in first.text and "Page 2 of 2" in first.text
    second = client.get("/portal/applications?name=o&page=2")
    assert len(rows(second.text)) == 1 and "Page 1 of 2" in second.text
    assert "(page 2)" in second.text  # the title says which page


def test_expiring_lists_clearances_ending_within_90_days_and_renews_in_one_click(portal):
    soon = made.cleared(portal, forenames="Kit", surname="Lane", days=30)
    made.cleared(portal, forenames="Lou", surname="Moss", days=200)
    made.cleared(portal, "B", forenames="Other", surname="Soon", days=10)
    client = portal.signed_in("coord_a")

    page = client.get("/portal/applications/expiring")
    assert page.status_code == 200
    found = rows(page.text)
    assert len(found) == 1 and "Kit Lane" in found[0] and "Start renewal" in found[0]

    renewed = client.post(
        f"/portal/applications/{soon}/renew", data={"csrf_token": made.token_in(page.text)}
    )

    assert renewed.status_code == 303
    with portal.platform.session_factory() as db:
        draft = db.execute(select(Application).where(Application.renewal_of == soon)).scalar_one()
        assert draft.status == "DRAFT" and draft.organisation_id == portal.organisation_ids["A"]
        entries = audit.entries(db, subject_type="application", subject_id=soon)
    assert renewed.headers["Location"].endswith(f"/portal/applications/{draft.id}") or (
        f"/portal/applications/{draft.id}/check" in renewed.headers["Location"]
    )
    assert any(
        e["action"] == "application.renewal_started"
        and e["actor"] == f"portal:public-{portal.username('coord_a')}"
        for e in entries
    )
    again = rows(client.get("/portal/applications/expiring").text)
    assert "Renewal started" in again[0] and "Start renewal" not in again[0]


def test_renewing_what_is_not_cleared_is_a_conflict_page(portal):
    drafted = made.draft(portal)
    client = portal.signed_in("coord_a")
    token = made.token_in(client.get("/portal/applications").text)
    answer = client.post(f"/portal/applications/{drafted}/renew", data={"csrf_token": token})
    assert answer.status_code == 409
    assert "<title>Error:" in answer.text or "There is a problem" in answer.text


def test_another_organisation_gets_404_for_every_application_page(portal):
    cleared = made.cleared(portal, days=30)
    refused = made.refused(portal)
    asked, case = made.in_vetting(portal)
    request_id = made.ask(portal, asked, case)
    client = portal.signed_in("coord_b")
    token = made.token_in(client.get("/portal/applications").text)
    pages = [
        f"/portal/applications/{cleared}",
        f"/portal/applications/{asked}/requests/{request_id}",
        f"/portal/applications/{asked}/withdraw",
        f"/portal/applications/{cleared}/changes",
        f"/portal/applications/{cleared}/changes?kind=NEW_CONVICTION",
        f"/portal/applications/{refused}/reconsideration",
    ]
    for path in pages:
        assert client.get(path).status_code == 404, path
        assert client.post(path, data={"csrf_token": token}).status_code == 404, path
    renew = client.post(f"/portal/applications/{cleared}/renew", data={"csrf_token": token})
    assert renew.status_code == 404
    assert cleared not in client.get("/portal/applications/expiring").text
    with portal.platform.session_factory() as db:
        assert (
            db.execute(select(Application).where(Application.renewal_of == cleared)).first() is None
        )


def test_signed_out_goes_to_sign_in_and_a_post_needs_its_csrf_token(portal):
    cleared = made.cleared(portal, days=30)
    anonymous = portal.app.test_client()
    for path in (
        "/portal/applications",
        "/portal/applications/expiring",
        f"/portal/applications/{cleared}",
    ):
        answer = anonymous.get(path)
        assert answer.status_code == 302 and "/portal/login" in answer.headers["Location"]
    client = portal.signed_in("coord_a")
    assert client.post(f"/portal/applications/{cleared}/renew").status_code == 400
    with portal.platform.session_factory() as db:
        assert (
            db.execute(select(Application).where(Application.renewal_of == cleared)).first() is None
        )
