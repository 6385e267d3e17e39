"""The intake API on both run modes: drafts, readiness, submission, and whom it refuses."""

from __future__ import annotations

import copy
import time

import pytest

from applications.models import Application
from applications.schemas.examples import sample_application
from applications.service_layer import organisations
from shared.db import outbox_table
from tests.support.applications_api import GOOD, REVOCATION_DELAY_S, published
from tests.support.platforms import count


def test_submit_writes_status_timeline_and_one_outbox_event(api):
    client, platform = api
    draft = client.draft()
    assert draft["status"] == "DRAFT" and count(platform, outbox_table) == 0
    ready = client.call("GET", f"/applications/{draft['id']}/readiness").json
    assert (ready["ready"], ready["problems"], ready["not_needed"]) == (True, [], [])
    assert ready["clearance_level"]["label"] == "Level 2 (escorted)"  # escorted, regular

    response = client.call(
        "POST", f"/applications/{draft['id']}/submit", headers={"X-Correlation-ID": "corr-123"}
    )
    assert response.status_code == 200, response.json
    assert response.json["status"] == "SUBMITTED" and response.json["submitted_at"]
    view = client.call("GET", f"/applications/{draft['id']}").json
    assert [e["kind"] for e in view["timeline"]] == ["draft_created", "submitted"]
    with platform.engine.connect() as conn:
        row = conn.execute(
            outbox_table.select().where(outbox_table.c.event_type == "application.submitted")
        ).one()
    assert row.subject == draft["id"]
    assert row.correlation_id == "corr-123"
    event = platform.registry.load(
        "application.submitted", 1, __import__("json").loads(row.body)["data"]
    )
    assert event["applicant"]["details"]["referees"][0]["surname"] == "Hughes"
    assert event["applicant"]["date_of_birth"] is not None
    # The acknowledgement, in the same transaction: the application's id, establishments and
    # time, nothing about the applicant (notifications receives this, not the above).
    [received] = published(platform, "application.received")
    assert received == {
        "application_id": draft["id"],
        "establishments": GOOD["establishments"],
        "submitted_at": event["submitted_at"].isoformat(),
    }


def test_a_one_off_escorted_speaker_needs_identity_details_only(api):
    client, _ = api
    body = copy.deepcopy(GOOD)
    body.update(requested_access="ESCORTED", frequency="ONE_OFF")
    applicant = body["applicant"]
    for section in ("declarations", "referees", "address_gap_explanations"):
        applicant.pop(section, None)
    applicant["addresses"] = [a for a in applicant["addresses"] if not a.get("to_date")]
    draft = client.draft(body)
    ready = client.call("GET", f"/applications/{draft['id']}/readiness").json
    assert (ready["ready"], ready["problems"]) == (True, [])
    assert ready["clearance_level"] == {
        "code": "ESCORTED_VISITOR",
        "label": "Level 1 (identity)",
        "sections": [],
    }
    assert [n["section"] for n in ready["not_needed"]] == [
        "applicant.addresses",
        "applicant.declarations",
        "applicant.referees",
    ]
    assert "not needed for a one-off escorted visit" in ready["not_needed"][2]["message"]
    # The same draft for regular visits is asked for everything again.
    client.call("PATCH", f"/applications/{draft['id']}", json={"frequency": "REGULAR"})
    again = client.call("GET", f"/applications/{draft['id']}/readiness").json
    assert not again["ready"] and again["not_needed"] == []
    assert {"MISSING_DECLARATIONS", "TOO_FEW_REFEREES"} <= {p["code"] for p in again["problems"]}
    assert client.call("POST", f"/applications/{draft['id']}/submit").status_code == 422


def test_an_incomplete_draft_is_saved_and_submit_refuses_it_with_every_problem(api):
    client, platform = api
    body = copy.deepcopy(GOOD)
    del body["applicant"]["middle_names"]
    body["applicant"]["referees"] = body["applicant"]["referees"][:1]
    draft = client.draft(body)
    response = client.call("POST", f"/applications/{draft['id']}/submit")
    assert response.status_code == 422
    codes = {p["code"] for p in response.json["problems"]}
    assert {"MIDDLE_NAMES_NOT_CONFIRMED", "TOO_FEW_REFEREES"} <= codes
    assert all(p["message"] and p["field"] for p in response.json["problems"])
    assert client.call("GET", f"/applications/{draft['id']}").json["status"] == "DRAFT"
    assert count(platform, outbox_table) == 0

    patched = client.call(
        "PATCH",
        f"/applications/{draft['id']}",
        json={"applicant": {"no_middle_name": True, "referees": GOOD["applicant"]["referees"]}},
    )
    assert patched.status_code == 200, patched.json
    assert patched.json["applicant"]["forenames"] == "Siobhán"  # untouched sections stay
    assert client.call("POST", f"/applications/{draft['id']}/submit").status_code == 200


