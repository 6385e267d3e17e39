"""Subject access requests (UK GDPR article 15) on both run modes: each service's
`GET /subject-access-request` answers for a person seeded through the real flows (by vetting's
person id or an application id, decrypted, audited, for data protection officers only), and
`python -m subject_access_bundle` gathers all four into one bundle, refusing to write a
complete-looking one when a service is missing."""

from __future__ import annotations

import json
import socket
import threading
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from werkzeug.serving import make_server

from applications.schemas.examples import sample_application
from shared.audit import log as audit
from shared.web.subject_access import Period
from subject_access_bundle.bundle import main as bundle_command
from tests.support.clock import now
from tests.support.identity import PROVIDER
from tests.support.subject_access_world import ANSWER, EMAIL, PATH, SERVICES, World


@pytest.fixture
def world(backend_env):
    found = World(backend_env)
    yield found
    found.close()


def seed(world: World) -> dict[str, str]:
    """One person through every service: submitted, asked a question and answering it, cleared,
    let in at WWI and checked at its gate, then renewing; and someone else, who must not show."""
    apps, vetting, access = world["applications"], world["vetting"], world["access"]
    first = apps.submit(sample_application(EMAIL))
    world.pump()
    vetting.work()
    case = vetting.case(first)
    asked = vetting.call(
        "POST",
        f"/cases/{case['id']}/information-requests",
        json={
            "items": [{"question": "Which group will you facilitate?"}],
            "reason": "To confirm the placement.",
        },
    )
    assert asked.status_code == 201, asked.json
    world.pump()
    apps.org(
        "POST",
        f"/applications/{first}/responses",
        json={"request_id": asked.json["id"], "answers": [{"answer": ANSWER}]},
    )
    world.pump()
    vetting.work()
    cleared = vetting.call(
        "POST", f"/cases/{case['id']}/clearance", json={"reason": "Declared, old and minor."}
    )
    assert cleared.status_code == 201, cleared.json
    person_id = cleared.json["person_id"]
    world.pump()
    grant_id = access.grant_id(person_id, "WWI")
    access.activate(grant_id, access_type="ESCORTED")
    assert access.gate(person=person_id)["allowed"] is True
    world.pump()
    renewal = apps.submit(renewal_of=first)
    other_body = sample_application("someone.else@example.org")
    other_body["applicant"].update(forenames="Other", surname="Person-Control")
    other = apps.submit(other_body)
    world.pump()
    return {
        "person": person_id,
        "first": first,
        "renewal": renewal,
        "other": other,
        "grant": grant_id,
    }


