"""Retention on both run modes: each service's `retention run` purges what is past
its period and nothing else, keeps what statistics (and a live case, clearance or exclusion)
need, audits each purge, changes nothing on a dry run, purges nothing the second time, and
finishes on the next run what an interrupted run left.

Data is seeded through each service's own API and event handlers, with recognisable values;
what is purged is looked for in the decrypted views and in the raw rows.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
import zlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, insert, inspect, select, text, update

from access.models import Grant
from access.service_layer import retention as access_retention
from applications.examples import sample_application
from applications.models import Application, Organisation
from applications.service import definition as applications_definition
from applications.service_layer import organisations
from applications.service_layer import retention as applications_retention
from notifications import retention as notifications_retention
from notifications.delivery import mark_failed, mark_sent
from notifications.models import Notification, Recipient
from shared import retention
from shared.audit import audit_log_table
from shared.cli import make_cli
from shared.crypto import Keyring, keyring_from_settings
from shared.db import dead_letters_table, outbox_table
from shared.platform import Platform
from shared.web import create_web_app
from tests.support.access_harness import Access
from tests.support.applications_api import Client, deliver
from tests.support.clock import iso_now, now, today
from tests.support.deployment_secrets import secrets_of
from tests.support.notifications_harness import contacts_data
from tests.support.service_harness import ServiceHarness
from tests.support.vetting_harness import Vetting, submitted_data
from vetting.models import Clearance, Person, PersonIdentifier, VettingCase
from vetting.service_layer import retention as vetting_retention

OFFENCE = "Retention-Offence-QX4"
CONNECTION = "Retention-Connection-ZP8"
QUESTION = "Retention-Question-KW2: tell us about the caution"
ANSWER = "Retention-Answer-MN5"
REASON = "Retention-Refusal-Reason-JH3"
NOTE = "Retention-Countersign-Note-VB7"
GROUNDS = "Retention-Grounds-LC6"
UPHELD = "Retention-Upheld-Reason-RT9"
WITHDRAWAL = "Retention-Withdrawal-TT1"
GRANT_REASON = "Retention-Grant-Reason-HY5"
CHECK_SENTINELS = (OFFENCE, CONNECTION, QUESTION, ANSWER, REASON, NOTE, GROUNDS, UPHELD)


def later(days: int) -> datetime:
    return now() + timedelta(days=days)


SIX_MONTHS_ON = 7 * 31   # days: past the 6-month cutoff, short of the 12-month one
TWELVE_MONTHS_ON = 13 * 31


def purge(platform: Platform, purges: Any, at: datetime, **kwargs: Any) -> dict[str, int]:
    return retention.run(platform.session_factory, platform.settings, purges, at,
                         clock=platform.clock, **kwargs)


def with_env(platform: Platform, **extra: str) -> Any:
    """The platform's settings with more RETENTION_* settings."""
    return platform.settings.with_overrides(extra={**platform.settings.extra, **extra})


def zeros(counts: dict[str, int]) -> bool:
    return not any(counts.values())


