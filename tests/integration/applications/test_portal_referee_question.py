"""The portal's referee page asks whether a referee is related: a referee with the volunteer's
surname and postcode is a question (REFEREE_MAY_BE_RELATIVE, not a block) that ticking 'not
related' answers; postcodes typed in any case and spacing are stored tidied. Both run modes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest

from applications.models import Application
from tests.support.clock import today
from tests.support.portal_harness import Portal
from tests.support.workbench_harness import token_in

QUESTION = "has the applicant"  # the readiness message's words, free of escaped quotes


@pytest.fixture
def portal(backend_env: dict[str, dict[str, str]]) -> Iterator[Portal]:
    harness = Portal(backend_env["applications"])
    yield harness
    harness.close()


def _post(client, url: str, data: dict[str, str | list[str]]):
    token = token_in(client.get(url).text)
    return client.post(url, data={**data, "csrf_token": token})


def _referees(portal: Portal, application_id: str) -> list[dict]:
    with portal.platform.session_factory() as db:
        found = db.get(Application, application_id)
        assert found is not None
        return list(found.applicant["referees"])


REFEREE = {
    "forenames": "Jo",
    "surname": "rowe",
    "email": "jo@example.net",
    "relationship": "neighbour",
    "postcode": " ls11aa ",
    "years_known": "5",
}


def test_not_related_answers_the_same_surname_and_postcode_question(portal):
    client = portal.signed_in("coord_a")
    started = _post(client, "/portal/applications/new", {})
    found = re.search(r"/portal/applications/([0-9a-f-]{36})/", started.location)
    assert found, started.location
    application_id = found.group(1)
    base = f"/portal/applications/{application_id}"
    moved_in = today() - timedelta(days=300)
    answers = [
        ("name", {"forenames": "Alex", "no_middle_name": "y", "surname": "Rowe"}),
        (
            "address",
            {
                "line1": "1 High Street",
                "town": "Leeds",
                "postcode": "ls1 1aa",
                "from_date": [str(moved_in.day), str(moved_in.month), str(moved_in.year)],
                "to_date": ["", "", ""],
            },
        ),
        ("referee", REFEREE),
    ]
    for step, data in answers:
        answer = _post(client, f"{base}/draft/{step}", data)
        assert answer.status_code == 303, (step, answer.text)

    # The question is on the page, as a checkbox with its hint.
    page = client.get(f"{base}/draft/referee?item=0")
    assert page.status_code == 200
    assert 'name="not_related"' in page.text and "They are not related to the volunteer" in (
        page.text
    )
    assert "checked" not in page.text.split('name="not_related"')[1].split(">")[0]
    [stored] = _referees(portal, application_id)
    assert stored["postcode"] == "LS1 1AA" and stored["not_related"] is False

    # Unanswered, it is asked on the referees page and on check your answers...
    assert QUESTION in client.get(f"{base}/draft/referees").text
    assert QUESTION in client.get(f"{base}/check").text

    # ...and ticking 'not related' answers it.
    answered = _post(client, f"{base}/draft/referee?item=0", {**REFEREE, "not_related": "y"})
    assert answered.status_code == 303, answered.text
    [stored] = _referees(portal, application_id)
    assert stored["not_related"] is True and stored["postcode"] == "LS1 1AA"
    check = client.get(f"{base}/check")
    assert QUESTION not in check.text
    assert "Not related to the volunteer" in check.text
    again = client.get(f"{base}/draft/referee?item=0")
    assert "checked" in again.text.split('name="not_related"')[1].split(">")[0]


def test_a_family_word_is_not_answered_by_the_checkbox(portal):
    client = portal.signed_in("coord_a")
    started = _post(client, "/portal/applications/new", {})
    base = started.location.rsplit("/draft/", 1)[0]
    sister = {**REFEREE, "relationship": "Step-sister", "not_related": "y"}
    assert _post(client, f"{base}/draft/referee", sister).status_code == 303
    check = client.get(f"{base}/check")
    assert "Step-sister" in check.text and "must not be a relative" in check.text
