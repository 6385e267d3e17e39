"""The console's "Find a person" and its gate check without a badge, on both run modes: results
linked to the person's page, answers checked field by field (422 with an error summary, never a
500), another establishment's people a 404, the gate by name and date of birth (one answers,
several are a choice posting the person's id, none is NOT ALLOWED)."""

from __future__ import annotations

import uuid

import pytest

from shared.reference import application_reference
from tests.support.console_harness import Console, csrf


@pytest.fixture
def console(backend_env):
    harness = Console(backend_env["access"])
    yield harness
    harness.access.platform.engine.dispose()


def born(day: str = "29", month: str = "2", year: str = "1980") -> list[str]:
    return [day, month, year]


def test_find_a_person_by_name_reference_and_date_of_birth(console):
    client, tag = console.signed_in("officer"), uuid.uuid4().hex[:6]
    data = console.access.grant_clearance(forenames="Zoë", surname=f"Ångström-{tag}")
    page = client.get("/console/find")
    assert page.status_code == 200 and "Find a person" in page.text
    assert 'href="/console/find"' in page.text  # in the navigation
    assert "found" not in page.text  # nothing searched yet
    found = client.get(f"/console/find?search=1&name=ZOE+angstrom-{tag}").text
    assert "1 person found" in found and f'href="/console/people/{data["person_id"]}"' in found
    by_reference = client.get(
        f"/console/find?search=1&reference={application_reference(data['application_id'])}"
    ).text
    assert f"Zoë Ångström-{tag}" in by_reference
    by_birthday = client.get(
        "/console/find",
        query_string={"search": "1", "name": tag, "date_of_birth": born()},
    ).text
    assert "1 person found" in by_birthday
    short_year = client.get(
        "/console/find", query_string={"search": "1", "name": tag, "date_of_birth": born(year="80")}
    )
    assert short_year.status_code == 422 and "4-digit year" in short_year.text
    assert "Nobody found" in client.get(f"/console/find?search=1&name=nobody-{tag}").text


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"search": "1"}, "name", "Enter a name, date of birth"),
        ({"search": "1", "reference": "nope"}, "reference", "8 letters and digits"),
        ({"search": "1", "badge": "a b"}, "badge", "letters, digits and hyphens"),
        ({"search": "1", "date_of_birth": ["31", "2", "1980"]}, "date_of_birth", "real date"),
        ({"search": "1", "date_of_birth": ["", "2", "1980"]}, "date_of_birth", "include a day"),
        ({"search": "1", "name": "x" * 201}, "name", "200 characters"),
    ],
)
def test_what_find_is_given_is_checked(console, query, field, message):
    client = console.signed_in("officer")
    response = client.get("/console/find", query_string=query)
    assert response.status_code == 422
    assert "There is a problem" in response.text and f'href="#find-{field}"' in response.text
    assert message in response.text


def test_another_establishments_people_are_not_found(console):
    other = console.signed_in("other")
    assert other.get("/console/find?establishment=WWI&name=siobhan").status_code == 404
    page = other.get("/console/find?search=1&name=siobhan").text
    assert "Nobody found" in page  # at their own establishment, nobody of that name


def test_the_gate_by_name_and_date_of_birth(console):
    client, tag = console.signed_in("officer"), uuid.uuid4().hex[:6]
    token = csrf(client)
    one = console.access.grant_clearance(forenames="Ana", surname=f"Núñez-{tag}")
    console.access.activate(console.access.grant_id(one["person_id"]), badge=f"N-{tag}")

    def check(**form):
        return client.post("/console/gate", data={"csrf_token": token, **form})

    allowed = check(name=f"ana nunez {tag}", date_of_birth=born())
    assert allowed.status_code == 200 and "NOT ALLOWED" not in allowed.text
    assert f"Ana Núñez-{tag}" in allowed.text and "born 29 February 1980" in allowed.text
    nobody = check(name=f"ana nunez {tag}", date_of_birth=born("1"))  # the 1st: not hers
    assert "NOT ALLOWED" in nobody.text and "No access at this establishment." in nobody.text
    two = console.access.grant_clearance(forenames="Ana", surname=f"Nunez {tag}")
    several = check(name=f"Ana Nunez {tag}", date_of_birth=born())
    assert "2 people match" in several.text and "ALLOWED" not in several.text
    assert f'name="person_id" value="{two["person_id"]}"' in several.text
    chosen = check(person_id=two["person_id"])
    assert "NOT ALLOWED" in chosen.text and "not yet decided" in chosen.text
    # Half of it, or a date that is not one: the message on the field, never a 500.
    half = check(name=f"Ana Nunez {tag}")
    assert half.status_code == 422 and 'href="#gate-date_of_birth"' in half.text
    assert "<details" in half.text and "open" in half.text.split("<details", 1)[1][:40]
    wrong = check(name="Ana", date_of_birth=born("30"))
    assert wrong.status_code == 422 and "real date" in wrong.text
    both = check(badge="X-1", name="Ana", date_of_birth=born())
    assert both.status_code == 422