def test_each_service_answers_for_the_person_by_either_id_decrypted_and_audited(world):
    ids = seed(world)
    answered = dict.fromkeys(SERVICES, 0)

    def content(service: str, identifier: str, expect: int = 200, **query: str) -> Any:
        response = world.ask(service, person=identifier, **query)
        assert response.status_code == expect, (service, response.status_code, response.json)
        answered[service] += 1
        if expect == 204:
            assert response.get_data() == b""
            return None
        assert set(response.json) == {"content"}
        assert ids["other"] not in json.dumps(response.json)  # nobody else's data
        return response.json["content"]

    # Vetting: the whole person, by person id or either application id.
    by_person = content("vetting", ids["person"])
    assert by_person["person"]["id"] == ids["person"]
    assert by_person["application_ids"] == [ids["first"], ids["renewal"]]
    for application_id in (ids["first"], ids["renewal"]):
        by_application = content("vetting", application_id)
        assert by_application["person"]["id"] == ids["person"]
        assert by_application["application_ids"] == by_person["application_ids"]
    first_case, renewal_case = by_person["cases"]
    assert first_case["application_id"] == ids["first"]
    assert renewal_case["renewal_of"] == ids["first"]
    assert "Canal Street" in json.dumps(first_case["applicant"])  # encrypted at rest
    assert {c["status"] for c in first_case["checks_detail"]} <= {"PASSED", "ADVERSE"}
    assert all(c["result"] for c in first_case["checks_detail"])
    assert first_case["risk"]["recommendation"]
    [request] = first_case["information_requests"]
    assert [a["answer"] for a in request["answers"]] == [ANSWER]
    assert [u["kind"] for u in first_case["updates"]] == ["info_provided"]
    decision = next(e for e in first_case["history"] if e["action"] == "case.cleared")
    assert decision["actor"] == "officer-ann" and decision["reason"] == "Declared, old and minor."
    [clearance] = by_person["clearances"]
    assert clearance["person_id"] == ids["person"] and clearance["status"] == "ACTIVE"

    # Applications: by application id (with its renewal), never by person id.
    assert content("applications", ids["person"], 204) is None
    applications = content("applications", ids["first"])["applications"]
    assert [a["id"] for a in applications] == [ids["first"], ids["renewal"]]
    first_app = applications[0]
    assert first_app["applicant"]["referees"][0]["surname"] == "Hughes"  # decrypted
    assert first_app["organisation"]["fellowship"] == "NA"
    assert [a["answer"] for a in first_app["information_requests"][0]["answers"]] == [ANSWER]
    assert {
        "submitted",
        "information_requested",
        "cleared",
        "access_approved",
        "access_activated",
    } <= {e["kind"] for e in first_app["timeline"]}

    # Access: every grant of the person, by person id or the application that opened them.
    grants = content("access", ids["person"])["grants"]
    assert {g["establishment_code"] for g in grants} == {"WWI", "BMI"}
    assert content("access", ids["first"])["grants"] == grants
    wwi = next(g for g in grants if g["id"] == ids["grant"])
    assert wwi["status"] == "ACTIVE" and wwi["surname"] == "O'Connor"
    assert wwi["induction"]["done"]["ID_BADGE"]["badge_number"] == wwi["badge_number"]
    actions = [e["action"] for e in wwi["history"]]
    assert "gate.checked" in actions and actions.index("gate.checked") > 0
    renewal_access = content("access", ids["renewal"])  # the renewal: only its incoming cases
    assert renewal_access["grants"] == []
    assert {c["application_id"] for c in renewal_access["incoming_cases"]} == {ids["renewal"]}

    # Notifications: contact details, opt-outs and every message, by application id.
    notes = content("notifications", ids["first"])
    [recipient] = notes["recipients"]
    assert recipient["email"] == EMAIL and recipient["email_opt_out"] is False
    templates = {n["template"] for n in notes["notifications"]}
    assert {
        "application_received",
        "information_requested",
        "clearance_granted",
        "access_request_waiting",
        "access_active",
    } <= templates
    assert any("Siobhán" in n["body"] for n in notes["notifications"])
    assert content("notifications", ids["person"], 204) is None

    # Nothing held: 204, from every service.
    unknown = str(uuid.uuid4())
    for service in SERVICES:
        assert content(service, unknown, 204) is None

    # The period narrows records and history; the identifiers stay.
    yesterday = (now() - timedelta(days=1)).date().isoformat()
    today = now().date().isoformat()
    before = content("vetting", ids["person"], toDate=yesterday)
    assert before["cases"] == before["clearances"] == []
    assert before["application_ids"] == [ids["first"], ids["renewal"]]
    assert content("applications", ids["first"], toDate=yesterday)["applications"] == []
    assert content("access", ids["person"], toDate=yesterday)["grants"] == []
    assert content("notifications", ids["first"], toDate=yesterday)["notifications"] == []
    assert len(content("vetting", ids["person"], fromDate=today, toDate=today)["cases"]) == 2

    # Who may ask, and what they must give.
    for service in SERVICES:
        assert world.ask(service, who=None, person=ids["first"]).status_code == 401
        assert world.ask(service, who="officer", person=ids["first"]).status_code == 403
        missing = world.ask(service)
        assert missing.status_code == 422 and "person" in missing.json["errors"]
        bad = world.ask(service, person="'; DROP TABLE people; --")
        assert bad.status_code == 422 and "person" in bad.json["errors"]
        bad_date = world.ask(service, person=ids["first"], fromDate="2026-13-01")
        assert bad_date.status_code == 422 and "fromDate" in bad_date.json["errors"]
        backwards = world.ask(service, person=ids["first"], fromDate=today, toDate=yesterday)
        assert backwards.status_code == 422 and "toDate" in backwards.json["errors"]
        spec = world[service].client.get("/openapi.json").json
        assert "person" in json.dumps(spec["paths"][PATH]["get"]["parameters"])

    # One audit entry per answer given (200 or 204), none for refusals; counts, no content.
    for service in SERVICES:
        entries = world.sar_audit(service)
        assert len(entries) == answered[service], service
        assert {(e["actor"], e["actor_kind"], e["subject_type"]) for e in entries} == {
            ("dpo-dee", audit.STAFF, "person")
        }
        assert not any(
            word in json.dumps(entries, default=str) for word in ("Canal", "Hughes", EMAIL, ANSWER)
        )
    [latest] = [
        e
        for e in world.sar_audit("vetting")
        if e["subject_id"] == ids["person"] and e["detail"]["to_date"] == today
    ]
    assert latest["detail"] == {
        "found": True,
        "counts": {"application_ids": 2, "cases": 2, "clearances": 1, "prison_decisions": 0},
        "from_date": today,
        "to_date": today,
    }


def test_a_period_keeps_what_overlaps_it():
    period = Period.of(date(2026, 3, 1), date(2026, 3, 31))
    at = lambda d: datetime(2026, 3, d, 12, tzinfo=UTC) if d > 0 else None  # noqa: E731
    assert period.contains(datetime(2026, 3, 31, 23, 59, tzinfo=UTC))
    assert not period.contains(datetime(2026, 4, 1, tzinfo=UTC))
    assert not period.contains(datetime(2026, 2, 28, 23, 59, tzinfo=UTC))
    assert period.contains(None)
    assert period.overlaps(datetime(2026, 2, 1, tzinfo=UTC), at(2))  # began before, changed in
    assert period.overlaps(at(30), datetime(2026, 5, 1, tzinfo=UTC))
    assert not period.overlaps(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC))
    assert not period.overlaps(datetime(2026, 4, 1, tzinfo=UTC))
    assert period.overlaps(None, at(1)) and period.overlaps(at(5), None)
    assert Period.of(None, None).overlaps(datetime(1990, 1, 1, tzinfo=UTC))


