"""The on-site register in the console, on both run modes: "Sign in" from an ALLOWED answer
signs the person in; a person the gate turns away, or one already in, is refused with an error
summary (409), never a 500; "On site now" and the roll list them; "Sign out" closes the visit;
the person's page lists their visits."""

from __future__ import annotations

from tests.support.console_harness import csrf


def test_sign_in_refusals_on_site_roll_and_sign_out(console):
    access = console.access
    data = access.grant_clearance(surname="Visitor")
    grant_id = access.grant_id(data["person_id"])
    access.activate(grant_id, badge="WWI-REG1")
    client = console.signed_in("officer")
    token = csrf(client)

    answer = client.post(
        "/console/gate", data={"csrf_token": token, "establishment": "WWI", "badge": "WWI-REG1"}
    ).text
    assert 'action="/console/visits"' in answer and f'value="{grant_id}"' in answer
    form = {"csrf_token": token, "establishment": "WWI", "grant_id": grant_id}
    signed = client.post("/console/visits", data=form)
    assert signed.status_code == 302 and signed.location.endswith("/console/gate")
    assert "Siobhán Visitor is signed in." in client.get("/console/gate").text

    again = client.post("/console/visits", data=form)
    assert again.status_code == 409
    assert "There is a problem" in again.text and "already signed in here" in again.text
    # The pending request's person: the gate says no, so no sign-in either.
    pending = {**form, "grant_id": console.grant_id}
    refused = client.post("/console/visits", data=pending)
    assert refused.status_code == 409 and "Not signed in: Access not yet decided" in refused.text
    broken = client.post("/console/visits", data={**form, "grant_id": "not-an-id"})
    assert broken.status_code == 422 and "Check the person at the gate again" in broken.text

    on_site = client.get("/console/on-site?establishment=WWI").text
    assert "Siobhán Visitor" in on_site and "WWI-REG1" in on_site
    roll = client.get("/console/on-site/roll?establishment=WWI").text
    assert "Evacuation roll" in roll and "WWI-REG1" in roll and 'id="print-roll"' in roll
    [visit] = access.call("GET", "/establishments/WWI/on-site").json

    out = client.post(f"/console/visits/{visit['id']}/sign-out", data={"csrf_token": token})
    assert out.status_code == 302 and out.location.endswith("/console/on-site?establishment=WWI")
    assert "Siobhán Visitor is signed out." in client.get(out.location).text
    twice = client.post(f"/console/visits/{visit['id']}/sign-out", data={"csrf_token": token})
    assert twice.status_code == 409 and "already signed out" in twice.text
    assert "Nobody is signed in" in client.get("/console/on-site").text

    person = client.get(f"/console/people/{data['person_id']}").text
    assert '<h2 class="govuk-heading-l" id="visits">Visits</h2>' in person
    assert "No visits recorded" not in person