def cli_run(service: str, env: dict[str, str], *args: str) -> dict[str, int]:
    module = __import__(f"{service}.service", fromlist=["definition"])
    result = CliRunner().invoke(make_cli(module.definition(), "x"), ["retention", "run", *args],
                                env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


def raw(platform: Platform) -> str:
    """Every row of every table (bar the audit log's), as plain SQL returns it, with encrypted
    values opened with the service's keys: what a search of the database with the keys finds,
    so a purged value must be gone, not merely encrypted."""
    keyring = keyring_from_settings(platform.settings)
    with platform.engine.connect() as conn:
        names = [t for t in inspect(conn).get_table_names() if not t.startswith("audit")]
        return repr([[tuple(_opened(value, keyring) for value in row)
                      for row in conn.execute(text(f'SELECT * FROM "{t}"'))] for t in names])


def _opened(value: Any, keyring: Keyring) -> Any:
    if isinstance(value, str) and value.startswith("gAAAAA"):  # a Fernet token
        return keyring.decrypt(value)
    return value


def publish_outbox(platform: Platform, at: datetime | None = None) -> int:
    """What the relay does: mark every outbox row published."""
    with platform.engine.begin() as conn:
        return conn.execute(update(outbox_table).where(outbox_table.c.published_at.is_(None))
                            .values(published_at=at or now())).rowcount


def count(platform: Platform, table: Any, *where: Any) -> int:
    with platform.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def audited(platform: Platform, action: str) -> list[dict[str, Any]]:
    with platform.engine.connect() as conn:
        rows = conn.execute(select(audit_log_table).where(audit_log_table.c.action == action)
                            .order_by(audit_log_table.c.id)).all()
    return [dict(row._mapping) for row in rows]


def add_dead_letter(platform: Platform, replayed_at: datetime | None, body: str) -> None:
    with platform.engine.begin() as conn:
        conn.execute(insert(dead_letters_table).values(
            event_id=str(uuid.uuid4()), event_type="application.submitted", handler="h",
            body=body, error="boom", attempts=5, created_at=now() - timedelta(days=90),
            replayed_at=replayed_at))


def failing_on(call: int, purge_: retention.Purge) -> retention.Purge:
    """The purge, failing (as a killed process would stop) on its `call`th subject."""
    calls = []

    def purge_or_stop(session: Any, row: Any) -> dict[str, Any]:
        calls.append(row.id)
        if len(calls) == call:
            raise KeyboardInterrupt
        return purge_.purge(session, row)

    return dataclasses.replace(purge_, purge=purge_or_stop)


# --- vetting -----------------------------------------------------------------------------------

@pytest.fixture
def vetting(backend_env):  # type: ignore[no-untyped-def]
    harness = Vetting(backend_env["vetting"])
    yield harness
    harness.platform.engine.dispose()


SENTINEL_DETAILS = {
    "declarations": {"convictions": [{"kind": "CAUTION", "offence": OFFENCE,
                                      "date": "2009-03-01", "disposal": "CAUTION"}],
                     "on_licence": False, "release_date": None},
    "connections": [{"name": CONNECTION, "relationship": "Cousin", "establishment": "BMI"}],
}


def open_case(vetting: Vetting, surname: str, email: str | None = None, **overrides: Any) -> str:
    data = submitted_data(email, details=SENTINEL_DETAILS, **overrides)
    data["applicant"]["surname"] = surname
    # A person of their own: their own passport (the sample's is shared by every sample).
    data["applicant"]["details"]["identity_documents"] = [
        {"type": "PASSPORT", "number": f"P{zlib.crc32(surname.encode()):010d}"}]
    vetting.event("application.submitted", data)
    return data["application_id"]


def decide(vetting: Vetting, app_id: str, action: str, body: dict, who: str = "officer",
           expect: int = 200) -> dict:
    case = vetting.case(app_id)
    response = vetting.call("POST", f"/cases/{case['id']}{action}", who=who, json=body)
    assert response.status_code == expect, response.json
    return response.json


def event(vetting: Vetting, event_type: str, app_id: str, **data: Any) -> None:
    vetting.event(event_type, {"application_id": app_id, **data})


def seed_vetting(vetting: Vetting) -> dict[str, str]:
    """Three people: one cleared (and a withdrawn second application), one refused (upheld on
    reconsideration), one with a withdrawn application and a live one."""
    cleared = open_case(vetting, "Retention-Cleared-P1")
    vetting.work()
    decide(vetting, cleared, "/information-requests",
           {"items": [{"question": QUESTION, "field": "declarations"}], "reason": REASON},
           expect=201)
    request_id = vetting.case(cleared)["information_requests"][0]["id"]
    event(vetting, "application.info_provided", cleared, request_id=request_id,
          answers=[{"answer": ANSWER}], provided_at=iso_now())
    vetting.clear(cleared, {"reason": "Old caution, declared."})
    # A second application of the cleared person asks for more than the clearance allows.
    withdrawn_too = open_case(vetting, "Retention-Cleared-P1", requested_access="UNESCORTED")
    event(vetting, "application.withdrawn", withdrawn_too, reason=WITHDRAWAL,
          withdrawn_at=iso_now())

    refused = open_case(vetting, "Retention-Refused-P2", "r+sim-undeclared@example.org")
    vetting.work()
    decide(vetting, refused, "/refusal", {"reasons": [REASON]})
    decide(vetting, refused, "/refusal/countersignature", {"decision": "CONFIRM", "note": NOTE},
           who="manager")
    event(vetting, "application.reconsideration_requested", refused, grounds=GROUNDS,
          requested_at=iso_now())
    decide(vetting, refused, "/refusal", {"reasons": [UPHELD]}, who="officer2")

    withdrawn = open_case(vetting, "Retention-Live-P3")
    event(vetting, "application.withdrawn", withdrawn, reason=WITHDRAWAL,
          withdrawn_at=iso_now())
    live = open_case(vetting, "Retention-Live-P3", requested_access="UNESCORTED")
    vetting.work()
    return {"cleared": cleared, "withdrawn_too": withdrawn_too, "refused": refused,
            "withdrawn": withdrawn, "live": live}


def dump(view: Any) -> str:
    return json.dumps(view, default=str)


def stable(view: dict[str, Any]) -> dict[str, Any]:
    """A case view without what the clock changes."""
    return {k: v for k, v in view.items() if k not in ("age_s", "waited_s")}


def env_of(platform: Platform, **more: str) -> dict[str, str]:
    """The environment a `python -m <service>` process would need for this platform."""
    return {**platform.settings.extra, **secrets_of(platform.settings),
            "DATABASE_URL": platform.settings.database_url,
            "VAR_DIR": str(platform.settings.var_dir), **more}


def people(vetting: Vetting) -> dict[str, tuple[str, int]]:
    """Each person's key and how many identifiers recognise them, by person id."""
    with vetting.platform.session_factory() as session:
        counts = dict(session.execute(select(PersonIdentifier.person_id, func.count())
                                      .group_by(PersonIdentifier.person_id)).all())
        return {person.id: (person.match_key, counts.get(person.id, 0))
                for person in session.execute(select(Person)).scalars()}


def person_of(vetting: Vetting, app_id: str) -> str:
    return vetting.case(app_id)["person_id"]


def test_vetting_purges_check_details_then_closed_applicants_and_keeps_what_lives(vetting):
    apps = seed_vetting(vetting)
    platform = vetting.platform
    for name in ("cleared", "refused", "live"):
        assert OFFENCE in dump(vetting.case(apps[name]))
    before = {name: vetting.case(app_id) for name, app_id in apps.items()}
    assert {name: view["status"] for name, view in before.items()} == {
        "cleared": "CLEARED", "withdrawn_too": "WITHDRAWN", "refused": "REFUSED",
        "withdrawn": "WITHDRAWN", "live": "AWAITING_DECISION"}
    assert QUESTION in raw(platform) and "Retention-Refused-P2" in raw(platform)
    published = publish_outbox(platform)
    add_dead_letter(platform, now(), body=f'{{"offence": "{OFFENCE}"}}')
    add_dead_letter(platform, None, body="{}")

    # Five months on, nothing is due (and the outbox is kept a year here).
    early = retention.run(platform.session_factory,
                          with_env(platform, RETENTION_OUTBOX_DAYS="365"),
                          vetting_retention.PURGES, later(5 * 30), clock=platform.clock)
    assert zeros(early), early

    # A dry run counts what is due and changes nothing.
    six = later(SIX_MONTHS_ON)
    expected = {"check_details": 4, "closed_applicants": 0, "people": 0, "outbox": published,
                "dead_letters": 1}
    assert purge(platform, vetting_retention.PURGES, six, dry_run=True) == expected
    assert {name: stable(vetting.case(app_id)) for name, app_id in apps.items()} == {
        name: stable(view) for name, view in before.items()}
    assert count(platform, outbox_table) == published
    assert audited(platform, "retention.check_details_purged") == []

    # Past six months: every closed case's check details go; names and statistics stay.
    assert cli_run("vetting", env_of(platform), "--at", six.isoformat()) == expected
    for name in ("cleared", "withdrawn_too", "refused", "withdrawn"):
        view = vetting.case(apps[name])
        assert not any(s in dump(view) for s in CHECK_SENTINELS), name
        assert view["applicant_name"]["surname"].startswith("Retention-")
        assert view["status"] == before[name]["status"]
        assert view["required_level"] == before[name]["required_level"]
        assert [(c["name"], c["status"], c["result"]) for c in view["checks_detail"]] == [
            (c["name"], c["status"], None) for c in before[name]["checks_detail"]]
        assert "addresses" in view["applicant"]["details"]  # only the record's sections go
    cleared = vetting.case(apps["cleared"])
    assert cleared["risk"] == {k: before["cleared"]["risk"][k] for k in (
        "recommendation", "complete", "policy_version", "assessed_on")}
    [request] = cleared["information_requests"]
    assert request["answers"] is None and request["items"] == [{"field": "declarations"}]
    assert all(set(u["data"]) <= set(vetting_retention.UPDATE_KEPT) for u in cleared["updates"])
    refused = vetting.case(apps["refused"])
    assert refused["refusal"] == {k: before["refused"]["refusal"][k] for k in (
        "proposed_by", "proposed_at", "countersigned_by", "countersigned_at")}
    assert refused["reconsideration"]["outcome"] == "UPHELD"
    assert "grounds" not in refused["reconsideration"]
    assert stable(vetting.case(apps["live"])) == stable(before["live"])
    assert QUESTION not in raw(platform) and REASON not in raw(platform)
    assert count(platform, outbox_table) == 0 and count(platform, dead_letters_table) == 1
    entries = audited(platform, "retention.check_details_purged")
    assert len(entries) == 4 and {e["actor"] for e in entries} == {"retention"}
    assert {e["actor_kind"] for e in entries} == {"SYSTEM"}
    assert not any(s in dump(entries) for s in CHECK_SENTINELS)
    assert "risk.factors" in dump(entries)  # which fields went, not what they held

    # Again at the same moment: nothing.
    assert zeros(purge(platform, vetting_retention.PURGES, six))

    # Past twelve months: refused and withdrawn applicants are anonymised; a person goes only
    # when nothing live needs them.
    keys = people(vetting)
    twelve = later(TWELVE_MONTHS_ON)
    assert purge(platform, vetting_retention.PURGES, twelve) == {
        "check_details": 0, "closed_applicants": 3, "people": 1, "outbox": 0,
        "dead_letters": 0}
    for name in ("withdrawn_too", "refused", "withdrawn"):
        view = vetting.case(apps[name])
        assert view["applicant"] is None and view["applicant_name"] == {}
        assert "Retention-" not in dump(view)
        assert view["status"] == before[name]["status"] and view["role"] == before[name]["role"]
        assert view["establishments"] == before[name]["establishments"]
        assert all(c["provider_reference"] is None for c in view["checks_detail"])
    after = people(vetting)
    refused_person = person_of(vetting, apps["refused"])
    assert after[refused_person] == ("anonymised:" + refused_person, 0)  # unrecognisable
    for name in ("cleared", "live"):  # a clearance, a live case: kept
        person = person_of(vetting, apps[name])
        assert after[person] == keys[person] and after[person][1] > 0
    assert "retention-refused-p2" not in raw(platform)
    assert "Retention-Refused-P2" not in raw(platform)
    cleared = vetting.case(apps["cleared"])
    assert cleared["applicant_name"]["surname"] == "Retention-Cleared-P1"
    assert cleared["applicant"]["date_of_birth"]
    with platform.session_factory() as session:
        assert session.execute(select(Clearance.status)).scalars().all() == ["ACTIVE"]
    assert OFFENCE in dump(vetting.case(apps["live"]))
    assert zeros(purge(platform, vetting_retention.PURGES, twelve))


def test_a_case_decided_again_is_purged_again_once_that_decision_is_old(vetting):
    app_id = open_case(vetting, "Retention-Review-P4")
    vetting.work()
    vetting.clear(app_id, {"reason": "Fine."})
    platform = vetting.platform
    assert purge(platform, vetting_retention.PURGES, later(SIX_MONTHS_ON))["check_details"] == 1
    # Reported later: a new conviction reopens the case for review (its clock stops), and the
    # review's decision starts it again.
    event(vetting, "application.circumstances_changed", app_id, kind="NEW_CONVICTION",
          details={"kind": "CONVICTION", "offence": OFFENCE, "date": "2024-01-05",
                   "disposal": "FINE"}, reported_at=iso_now())
    assert vetting.case(app_id)["status"] == "REVIEW"
    assert purge(platform, vetting_retention.PURGES, later(SIX_MONTHS_ON))["check_details"] == 0
    assert OFFENCE in dump(vetting.case(app_id))
    decide(vetting, app_id, "/review", {"outcome": "CONTINUE", "reason": "Minor."})
    with platform.session_factory() as session:
        closed_at = session.execute(select(VettingCase.closed_at)).scalar_one()
    assert purge(platform, vetting_retention.PURGES,
                 closed_at + timedelta(days=5 * 30))["check_details"] == 0
    assert OFFENCE in dump(vetting.case(app_id))
    assert purge(platform, vetting_retention.PURGES,
                 closed_at + timedelta(days=SIX_MONTHS_ON))["check_details"] == 1
    assert OFFENCE not in dump(vetting.case(app_id))


# --- applications ------------------------------------------------------------------------------

@pytest.fixture
def applications(backend_env):  # type: ignore[no-untyped-def]
    from tests.support.platforms import platform_for

    platform = platform_for("applications", backend_env["applications"])
    app = create_web_app(applications_definition(), platform)
    with platform.unit_of_work() as uow:
        org = organisations.create_organisation(uow, "Retention Org", "NA", "c@example.org")
    with platform.unit_of_work() as uow:
        key = organisations.issue_api_key(uow, org.id, platform.settings.api_key_pepper)
    yield Client(app.test_client(), {"A": key}), platform, org.id
    platform.engine.dispose()


def sentinel_application(surname: str) -> dict[str, Any]:
    body = sample_application(f"{surname.lower()}@example.org")
    body["applicant"]["surname"] = surname
    body["applicant"]["declarations"]["convictions"][0]["offence"] = OFFENCE
    body["applicant"]["connections"] = [{"name": CONNECTION, "relationship": "Cousin",
                                         "establishment": "BMI"}]
    return body


def submitted_application(client: Client, surname: str) -> str:
    draft = client.draft(sentinel_application(surname))
    submitted = client.call("POST", f"/applications/{draft['id']}/submit")
    assert submitted.status_code == 200, submitted.json
    return draft["id"]


def now_iso() -> str:
    return iso_now()


def seed_applications(client: Client, platform: Platform) -> dict[str, str]:
    cleared = submitted_application(client, "Retention-Cleared-A1")
    deliver(platform, "vetting.info_requested", case_id=str(uuid.uuid4()),
            application_id=cleared, request_id="req-r1",
            items=[{"question": QUESTION, "field": "applicant.declarations"}], reason=REASON,
            due_by=None, requested_at=now_iso())
    answered = client.call("POST", f"/applications/{cleared}/responses",
                           json={"request_id": "req-r1", "answers": [{"answer": ANSWER}]})
    assert answered.status_code == 200, answered.json
    deliver(platform, "vetting.clearance_granted", case_id=str(uuid.uuid4()),
            application_id=cleared, clearance_id=str(uuid.uuid4()), level="ENHANCED",
            access="ESCORTED", conditions=[], establishments=["WWI"], issued_at=now_iso(),
            expires_at=(now() + timedelta(days=3 * 365)).isoformat())
    refused = submitted_application(client, "Retention-Refused-A2")
    deliver(platform, "vetting.clearance_refused", case_id=str(uuid.uuid4()),
            application_id=refused, refused_at=now_iso(), reconsidered=False)
    asked = client.call("POST", f"/applications/{refused}/reconsideration",
                        json={"grounds": GROUNDS})
    assert asked.status_code == 200, asked.json
    withdrawn = submitted_application(client, "Retention-Withdrawn-A3")
    gone = client.call("POST", f"/applications/{withdrawn}/withdraw",
                       json={"reason": WITHDRAWAL})
    assert gone.status_code == 200, gone.json
    draft = client.draft(sentinel_application("Retention-Draft-A4"))["id"]
    return {"cleared": cleared, "refused": refused, "withdrawn": withdrawn, "draft": draft}


def test_applications_purges_declarations_then_anonymises_closed_applicants(applications):
    client, platform, organisation_id = applications
    apps = seed_applications(client, platform)

    def view(name: str) -> dict[str, Any]:
        response = client.call("GET", f"/applications/{apps[name]}")
        assert response.status_code == 200, response.json
        return response.json

    before = {name: view(name) for name in apps}
    assert all(OFFENCE in dump(v) and CONNECTION in dump(v) for v in before.values())
    assert all(s in raw(platform) for s in (QUESTION, GROUNDS, WITHDRAWAL))
    publish_outbox(platform)
    assert zeros(retention.run(platform.session_factory,
                               with_env(platform, RETENTION_OUTBOX_DAYS="365"),
                               applications_retention.PURGES, later(5 * 30),
                               clock=platform.clock))

    six = later(SIX_MONTHS_ON)
    counts = purge(platform, applications_retention.PURGES, six)
    assert counts["check_details"] == 3 and counts["closed_applicants"] == 0
    for name in ("cleared", "refused", "withdrawn"):
        after = view(name)
        assert not any(s in dump(after) for s in CHECK_SENTINELS), name
        assert "declarations" not in after["applicant"] and "connections" not in after["applicant"]
        assert after["applicant"]["surname"] == before[name]["applicant"]["surname"]
        assert after["applicant"]["addresses"] == before[name]["applicant"]["addresses"]
        for key in ("status", "role", "establishments", "requested_access", "frequency",
                    "outcome", "submitted_at"):
            assert after[key] == before[name][key], (name, key)
    [request] = view("cleared")["information_requests"]
    assert request["answers"] is None and request["status"] == "ANSWERED"
    assert [e["kind"] for e in view("refused")["timeline"]] == [
        e["kind"] for e in before["refused"]["timeline"]]
    assert view("withdrawn")["withdrawn_reason"] == WITHDRAWAL  # the closed period's, later
    assert view("draft") == before["draft"]  # not closed: untouched
    text_now = raw(platform)
    assert QUESTION not in text_now and GROUNDS not in text_now
    assert zeros(purge(platform, applications_retention.PURGES, six))

    twelve = later(TWELVE_MONTHS_ON)
    counts = purge(platform, applications_retention.PURGES, twelve)
    assert counts == {"check_details": 0, "closed_applicants": 2, "outbox": 0,
                      "dead_letters": 0}
    for name in ("refused", "withdrawn"):
        after = view(name)
        assert after["applicant"] == {} and after["applicant_name"] is None
        assert "Retention-" not in dump(after) and after["withdrawn_reason"] is None
        for key in ("status", "role", "establishments", "requested_access", "frequency",
                    "outcome", "created_at", "submitted_at"):
            assert after[key] == before[name][key], (name, key)
    listed = client.call("GET", "/applications?establishment=WWI").json["items"]
    assert {item["id"] for item in listed} >= {apps["refused"], apps["withdrawn"]}
    assert WITHDRAWAL not in raw(platform)
    assert view("cleared")["applicant"]["surname"] == "Retention-Cleared-A1"
    assert view("draft") == before["draft"]
    with platform.session_factory() as session:
        assert session.get(Organisation, organisation_id).fellowship == "NA"
        statuses = sorted(session.execute(select(Application.status)).scalars())
    assert statuses == ["CLEARED", "DRAFT", "REFUSED", "WITHDRAWN"]
    entries = audited(platform, "retention.applicant_anonymised")
    assert sorted(e["subject_id"] for e in entries) == sorted([apps["refused"],
                                                               apps["withdrawn"]])
    assert zeros(purge(platform, applications_retention.PURGES, twelve))


# --- access ------------------------------------------------------------------------------------

@pytest.fixture
def access(backend_env):  # type: ignore[no-untyped-def]
    harness = Access(backend_env["access"])
    yield harness
    harness.platform.engine.dispose()


def closed_grant(access: Access, how: str, surname: str) -> str:
    data = access.grant_clearance(surname=surname)
    grant_id = access.grant_id(data["person_id"])
    if how == "refusal":
        access.decide(grant_id, "refusal", {"reason": GRANT_REASON})
        return grant_id
    access.activate(grant_id, badge=f"BADGE-{surname}")
    if how == "exclusion":
        review = (today() + timedelta(days=400)).isoformat()
        access.decide(grant_id, "exclusion", {"reason": GRANT_REASON, "review_on": review},
                      who="head")
    elif how:
        access.decide(grant_id, how, {"reason": GRANT_REASON}, who="head")
    return grant_id


def grant_row(access: Access, grant_id: str) -> Grant:
    with access.platform.session_factory() as session:
        return session.get(Grant, grant_id)


def test_access_forgets_closed_grants_but_an_exclusion_stands_until_its_review(access):
    grants = {how: closed_grant(access, how, f"Retention-{how or 'active'}-G")
              for how in ("refusal", "revocation", "ending", "exclusion", "")}
    before = {how: access.grant(grant_id, who="head") for how, grant_id in grants.items()}
    platform = access.platform
    assert "Retention-refusal-G" in raw(platform) and "BADGE-Retention-revocation-G" in raw(
        platform)
    assert zeros(retention.run(platform.session_factory,
                               with_env(platform, RETENTION_OUTBOX_DAYS="900"),
                               access_retention.PURGES, later(11 * 30),
                               clock=platform.clock))
    env = env_of(platform, RETENTION_OUTBOX_DAYS="900")
    twelve = later(TWELVE_MONTHS_ON).isoformat()
    dry = cli_run("access", env, "--at", twelve, "--dry-run")
    assert dry == {"closed_grants": 3, "outbox": 0, "dead_letters": 0}
    assert grant_row(access, grants["refusal"]).surname == "Retention-refusal-G"
    assert cli_run("access", env, "--at", twelve) == dry
    for how in ("refusal", "revocation", "ending"):
        grant = access.grant(grants[how], who="head")
        assert grant["forenames"] is None and grant["surname"] is None
        assert grant["date_of_birth"] is None and grant["badge_number"] is None
        assert grant["status_reason"] is None and "BADGE-" not in dump(grant)
        for key in ("status", "establishment_code", "person_id", "clearance", "access_type",
                    "opened_at", "decided_at", "decided_by", "updated_at"):
            assert grant[key] == before[how][key], (how, key)
    # The exclusion keeps what the gate needs until its review date; the active grant, all.
    for how in ("exclusion", ""):
        assert access.grant(grants[how], who="head") == before[how]
    gate = access.gate(badge="BADGE-Retention-exclusion-G")
    assert gate["reason"] == "EXCLUDED" and gate["surname"] == "Retention-exclusion-G"
    assert gate["allowed"] is False
    assert "Retention-refusal-G" not in raw(platform) and GRANT_REASON in raw(platform)
    assert "BADGE-Retention-revocation-G" not in raw(platform)
    assert cli_run("access", env, "--at", twelve) == {"closed_grants": 0, "outbox": 0,
                                                      "dead_letters": 0}
    # A year after the review date the exclusion goes too.
    after_review = later(400 + TWELVE_MONTHS_ON)
    assert purge(platform, access_retention.PURGES, after_review)["closed_grants"] == 1
    assert access.grant(grants["exclusion"], who="head")["surname"] is None
    assert GRANT_REASON not in raw(platform)
    assert access.grant(grants[""], who="head")["surname"] == "Retention-active-G"


def test_an_interrupted_run_is_finished_by_the_next(access):
    grants = [closed_grant(access, "refusal", f"Retention-Stop-{n}") for n in range(3)]
    platform = access.platform
    at = later(TWELVE_MONTHS_ON)
    [grants_purge] = access_retention.PURGES
    with pytest.raises(KeyboardInterrupt):
        purge(platform, [failing_on(2, grants_purge)], at, batch_size=1)
    names = [grant_row(access, grant_id).surname for grant_id in grants]
    assert names.count(None) == 1  # the first batch committed, the second rolled back
    assert len(audited(platform, "retention.grant_anonymised")) == 1
    env = env_of(platform)
    rerun = cli_run("access", env, "--at", at.isoformat(), "--batch-size", "1")
    assert rerun["closed_grants"] == 2
    assert [grant_row(access, grant_id).surname for grant_id in grants] == [None] * 3
    assert len(audited(platform, "retention.grant_anonymised")) == 3
    assert cli_run("access", env, "--at", at.isoformat())["closed_grants"] == 0


def test_published_outbox_rows_and_replayed_dead_letters_go_after_their_period(access):
    for n in range(3):
        access.grant_clearance(surname=f"Retention-Outbox-{n}")
    platform = access.platform
    total = count(platform, outbox_table)
    with platform.engine.begin() as conn:
        ids = conn.execute(select(outbox_table.c.id).order_by(outbox_table.c.id)).scalars().all()
        conn.execute(update(outbox_table).where(outbox_table.c.id.in_(ids[:2]))
                     .values(published_at=now() - timedelta(days=31)))
        conn.execute(update(outbox_table).where(outbox_table.c.id == ids[2])
                     .values(published_at=now() - timedelta(days=29)))
    add_dead_letter(platform, now() - timedelta(days=31), body="old")
    add_dead_letter(platform, now() - timedelta(days=29), body="recent")
    add_dead_letter(platform, None, body="never replayed")
    counts = purge(platform, access_retention.PURGES, now(), batch_size=1)
    assert counts == {"closed_grants": 0, "outbox": 2, "dead_letters": 1}
    assert count(platform, outbox_table) == total - 2  # the recent and the unpublished stay
    assert count(platform, outbox_table, outbox_table.c.published_at.is_(None)) == total - 3
    with platform.engine.connect() as conn:
        left = sorted(conn.execute(select(dead_letters_table.c.body)).scalars())
    assert left == ["never replayed", "recent"]
    entries = audited(platform, "retention.outbox_pruned")
    assert [e["detail"]["rows"] for e in entries] == [1, 1]  # one entry per batch
    assert len(audited(platform, "retention.dead_letters_pruned")) == 1
    assert zeros(purge(platform, access_retention.PURGES, now()))


# --- notifications -----------------------------------------------------------------------------

class Notifications(ServiceHarness):
    service = "notifications"
    staff = {"operator": ("op-ann", ("operator",), ())}

    def submitted(self, surname: str) -> str:
        application_id = str(uuid.uuid4())
        self.event("application.contacts_recorded", contacts_data(
            application_id, surname=surname, email=f"{surname.lower()}@example.org",
            mobile=None))
        self.event("application.received", {
            "application_id": application_id, "establishments": ["WWI"],
            "submitted_at": now_iso()})
        return application_id

    def rows(self) -> dict[str, Notification]:
        with self.platform.session_factory() as session:
            return {n.id: n for n in session.execute(select(Notification)).scalars()}

    def settle(self, notification_id: str, how: Callable[..., None], *args: Any) -> None:
        with self.platform.unit_of_work() as uow:
            notification = uow.session.get(Notification, notification_id)
            notification.status = "SENDING"
            how(uow, notification, now(), *args)
            uow.commit()


@pytest.fixture
def notes(backend_env):  # type: ignore[no-untyped-def]
    harness = Notifications(backend_env["notifications"], NOTIFICATIONS_QUIET_HOURS="")
    yield harness
    harness.platform.engine.dispose()


def test_notifications_forget_what_was_sent_and_to_whom_after_the_check_details_period(notes):
    done = notes.submitted("Retention-Sent-N1")
    waiting = notes.submitted("Retention-Queued-N2")
    rows = notes.rows()
    sent, failed = [n for n in rows.values() if n.application_id == done]
    notes.settle(sent.id, mark_sent, "smtp", None)
    notes.settle(failed.id, mark_failed, f"550 no such mailbox {failed.recipient}")
    before = notes.rows()
    platform = notes.platform
    assert zeros(retention.run(platform.session_factory,
                               with_env(platform, RETENTION_OUTBOX_DAYS="365"),
                               notifications_retention.PURGES, later(5 * 30),
                               clock=platform.clock))
    six = later(SIX_MONTHS_ON)
    counts = purge(platform, notifications_retention.PURGES, six, dry_run=True)
    assert counts["messages"] == 2 and notes.rows()[sent.id].body == before[sent.id].body
    assert purge(platform, notifications_retention.PURGES, six)["messages"] == 2
    after = notes.rows()
    for n in (sent, failed):
        row, was = after[n.id], before[n.id]
        assert row.body == "" and row.subject == "" and row.last_error is None
        assert row.recipient == "anonymised:" + n.id
        for key in ("application_id", "template", "channel", "recipient_kind", "status",
                    "attempts", "sent_at", "failed_at", "provider", "created_at"):
            assert getattr(row, key) == getattr(was, key), key
    for n in after.values():
        if n.application_id == waiting:  # still to be sent: untouched
            assert n.status == "QUEUED" and "Retention-Queued-N2" in n.body
    assert "Retention-Sent-N1" not in repr([(n.body, n.subject, n.recipient, n.last_error)
                                            for n in after.values()])
    with platform.session_factory() as session:  # how to reach them: kept (see the module)
        assert session.get(Recipient, done).surname == "Retention-Sent-N1"
    assert len(audited(platform, "retention.message_purged")) == 2
    assert zeros(purge(platform, notifications_retention.PURGES, six))