def test_a_retried_submit_with_the_same_key_never_submits_twice(api):
    client, platform = api
    draft = client.draft()
    key = {"Idempotency-Key": "retry-me-1"}
    first = client.call("POST", f"/applications/{draft['id']}/submit", headers=key)
    again = client.call("POST", f"/applications/{draft['id']}/submit", headers=key)
    assert first.status_code == again.status_code == 200
    assert first.json == again.json
    assert len(published(platform, "application.submitted")) == 1
    assert len(published(platform, "application.received")) == 1
    # Without the key, a second submit is a conflict, not a second submission.
    conflict = client.call("POST", f"/applications/{draft['id']}/submit")
    assert conflict.status_code == 409 and "not a draft" in conflict.json["message"]
    # The same key for another application is refused.
    other = client.draft()
    reused = client.call("POST", f"/applications/{other['id']}/submit", headers=key)
    assert reused.status_code == 422 and "Idempotency-Key" in reused.json["errors"]
    assert len(published(platform, "application.submitted")) == 1


def test_only_drafts_change_and_withdrawal_tells_vetting(api):
    client, platform = api
    draft = client.draft()
    client.call("POST", f"/applications/{draft['id']}/submit")
    changed = client.call("PATCH", f"/applications/{draft['id']}", json={"role": "SPONSOR"})
    assert changed.status_code == 409
    refused = client.call("POST", f"/applications/{draft['id']}/withdraw", json={})
    assert refused.status_code == 422 and "reason" in refused.json["errors"]
    withdrawn = client.call(
        "POST", f"/applications/{draft['id']}/withdraw", json={"reason": "Moved away from the area"}
    )
    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "WITHDRAWN"
    assert withdrawn.json["withdrawn_reason"] == "Moved away from the area"
    with platform.engine.connect() as conn:
        types = [r.event_type for r in conn.execute(outbox_table.select().order_by("id"))]
    assert [t for t in types if t in ("application.submitted", "application.withdrawn")] == [
        "application.submitted",
        "application.withdrawn",
    ]
    # Access's copy, in the same transaction: never the organisation's reason.
    [notice] = published(platform, "application.withdrawal_announced")
    assert set(notice) == {"application_id", "withdrawn_at"}
    assert str(notice["application_id"]) == draft["id"]
    again = client.call("POST", f"/applications/{draft['id']}/withdraw", json={"reason": "x y z"})
    assert again.status_code == 409


def test_list_filters_and_cursor_pages_without_gaps_or_repeats(api):
    client, _platform = api
    ids = [client.draft(sample_application(establishments=("WWI",)))["id"] for _ in range(5)]
    ids.append(client.draft(sample_application(establishments=("BMI",)))["id"])
    client.call("POST", f"/applications/{ids[0]}/submit")
    client.draft(org="B")
    seen, cursor = [], None
    while True:
        page = client.call(
            "GET", "/applications?limit=2" + (f"&cursor={cursor}" if cursor else "")
        ).json
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ids  # oldest first, nothing of organisation B
    wwi = client.call("GET", "/applications?establishment=WWI").json["items"]
    assert [a["id"] for a in wwi] == ids[:5]
    submitted = client.call("GET", "/applications?status=SUBMITTED").json["items"]
    assert [a["id"] for a in submitted] == [ids[0]]
    future = client.call("GET", "/applications?updated_since=2999-01-01T00:00:00Z").json
    assert future["items"] == []
    bad = client.call("GET", "/applications?cursor=not-a-cursor")
    assert bad.status_code == 422 and "cursor" in bad.json["errors"]
    assert client.call("GET", "/applications?status=LOST").status_code == 422


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**GOOD, "role": 7}, "role"),
        ({**GOOD, "establishments": "WWI"}, "establishments"),
        ({**GOOD, "surprise": True}, "surprise"),
        ({**GOOD, "applicant": {**GOOD["applicant"], "contact": {"email": "nope"}}}, "applicant"),
        ({**GOOD, "applicant": {**GOOD["applicant"], "date_of_birth": "31/02/1980"}}, "applicant"),
        (
            {
                **GOOD,
                "applicant": {
                    **GOOD["applicant"],
                    "addresses": [
                        {**GOOD["applicant"]["addresses"][0], "postcode": "NOT A POSTCODE"}
                    ],
                },
            },
            "applicant",
        ),
        (
            {
                **GOOD,
                "applicant": {
                    **GOOD["applicant"],
                    "identity_documents": [{"type": "PASSPORT", "number": "1234", "expiry": None}],
                },
            },
            "applicant",
        ),
    ],
)
def test_bad_input_is_a_4xx_with_field_paths_and_writes_nothing(api, body, field):
    client, platform = api
    response = client.call("POST", "/applications", json=body)
    assert response.status_code == 422
    assert field in response.json["errors"], response.json
    assert count(platform, Application.__table__) == 0


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"data": "{not json", "content_type": "application/json"}, 400),
        ({"data": "[" + "1," * 200_000 + "1]", "content_type": "application/json"}, 413),
    ],
)
def test_malformed_and_oversize_bodies(api, kwargs, status):
    client, platform = api
    response = client.call("POST", "/applications", **kwargs)
    assert response.status_code == status and response.json["status"] == status
    assert count(platform, Application.__table__) == 0


