"""A draft in the coordinators' portal, one question a page: started, answered page by page
through the API's schema and use case, readiness shown as it goes and on check your answers
(ADDRESS_GAP linked to the address history), submitted; bad answers are 422 with the GOV.UK
error summary and nothing saved; another organisation's coordinator gets 404. Both run modes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from applications.models import Application
from shared.audit import log as audit
from tests.support.clock import today
from tests.support.portal_harness import Portal
from tests.support.workbench_harness import token_in


@pytest.fixture
def portal(backend_env: dict[str, dict[str, str]]) -> Iterator[Portal]:
    harness = Portal(backend_env["applications"])
    yield harness
    harness.close()


def _post(client, url: str, data: dict[str, str | list[str]]):
    token = token_in(client.get(url).text)
    return client.post(url, data={**data, "csrf_token": token})


def _date(prefix: str, day: date | None) -> dict[str, list[str]]:
    if day is None:
        return {prefix: ["", "", ""]}
    return {prefix: [str(day.day), str(day.month), str(day.year)]}


def _start(client) -> str:
    answer = _post(client, "/portal/applications/new", {})
    assert answer.status_code == 303, answer.text
    found = re.search(r"/portal/applications/([0-9a-f-]{36})/draft/prisons$", answer.location)
    assert found, answer.location
    return found.group(1)


def _stored(portal: Portal, application_id: str) -> Application:
    with portal.platform.session_factory() as db:
        found = db.get(Application, application_id)
        assert found is not None
        db.expunge(found)
        return found


def _answer_all(client, base: str, *, gap: bool) -> None:
    """Every page of the journey, as a coordinator fills it in (with a gap in the addresses,
    unexplained, when `gap`)."""
    now = today()
    steps: list[tuple[str, dict]] = [
        ("prison", {"establishment": "WWI"}),
        ("access", {"requested_access": "ESCORTED"}),
        ("frequency", {"frequency": "REGULAR"}),
        ("role", {"role": "GROUP_FACILITATOR"}),
        (
            "name",
            {"forenames": "Alex", "middle_names": "", "no_middle_name": "y", "surname": "Rowe"},
        ),
        ("date-of-birth", _date("date_of_birth", date(1990, 4, 2))),
        ("place-of-birth", {"town": "Leeds", "country": "England"}),
        ("national-insurance", {"national_insurance_number": "ab 12 34 56 c"}),
        ("contact", {"email": "alex.rowe@example.net", "mobile": "", "preferred_channel": "EMAIL"}),
        (
            "address",
            {
                "line1": "1 High Street",
                "line2": "",
                "town": "Leeds",
                "postcode": "LS1 1AA",
                **_date("from_date", now - timedelta(days=300)),
                **_date("to_date", None),
            },
        ),
        (
            "address",
            {
                "line1": "2 Low Street",
                "line2": "",
                "town": "York",
                "postcode": "YO1 7HH",
                **_date("from_date", now - timedelta(days=6 * 365)),
                **_date("to_date", now - timedelta(days=401 if gap else 301)),
            },
        ),
    ]
    for n in (1, 2):
        steps.append(
            (
                "referee",
                {
                    "forenames": f"Ref{n}",
                    "surname": "Person",
                    "email": f"ref{n}@example.net",
                    "relationship": "employer",
                    "postcode": "LS2 9JT",
                    "years_known": "5",
                },
            )
        )
    for step, data in steps:
        answer = _post(client, f"{base}/draft/{step}", data)
        assert answer.status_code == 303, (step, answer.text)


def test_a_coordinator_drafts_page_by_page_fixes_the_gap_and_submits(portal):
    client = portal.signed_in("coord_a")
    assert client.get("/portal/applications/new").status_code == 200
    application_id = _start(client)
    base = f"/portal/applications/{application_id}"
    # An empty list's page goes straight to its first item's question.
    first = client.get(f"{base}/draft/prisons")
    assert first.status_code == 302 and first.location.endswith("/draft/prison")
    page = client.get(f"{base}/draft/prison")
    assert page.status_code == 200 and "Wandsworth" in page.text
    assert "accessible-autocomplete.min.js" in page.text

    _answer_all(client, base, gap=True)
    stored = _stored(portal, application_id)
    assert stored.establishments == ["WWI"] and stored.requested_access == "ESCORTED"
    applicant = stored.applicant
    assert applicant["national_insurance_number"] == "AB123456C"  # the API's normalising
    assert applicant["no_middle_name"] is True and len(applicant["addresses"]) == 2
    assert len(applicant["referees"]) == 2

    # The address history shows its own problem as it is visited again...
    addresses = client.get(f"{base}/draft/addresses")
    assert addresses.status_code == 200 and "There is a gap of" in addresses.text
    # ...and check your answers lists it, linked to the address history page.
    check = client.get(f"{base}/check")
    assert check.status_code == 200 and "Before you can submit" in check.text
    assert f'href="{base}/draft/addresses?next=check"' in check.text
    assert "alex.rowe@example.net" in check.text and "Wandsworth" in check.text
    # The volunteer's sections: a status only.
    assert "Convictions and cautions" in check.text and "Not started" in check.text
    not_ready = _post(client, f"{base}/check", {})
    assert not_ready.status_code == 422 and "<title>Error: " in not_ready.text

    now = today()
    explained = _post(
        client,
        f"{base}/draft/gap?next=check",
        {
            **_date("from_date", now - timedelta(days=400)),
            **_date("to_date", now - timedelta(days=301)),
            "explanation": "Travelling in Spain",
        },
    )
    assert explained.status_code == 303 and "/draft/addresses?next=check" in explained.location
    onwards = _post(client, f"{base}/draft/addresses?next=check", {"another": "no"})
    assert onwards.status_code == 303 and onwards.location.endswith(f"{base}/check")
    assert "There is a gap of" not in client.get(f"{base}/check").text

    # Still blocked by what only the volunteer gives (identity documents, declarations).
    still = client.get(f"{base}/check")
    assert "No identity document" in still.text or "identity document" in still.text.lower()


def test_submit_a_ready_draft(portal):
    client = portal.signed_in("coord_a")
    application_id = _start(client)
    base = f"/portal/applications/{application_id}"
    _answer_all(client, base, gap=False)
    # The volunteer's sections, given here through the API (as the volunteer's link will).
    patched = portal.api.call(
        "PATCH",
        f"/applications/{application_id}",
        json={
            "applicant": {
                "identity_documents": [{"type": "PASSPORT", "number": "534791234"}],
                "declarations": {"convictions": [], "on_licence": False},
            }
        },
    )
    assert patched.status_code == 200, patched.text
    check = client.get(f"{base}/check")
    assert "Nothing stops this application being submitted" in check.text, check.text
    submitted = _post(client, f"{base}/check", {})
    assert submitted.status_code == 303
    assert _stored(portal, application_id).status == "SUBMITTED"
    # Past its draft, its pages lead to the application.
    assert client.get(f"{base}/draft/name").status_code == 302
    assert client.get(f"{base}/check").status_code == 303
    with portal.platform.session_factory() as db:
        reads = audit.entries(db, subject_type="application", subject_id=application_id)
    assert any(entry["action"] == "application.read" for entry in reads)


def test_bad_answers_are_422_on_their_fields_and_nothing_is_saved(portal):
    client = portal.signed_in("coord_a")
    application_id = _start(client)
    base = f"/portal/applications/{application_id}"
    blank = _post(client, f"{base}/draft/name", {"forenames": "", "surname": ""})
    assert blank.status_code == 422
    assert "<title>Error: " in blank.text and 'href="#forenames"' in blank.text
    assert "Enter their first names." in blank.text
    wrong = _post(
        client,
        f"{base}/draft/contact",
        {"email": "not-an-email", "mobile": "12", "preferred_channel": "SMS"},
    )
    assert (
        wrong.status_code == 422
        and 'href="#email"' in wrong.text
        and 'href="#mobile"' in wrong.text
    )
    bad_date = _post(client, f"{base}/draft/date-of-birth", {"date_of_birth": ["31", "2", "1990"]})
    assert bad_date.status_code == 422 and "Enter a real date" in bad_date.text
    unknown = _post(client, f"{base}/draft/prison", {"establishment": "ZZZZ"})
    assert unknown.status_code == 422 and "Select a prison from the list." in unknown.text
    # The coordinator's own email as the volunteer's: the API's rule, on the field.
    own = _post(
        client,
        f"{base}/draft/contact",
        {"email": "c-a-" + portal.tag + "@example.org", "preferred_channel": "EMAIL"},
    )
    assert own.status_code == 422 and "coordinator" in own.text
    stored = _stored(portal, application_id)
    assert stored.applicant == {} and stored.establishments == []
    assert client.get(f"{base}/draft/nonsense").status_code == 404
    assert client.get(f"{base}/draft/address?item=3").status_code == 404


def test_an_item_is_changed_and_removed(portal):
    client = portal.signed_in("coord_a")
    application_id = _start(client)
    base = f"/portal/applications/{application_id}"
    for code in ("WWI", "BMI"):
        assert _post(client, f"{base}/draft/prison", {"establishment": code}).status_code == 303
    duplicate = _post(client, f"{base}/draft/prison", {"establishment": "WWI"})
    assert duplicate.status_code == 422 and "already on the application" in duplicate.text
    listed = client.get(f"{base}/draft/prisons")
    assert "Wandsworth" in listed.text and "Birmingham" in listed.text
    changed = _post(client, f"{base}/draft/prison?item=1", {"establishment": "LPI"})
    assert changed.status_code == 303
    assert _stored(portal, application_id).establishments == ["WWI", "LPI"]
    removed = _post(client, f"{base}/draft/prison?item=0", {"establishment": "", "remove": "yes"})
    assert removed.status_code == 303
    assert _stored(portal, application_id).establishments == ["LPI"]
    neither = _post(client, f"{base}/draft/prisons", {})
    assert neither.status_code == 422 and "Select yes or no." in neither.text


def test_another_organisation_gets_404_and_signed_out_goes_to_sign_in(portal):
    client = portal.signed_in("coord_a")
    application_id = _start(client)
    base = f"/portal/applications/{application_id}"
    other = portal.signed_in("coord_b")
    for url in (f"{base}/draft/name", f"{base}/draft/prisons", f"{base}/check"):
        assert other.get(url).status_code == 404, url
    token = token_in(other.get("/portal/applications/new").text)
    for url in (f"{base}/draft/name", f"{base}/check"):
        answer = other.post(url, data={"forenames": "X", "surname": "Y", "csrf_token": token})
        assert answer.status_code == 404, url
    assert _stored(portal, application_id).applicant == {}
    stranger = portal.app.test_client()
    for url in ("/portal/applications/new", f"{base}/draft/name", f"{base}/check"):
        answer = stranger.get(url)
        assert answer.status_code == 302 and "/portal/login" in answer.location, url


def test_the_type_ahead_is_served_like_govuk_frontend(portal):
    client = portal.app.test_client()
    script = client.get("/assets/accessible-autocomplete/accessible-autocomplete.min.js")
    assert script.status_code == 200 and "max-age" in script.headers["Cache-Control"]
    assert client.get("/assets/accessible-autocomplete/package.json").status_code == 404


def test_the_role_page_takes_the_group_and_area_too(portal):
    client = portal.signed_in("coord_a")
    application_id = _start(client)
    base = f"/portal/applications/{application_id}"
    page = client.get(f"{base}/draft/role").text
    assert 'name="group_name"' in page and 'name="area"' in page
    too_long = _post(client, f"{base}/draft/role", {"role": "GROUP_FACILITATOR", "area": "x" * 121})
    assert too_long.status_code == 422 and 'href="#area"' in too_long.text
    assert _stored(portal, application_id).role is None  # nothing saved
    saved = _post(
        client,
        f"{base}/draft/role",
        {"role": "GROUP_FACILITATOR", "group_name": " Tuesday meeting ", "area": ""},
    )
    assert saved.status_code == 303, saved.text
    stored = _stored(portal, application_id)
    assert (stored.role, stored.group_name, stored.area) == (
        "GROUP_FACILITATOR",
        "Tuesday meeting",
        None,
    )
    assert 'value="Tuesday meeting"' in client.get(f"{base}/draft/role").text
    check = client.get(f"{base}/check").text
    assert "Tuesday meeting" in check and "Group" in check and "Area" in check


def test_an_address_abroad_has_a_country_and_no_postcode(portal):
    client = portal.signed_in("coord_a")
    application_id = _start(client)
    base = f"/portal/applications/{application_id}"
    moved = {**_date("from_date", today() - timedelta(days=900)), **_date("to_date", None)}
    uk_blank = _post(client, f"{base}/draft/address", {"town": "Leeds", "country": "", **moved})
    assert uk_blank.status_code == 422
    assert 'href="#line1"' in uk_blank.text and 'href="#postcode"' in uk_blank.text
    both = {"town": "Lyon", "country": "France", "postcode": "LS1 1AA", **moved}
    with_postcode = _post(client, f"{base}/draft/address", both)
    assert with_postcode.status_code == 422
    assert "Leave the postcode empty for an address outside the UK." in with_postcode.text
    assert _stored(portal, application_id).applicant == {}  # nothing saved
    abroad = {"line1": "", "town": "Lyon", "country": "France", "postcode": "", **moved}
    saved = _post(client, f"{base}/draft/address", abroad)
    assert saved.status_code == 303, saved.text
    [stored] = _stored(portal, application_id).applicant["addresses"]
    assert (stored["town"], stored["country"], stored.get("postcode")) == ("Lyon", "France", None)
    listed = client.get(f"{base}/draft/addresses").text
    assert "Lyon" in listed and "France" in listed
