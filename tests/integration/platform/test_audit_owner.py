"""On PostgreSQL the service's runtime role cannot rewrite or unprotect its audit log: the
table and its trigger function belong to `<database>_audit_owner`, and the runtime role holds
INSERT and SELECT on it only (shared.audit.owner). It still does all its own work, erasure
(forgetting a subject's sealing key) and retention included."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import func, select

from shared import erasure
from shared.audit import log as audit
from shared.audit import seal
from shared.audit.log import audit_log_table
from shared.audit.owner import audit_owner_name
from tests.support import operator_cli
from tests.support.access_harness import Access
from tests.support.clock import now
from tests.support.deployment_secrets import DEPLOYMENT_ENV
from tests.support.events import hand
from tests.support.platforms import platform_for

FORBIDDEN = {
    "update": "UPDATE audit_log SET actor = 'someone else'",
    "delete": "DELETE FROM audit_log",
    "truncate": "TRUNCATE audit_log",
    "disable the trigger": "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_or_delete",
    "drop the trigger": "DROP TRIGGER audit_log_no_update_or_delete ON audit_log",
    "drop the truncate trigger": "DROP TRIGGER audit_log_no_truncate ON audit_log",
    "alter the table": "ALTER TABLE audit_log ADD COLUMN note text",
    "drop the table": "DROP TABLE audit_log",
    "replace the trigger function": (
        "CREATE OR REPLACE FUNCTION audit_log_reject_change() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$"
    ),
}


@pytest.fixture
def runtime(pg_urls):  # type: ignore[no-untyped-def]
    """(runtime URL, admin URL) of a migrated access database."""
    return pg_urls.runtime_url("access"), pg_urls["access"]


@pytest.fixture
def engine(runtime):  # type: ignore[no-untyped-def]
    """The access platform's engine (its key set installed), as the runtime role."""
    platform = platform_for("access", {"DATABASE_URL": runtime[0], **DEPLOYMENT_ENV})
    yield platform.engine
    platform.engine.dispose()


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def test_the_runtime_role_appends_and_reads_but_cannot_rewrite_the_audit_log(runtime, engine):
    runtime_url, admin_url = runtime
    with engine.begin() as conn:
        audit.record(
            conn,
            service="access",
            actor="sec-ann",
            actor_kind=audit.STAFF,
            action="grant.approved",
            subject_type="grant",
            subject_id="g-1",
            reason="Known to the chaplaincy",
            at=now(),
        )
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(audit_log_table)).scalar_one() >= 1
    refused = {}
    with psycopg.connect(_plain(runtime_url), autocommit=True) as conn:
        owner = conn.execute(
            "SELECT tableowner FROM pg_tables WHERE tablename = 'audit_log'"
        ).fetchone()[0]
        assert owner == audit_owner_name(owner.removesuffix("_audit_owner")) != conn.info.user
        for what, statement in FORBIDDEN.items():
            try:
                conn.execute(statement)
            except psycopg.errors.InsufficientPrivilege as exc:
                refused[what] = str(exc).splitlines()[0]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f'SET ROLE "{owner}"')
        conn.execute("GRANT UPDATE, DELETE, TRUNCATE ON audit_log TO CURRENT_USER")  # a warning
        assert conn.execute(
            "SELECT has_table_privilege('audit_log', 'UPDATE'), "
            "has_table_privilege('audit_log', 'DELETE'), "
            "has_table_privilege('audit_log', 'TRUNCATE'), "
            "has_table_privilege('audit_log', 'INSERT'), "
            "has_table_privilege('audit_log', 'SELECT')"
        ).fetchone() == (False, False, False, True, True)
    assert set(refused) == set(FORBIDDEN), f"allowed: {set(FORBIDDEN) - set(refused)}"
    with psycopg.connect(_plain(admin_url)) as conn:
        # Nothing changed: the entry is there as written, the triggers are still on.
        assert conn.execute("SELECT actor FROM audit_log WHERE subject_id = 'g-1'").fetchone() == (
            "sec-ann",
        )
        assert sorted(
            row[0]
            for row in conn.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass "
                "AND tgenabled = 'O'"
            )
        ) == ["audit_log_no_truncate", "audit_log_no_update_or_delete"]


def test_erasure_still_forgets_a_subjects_words_as_the_runtime_role(engine):
    with engine.begin() as conn:
        audit.record(
            conn,
            service="access",
            actor="sec-ann",
            actor_kind=audit.STAFF,
            action="grant.refused",
            subject_type="grant",
            subject_id="g-2",
            reason="Sentinel reason 7f3a",
            at=now(),
        )
    with engine.begin() as conn:
        assert erasure.forget_audit_subjects(conn, {"grant": ["g-2"]}) == 1
    with engine.connect() as conn:
        [entry] = [e for e in audit.entries(conn, subject_type="grant", subject_id="g-2")]
        assert entry["reason"] is None and entry["erased"]
        assert seal.keys_for(conn, [("grant", "g-2")]) == {}


def test_the_access_service_runs_as_its_runtime_role(runtime):
    """Its handlers, the gate (which writes its audit row by hand), erasure and retention."""
    runtime_url, _admin_url = runtime
    env = {"DATABASE_URL": runtime_url, **DEPLOYMENT_ENV}
    access = Access(env)
    data = access.grant_clearance()
    grant_id = access.grant_id(data["person_id"])
    access.activate(grant_id)
    assert access.gate(person=data["person_id"])["allowed"] is True
    hand(
        access.platform,
        "access",
        "vetting.person_erased",
        subject="erasure",
        data={
            "erasure_id": "00000000-0000-4000-8000-0000000000e1",
            "person_id": data["person_id"],
            "application_ids": [data["application_id"]],
            "counts": {"cases": 1},
            "erased_at": now().isoformat(),
        },
    )
    assert access.gate(person=data["person_id"])["allowed"] is False
    result = operator_cli("access", env)("retention", "run")
    assert result.returncode == 0, result.stderr
    access.platform.engine.dispose()