def test_missing_wrong_and_revoked_keys_are_401_and_say_nothing(api):
    client, platform = api
    key_a = client.keys["A"]
    wrong = key_a[:-4] + ("AAAA" if not key_a.endswith("AAAA") else "BBBB")
    for headers in (
        {},
        {"Authorization": "Bearer nonsense"},
        {"Authorization": f"Bearer {wrong}"},
        {"Authorization": f"Basic {key_a}"},
    ):
        response = client.call("POST", "/applications", org=None, headers=headers, json=GOOD)
        assert response.status_code == 401
        assert response.json == {"status": 401, "message": "Authentication required."}
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert client.call("GET", "/applications").status_code == 200  # now remembered
    with platform.unit_of_work() as uow:
        organisations.revoke_api_key(uow, key_a.split("_")[1])
        uow.commit()
    time.sleep(REVOCATION_DELAY_S + 0.1)
    response = client.call("POST", "/applications", json=GOOD)
    assert response.status_code == 401
    assert count(platform, Application.__table__) == 0


# A valid body for each action, so a 404 cannot come from validation failing first.
VALID_BODIES = {
    ("PATCH", "<string:application_id>"): {"role": "SPONSOR"},
    ("POST", "withdraw"): {"reason": "Moved away"},
    ("POST", "responses"): {"request_id": "r", "answers": [{"answer": "a"}]},
    ("POST", "changes"): {
        "kind": "NEW_CONNECTION",
        "connection": {"name": "X", "relationship": "brother", "establishment": "WWI"},
    },
    ("POST", "reconsideration"): {"grounds": "New references"},
    ("POST", "sponsorship-end"): {"reason_code": "LEFT_ORGANISATION"},
    ("POST", "contact-confirmations"): {"channel": "SMS"},
}


def test_every_endpoint_refuses_no_key_and_hides_other_organisations_records(api):
    """Generated from the URL map: a new endpoint without the guard fails here."""
    client, _platform = api
    theirs = client.draft(org="B")["id"]
    app = client.raw.application
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/applications"):
            continue
        path = rule.rule.replace("<string:application_id>", theirs)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            assert client.call(method, path, org=None, json={}).status_code == 401, (method, path)
            if "<" in rule.rule:
                body = VALID_BODIES.get((method, rule.rule.rsplit("/", 1)[-1]))
                denied = client.call(method, path, json=body)
                assert denied.status_code == 404, (method, path, denied.json)
                assert denied.json == {"status": 404, "message": "Not found."}
            checked += 1
    assert checked >= 10
    assert client.call("GET", f"/applications/{theirs}", org="B").status_code == 200


def test_health_metrics_and_openapi(api):
    client, _platform = api
    raw = client.raw
    assert raw.get("/health/liveness").json["status"] == "ok"
    ready = raw.get("/health/readiness")
    assert ready.status_code == 200 and ready.json["checks"] == {"database": "ok", "broker": "ok"}
    raw.get("/nowhere")
    metrics = raw.get("/metrics").get_data(as_text=True)
    assert 'http_requests_total{endpoint="unmatched",method="GET",status="404"}' in metrics
    spec = raw.get("/openapi.json").json
    for path in (
        "/applications",
        "/applications/{application_id}",
        "/applications/{application_id}/readiness",
        "/applications/{application_id}/submit",
    ):
        assert path in spec["paths"]


def test_sensitive_fields_never_reach_the_logs(api, caplog):
    client, _platform = api
    body = copy.deepcopy(GOOD)
    body["applicant"]["declarations"]["convictions"][0]["offence"] = "Zyxwv offence detail"
    body["applicant"]["connections"] = [
        {"name": "Qwerty Person", "relationship": "brother", "establishment": "ACI"}
    ]
    caplog.set_level("DEBUG")
    draft = client.draft(body)
    client.call("GET", f"/applications/{draft['id']}/readiness")
    client.call("POST", f"/applications/{draft['id']}/submit")
    client.call("POST", "/applications", json={**body, "role": "NOT A ROLE"})
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "Zyxwv" not in logged and "Qwerty" not in logged


def test_concurrent_twin_submits_with_one_key_submit_once_and_answer_alike(api):
    import threading

    client, platform = api
    for round_number in range(5):
        draft = client.draft()
        barrier, answers = threading.Barrier(2), []

        def twin(
            draft_id=draft["id"], barrier=barrier, answers=answers, key=f"twin-{round_number}"
        ):
            barrier.wait()
            answers.append(
                client.call(
                    "POST", f"/applications/{draft_id}/submit", headers={"Idempotency-Key": key}
                )
            )

        threads = [threading.Thread(target=twin) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert [a.status_code for a in answers] == [200, 200], [a.json for a in answers]
        assert answers[0].json == answers[1].json
    assert len(published(platform, "application.submitted")) == 5
