"""The shared audit log, on both run modes: entries round trip, the database itself refuses to
change or remove them, and an entry lives or dies with the transaction that wrote it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from shared.audit import log as audit
from shared.audit.log import audit_log_table, entries, record
from shared.context import set_correlation_id
from shared.migrations import AUDIT_LOG_APPEND_ONLY
from shared.platform import Platform
from tests.support.platforms import platform_for


class Boom(Exception):
    pass


@pytest.fixture
def platform(backend_env) -> Iterator[Platform]:
    # Every service runs the same shared migration; one service is enough here
    # (tests/integration/test_migrations.py migrates each of them up and down).
    platform = platform_for("access", backend_env["access"])
    yield platform
    platform.engine.dispose()


def _record(session, subject_id: str = "case-1", **overrides) -> None:
    fields = dict(
        service="vetting",
        actor="staff-7",
        actor_kind=audit.STAFF,
        action="case.refusal_proposed",
        subject_type="case",
        subject_id=subject_id,
        reason="undisclosed conviction",
        detail={"level": "ENHANCED", "conditions": []},
        at=datetime(2026, 6, 10, 11, 0, tzinfo=UTC),
    )
    fields.update(overrides)
    record(session, **fields)


def _only_row(platform: Platform) -> dict:
    with platform.engine.connect() as conn:
        rows = [dict(row._mapping) for row in conn.execute(select(audit_log_table))]
    assert len(rows) == 1
    return rows[0]


def test_record_and_entries_round_trip(platform):
    at = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
    set_correlation_id("corr-audit-1")
    try:
        with platform.session_factory() as session, session.begin():
            _record(session, at=at)
            _record(session, action="case.cleared", reason=None, detail=None)
            _record(session, subject_id="case-2", actor="org-1", actor_kind=audit.ORGANISATION)
    finally:
        set_correlation_id(None)
    with platform.session_factory() as session:
        case_1 = entries(session, subject_type="case", subject_id="case-1")
        by_org = entries(session, actor="org-1")
        first_page = entries(session, limit=2)
        second_page = entries(session, limit=2, before_id=first_page[-1]["id"])
        with pytest.raises(ValueError, match="actor_kind"):
            _record(session, actor_kind="ROBOT")

    assert [entry["action"] for entry in case_1] == ["case.cleared", "case.refusal_proposed"]
    older = case_1[1]
    assert older["at"] == at and older["at"].tzinfo is not None
    assert older["service"] == "vetting" and older["actor"] == "staff-7"
    assert older["actor_kind"] == "STAFF" and older["subject_type"] == "case"
    assert older["reason"] == "undisclosed conviction"
    assert older["detail"] == {"level": "ENHANCED", "conditions": []}
    assert older["correlation_id"] == "corr-audit-1"
    assert case_1[0]["reason"] is None and case_1[0]["detail"] is None
    assert [entry["subject_id"] for entry in by_org] == ["case-2"]
    assert [entry["id"] for entry in first_page + second_page] == sorted(
        (entry["id"] for entry in first_page + second_page), reverse=True
    )
    assert len(first_page) == 2 and len(second_page) == 1


@pytest.mark.parametrize("statement", ["update", "delete", "truncate"])
def test_the_database_refuses_to_change_or_remove_entries(platform, statement):
    dialect = platform.engine.dialect.name
    if statement == "truncate" and dialect != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    with platform.session_factory() as session, session.begin():
        _record(session)
    before = _only_row(platform)
    sql = {
        "update": update(audit_log_table).values(reason="nothing to see here"),
        "delete": delete(audit_log_table).where(audit_log_table.c.id == before["id"]),
        "truncate": text("TRUNCATE audit_log"),
    }[statement]

    with pytest.raises(DBAPIError, match=AUDIT_LOG_APPEND_ONLY), platform.engine.begin() as conn:
        conn.execute(sql)

    assert _only_row(platform) == before


def test_an_entry_rolls_back_with_its_transaction(platform):
    with pytest.raises(Boom), platform.unit_of_work() as uow:
        _record(uow.session)
        raise Boom  # the decision fails: its audit entry must not survive it
    with platform.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(audit_log_table)).scalar() == 0
        assert entries(conn) == []