# --- The bundle command against the four apps served over HTTP -------------------------------


class Served:
    """Each service's app on a free local port, in a thread."""

    def __init__(self, world: World) -> None:
        self.servers = {
            name: make_server("127.0.0.1", 0, harness.app, threaded=True)
            for name, harness in world.services.items()
        }
        self.threads = [
            threading.Thread(target=server.serve_forever, daemon=True)
            for server in self.servers.values()
        ]
        for thread in self.threads:
            thread.start()

    def env(self) -> dict[str, str]:
        return {
            f"{name.upper()}_URL": f"http://127.0.0.1:{server.server_port}"
            for name, server in self.servers.items()
        }

    def stop(self) -> None:
        for server in self.servers.values():
            server.shutdown()
            server.server_close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_bundle(env: dict[str, str], *args: str):
    return CliRunner().invoke(bundle_command, list(args), env=env)


def test_the_bundle_gathers_all_four_services_and_never_looks_complete_when_one_is_missing(
    world, tmp_path: Path
):
    ids = seed(world)
    served = Served(world)
    # The bundle's client at the identity provider: client credentials, the DPO's role.
    PROVIDER.add_client(
        "dpo-dee",
        secret="dpo-dee-secret",
        grant_types=["client_credentials"],
        audiences=list(SERVICES),
        roles=["data_protection_officer"],
    )
    env = {
        **served.env(),
        "SUBJECT_ACCESS_CLIENT_ID": "dpo-dee",
        "SUBJECT_ACCESS_CLIENT_SECRET": "dpo-dee-secret",
    }
    out = tmp_path / "sar" / "bundle.json"
    try:
        # One service down: exit 1 naming it; no bundle, the partial one marked as such.
        down = run_bundle(
            {**env, "ACCESS_URL": f"http://127.0.0.1:{closed_port()}"},
            "--person",
            ids["first"],
            "--out",
            str(out),
        )
        assert down.exit_code == 1 and "access" in down.stderr and down.stdout == ""
        assert not out.exists()
        partial = json.loads((tmp_path / "sar" / "bundle.json.incomplete").read_text())
        assert partial["incomplete"] == ["access"] and partial["services"]["access"] is None
        assert "could not be reached" in partial["errors"]["access"]

        # All four up: complete, by an application id.
        done = run_bundle(env, "--person", ids["first"], "--out", str(out))
        assert done.exit_code == 0, done.output
        bundle = json.loads(out.read_text())
        assert bundle["incomplete"] == [] and bundle["errors"] == {}
        assert bundle["person"] == {"requested": ids["first"], "person_id": ids["person"]}
        assert bundle["application_ids"] == [ids["first"], ids["renewal"]]
        sections = bundle["services"]
        assert set(sections) == set(SERVICES) and all(sections.values())
        assert [a["id"] for a in sections["applications"]["applications"]] == [
            ids["first"],
            ids["renewal"],
        ]
        assert len(sections["vetting"]["cases"]) == 2
        assert sorted(g["establishment_code"] for g in sections["access"]["grants"]) == [
            "BMI",
            "WWI",
        ]
        assert {n["application_id"] for n in sections["notifications"]["notifications"]} == {
            ids["first"],
            ids["renewal"],
        }
        assert {r["application_id"] for r in sections["notifications"]["recipients"]} == {
            ids["first"],
            ids["renewal"],
        }
        assert ids["other"] not in out.read_text()
        # The stale partial is gone; only the bundle is left, readable by its owner only.
        assert sorted(p.name for p in out.parent.iterdir()) == ["bundle.json"]
        assert out.stat().st_mode & 0o077 == 0

        # Again, by the person id, to stdout: the same data.
        again = run_bundle(env, "--person", ids["person"])
        assert again.exit_code == 0, again.output
        rerun = json.loads(again.stdout)
        assert rerun["application_ids"] == bundle["application_ids"]
        for service in ("applications", "access", "notifications"):
            assert rerun["services"][service] == sections[service]

        # Credentials the provider refuses: nothing is asked, nothing written.
        refused = run_bundle(
            {**env, "SUBJECT_ACCESS_CLIENT_SECRET": "not-the-secret"},
            "--person",
            ids["person"],
            "--out",
            str(out),
        )
        assert refused.exit_code == 1 and "refused client 'dpo-dee'" in refused.stderr
        # A service that answers an error is as missing as one that is down: a token for
        # another audience is refused by vetting.
        wrong = run_bundle(
            {**env, "VETTING_AUDIENCE": "access"}, "--person", ids["person"], "--out", str(out)
        )
        assert wrong.exit_code == 1 and "vetting" in wrong.stderr and "401" in wrong.stderr
        assert json.loads(out.read_text()) == bundle  # the complete one is left as it was
        # Each request the services answered was audited under the client's subject.
        assert all(e["actor"] == "dpo-dee" for e in world.sar_audit("vetting"))
        bad = run_bundle(env, "--person", "nobody")
        assert bad.exit_code == 2 and "UUID" in bad.stderr
    finally:
        served.stop()
