"""The audit log as auditors and erasure meet it, on both run modes: reasons and what officers
wrote about a person are sealed per subject (no plaintext in the raw row) and forgetting the
subject makes them unreadable while the entry stays; `GET /audit` answers auditors only, with
filters and pages; refused credentials and reads of special-category data leave entries; the
migration seals reasons written before it and leaves the log append-only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from access.service import definition as access_definition
from shared.audit import log as audit
from shared.audit import seal
from shared.audit.log import audit_log_table, entries, record
from shared.migrations import AUDIT_LOG_APPEND_ONLY, alembic_config
from shared.platform import build_platform
from tests.support import settings_for
from tests.support.applications_api import organisations_api
from tests.support.clock import iso_now, now
from tests.support.vetting_harness import Vetting

SECRET_REASON = "sentinel-reason-Zq81 undisclosed burglary 2019"
SECRET_CONDITION = "sentinel-condition-Kx42 not near his brother at B wing"


@pytest.fixture
def api(backend_env):
    client, platform = organisations_api(backend_env["applications"])
    yield client, platform
    platform.engine.dispose()


@pytest.fixture
def vetting(backend_env):
    harness = Vetting(backend_env["vetting"])
    yield harness
    harness.platform.engine.dispose()


def _raw_rows(platform) -> list[dict]:
    with platform.engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(select(audit_log_table))]


def test_reasons_are_sealed_per_subject_and_forgetting_the_subject_erases_them(vetting):
    platform = vetting.platform
    with platform.session_factory() as session, session.begin():
        for case in ("case-1", "case-2"):
            record(
                session,
                service="vetting",
                actor="officer-ann",
                actor_kind=audit.STAFF,
                action="case.cleared",
                subject_type="case",
                subject_id=case,
                reason=SECRET_REASON,
                detail={"level": "ENHANCED"},
                private={"conditions": [SECRET_CONDITION]},
                at=platform.clock.now(),
            )
    for row in _raw_rows(platform):
        raw = repr(row)
        assert "sentinel" not in raw and row["reason"] is None and row["sealed"]
        assert row["detail"] == {"level": "ENHANCED"} and row["outcome"] == "SUCCESS"
    with platform.engine.connect() as conn:  # the keys themselves are encrypted at rest:
        # a Fernet token wrapping the 44-character key, never the key itself
        assert all(
            len(key) > 100
            for key in conn.execute(text("SELECT key FROM audit_subject_keys")).scalars()
        )
        assert conn.execute(text("SELECT count(*) FROM audit_subject_keys")).scalar() == 2

    with platform.session_factory() as session, session.begin():
        opened = entries(session, subject_type="case", subject_id="case-1")[0]
        assert opened["reason"] == SECRET_REASON and not opened["erased"]
        assert opened["detail"] == {"level": "ENHANCED", "conditions": [SECRET_CONDITION]}
        assert seal.forget(session, "case", ["case-1"]) == 1
        assert seal.forget(session, "case", ["case-1"]) == 0  # a rerun: nothing left

    with platform.session_factory() as session:
        erased = entries(session, subject_type="case", subject_id="case-1")[0]
        kept = entries(session, subject_type="case", subject_id="case-2")[0]
    assert erased["erased"] and erased["reason"] is None
    assert erased["detail"] == {"level": "ENHANCED"}  # the facts stay, the words go
    assert (erased["actor"], erased["action"], erased["at"]) == (
        "officer-ann",
        "case.cleared",
        opened["at"],
    )
    assert kept["reason"] == SECRET_REASON and not kept["erased"]


def test_the_audit_api_is_for_auditors_with_filters_and_pages(vetting):
    first = vetting.submit()
    second = vetting.submit(application_id=None)
    case = vetting.case(first)  # an officer reads a case: a case.read entry
    vetting.case(second)
    denied = vetting.call("GET", "/audit", who="officer")
    assert denied.status_code == 403
    assert vetting.call("GET", "/audit", who=None).status_code == 401

    opened = vetting.call(
        "GET", "/audit", who="auditor", query_string={"action": "case.opened", "limit": 1}
    )
    assert opened.status_code == 200, opened.json
    page_1 = opened.json
    assert len(page_1["entries"]) == 1 and page_1["next_before_id"] is not None
    page_2 = vetting.call(
        "GET",
        "/audit",
        who="auditor",
        query_string={"action": "case.opened", "limit": 1, "before_id": page_1["next_before_id"]},
    ).json
    assert len(page_2["entries"]) == 1
    assert page_2["entries"][0]["id"] < page_1["entries"][0]["id"]

    reads = vetting.call(
        "GET",
        "/audit",
        who="auditor",
        query_string={"subject_type": "case", "subject_id": case["id"], "action": "case.read"},
    ).json
    [read] = reads["entries"]
    assert read["actor"] == "officer-ann" and read["actor_kind"] == "STAFF"
    assert read["outcome"] == "SUCCESS" and read["correlation_id"]

    by_actor = vetting.call(
        "GET", "/audit", who="auditor", query_string={"actor": "officer-ann"}
    ).json["entries"]
    assert [entry["action"] for entry in by_actor] == ["auth.denied", "case.read", "case.read"]
    refused = vetting.call("GET", "/audit", who="auditor", query_string={"outcome": "DENIED"}).json[
        "entries"
    ]
    assert [
        (
            e["actor"],
            e["subject_type"],
            e["subject_id"],
            e["detail"]["status"],
            e["detail"]["why"],
            e["detail"].get("endpoint"),
        )
        for e in refused
    ] == [
        ("anonymous", "source", "127.0.0.1", 401, "missing", "GET /audit"),
        ("officer-ann", "endpoint", "GET /audit", 403, "role", None),
    ]

    later = (now() + timedelta(minutes=5)).isoformat()
    assert (
        vetting.call("GET", "/audit", who="auditor", query_string={"since": later}).json["entries"]
        == []
    )
    bad = vetting.call(
        "GET",
        "/audit",
        who="auditor",
        query_string={"outcome": "MAYBE", "limit": 0, "since": "yesterday"},
    )
    assert bad.status_code == 422
    assert set(bad.json["errors"]) == {"outcome", "limit", "since"}, bad.json
    backwards = vetting.call(
        "GET", "/audit", who="auditor", query_string={"since": later, "until": iso_now()}
    )
    assert backwards.status_code == 422
    assert backwards.json["errors"] == {"until": ["Must be after since."]}

    # Reading the log is itself in the log (it holds decision reasons).
    own = vetting.call(
        "GET", "/audit", who="auditor", query_string={"action": "audit_log.read"}
    ).json["entries"]
    assert own and own[0]["actor"] == "aud-ida"


def test_refused_credentials_are_recorded_once_per_source_per_window(vetting):
    vetting.client.get("/cases", headers={"Authorization": "Bearer forged.token.here"})
    vetting.call("GET", "/cases", who=None)  # the same source, the same window: counted only
    vetting.call("GET", "/cases", who="security")  # a real token without a vetting role
    vetting.call("GET", "/cases", who=None, environ_base={"REMOTE_ADDR": "127.0.0.2"})
    with vetting.platform.session_factory() as session:
        denied = entries(session, action="auth.denied")
    assert [
        (e["detail"]["status"], e["detail"]["why"], e["actor"], e["subject_id"]) for e in denied
    ] == [
        (401, "missing", "anonymous", "127.0.0.2"),
        (403, "role", "sec-eve", "GET /cases"),
        (401, "invalid", "anonymous", "127.0.0.1"),
    ]
    assert {e["outcome"] for e in denied} == {"DENIED"}
    assert denied[-1]["detail"]["endpoint"] == "GET /cases"
    assert denied[-1]["detail"]["aggregated"] is True


def test_an_organisation_reading_its_application_is_recorded(api):
    client, platform = api
    draft = client.draft()
    assert client.call("GET", f"/applications/{draft['id']}").status_code == 200
    key_id = client.keys["A"].split("_", 2)[1]
    wrong = client.keys["A"][:-4] + ("aaaa" if not client.keys["A"].endswith("aaaa") else "bbbb")
    assert (
        client.call(
            "GET",
            f"/applications/{draft['id']}",
            headers={"Authorization": f"Bearer {wrong}"},
            org=None,
        ).status_code
        == 401
    )
    with platform.session_factory() as session:
        read = entries(session, action="application.read")
        denied = entries(session, action="auth.denied")
    assert [(e["actor_kind"], e["subject_id"]) for e in read] == [("ORGANISATION", draft["id"])]
    [refusal] = denied
    assert refusal["detail"]["why"] == "invalid" and refusal["actor"].startswith("api-key:")
    assert refusal["actor"] == f"api-key:{key_id}"
    assert client.keys["A"].split("_", 2)[2] not in repr(refusal)  # never the secret


@pytest.mark.unmigrated
def test_the_migration_seals_earlier_reasons_and_keeps_the_log_append_only(backend_env):
    definition = access_definition()
    settings = settings_for("access", backend_env["access"])
    config = alembic_config(settings, definition.migrations_dir)
    platform = build_platform(settings)
    try:
        command.upgrade(config, "0003")
        with platform.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO audit_log (at, service, actor, actor_kind, action, subject_type, "
                    "subject_id, reason, detail, correlation_id) VALUES (:at, 'access', "
                    "'head-cat', "
                    "'STAFF', 'grant.revoked', 'grant', 'g-1', :reason, NULL, NULL)"
                ),
                {"at": now(), "reason": SECRET_REASON},
            )
        command.upgrade(config, "head")
        [row] = _raw_rows(platform)
        assert row["reason"] is None and SECRET_REASON not in row["sealed"]
        with platform.session_factory() as session:
            assert entries(session)[0]["reason"] == SECRET_REASON
        with (
            pytest.raises(DBAPIError, match=AUDIT_LOG_APPEND_ONLY),
            platform.engine.begin() as conn,
        ):
            conn.execute(update(audit_log_table).values(sealed=None))
        command.downgrade(config, "0003")
        command.upgrade(config, "head")
    finally:
        platform.engine.dispose()


def test_keys_rotate_covers_sealing_keys(vetting, backend_env):
    from click.testing import CliRunner

    from shared.cli import make_cli
    from vetting.service import definition

    cli, env = make_cli(definition(), "x"), backend_env["vetting"]
    with vetting.platform.session_factory() as session, session.begin():
        record(
            session,
            service="vetting",
            actor="x",
            actor_kind=audit.STAFF,
            action="a.b",
            subject_type="case",
            subject_id="c-1",
            reason=SECRET_REASON,
            at=vetting.platform.clock.now(),
        )
    rotated = CliRunner().invoke(cli, ["keys", "rotate"], env=env)
    assert rotated.exit_code == 0, rotated.output
    assert "audit_subject_keys" in rotated.stdout.splitlines()[-1]
