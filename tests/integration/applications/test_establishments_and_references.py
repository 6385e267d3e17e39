"""What the API gained for the portal, integrators having lacked it too: the establishments
list (code, name, type) and each application's reference (the one emails and texts quote)."""

from __future__ import annotations

from shared.reference import application_reference, establishment_type


def test_establishments_by_name_with_their_type(api):
    client, _platform = api
    answer = client.call("GET", "/establishments")
    assert answer.status_code == 200
    items = answer.json["items"]
    names = [item["name"] for item in items]
    assert names == sorted(names) and len(items) > 100
    by_code = {item["code"]: item for item in items}
    assert by_code["WWI"] == {
        "code": "WWI",
        "name": "Wandsworth (HMP & YOI)",
        "type": "men's",
        "nation": "England",
    }
    assert by_code["AGI"]["type"] == "women's"
    assert {item["type"] for item in items} == {"high security", "women's", "men's"}
    assert client.call("GET", "/establishments", org=None).status_code == 401


def test_every_application_answer_carries_its_reference(api):
    client, _platform = api
    draft = client.draft()
    reference = draft["id"][:8].upper()
    assert draft["reference"] == reference == application_reference(draft["id"])
    assert client.call("GET", f"/applications/{draft['id']}").json["reference"] == reference
    [listed] = [
        item
        for item in client.call("GET", "/applications").json["items"]
        if item["id"] == draft["id"]
    ]
    assert listed["reference"] == reference
    submitted = client.call("POST", f"/applications/{draft['id']}/submit")
    assert submitted.json["reference"] == reference


def test_establishment_types_read_the_reference_data():
    assert establishment_type(True, False) == "high security"
    assert establishment_type(False, True) == "women's"
    assert establishment_type(False, False) == "men's"
    assert application_reference(None) == ""
