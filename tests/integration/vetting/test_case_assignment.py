"""Taking and releasing a case, on embedded SQLite and real PostgreSQL: one officer at a time
(409 naming the holder), taking one's own again changes nothing, only the holder or a manager
releases, closing the case releases it, the queue filters by who works a case, every take and
release is audited; and the migration adds and removes the columns."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command

from shared.config import load_settings
from shared.migrations import alembic_config
from tests.support.vetting_harness import Vetting


def _assignment(vetting: Vetting, case_id: str, method: str, who: str = "officer"):
    return vetting.call(method, f"/cases/{case_id}/assignment", who=who)


def _queue(vetting: Vetting, who: str, assigned_to: str) -> set[str]:
    response = vetting.call("GET", f"/cases?assigned_to={assigned_to}", who=who)
    assert response.status_code == 200, response.json
    return {case["id"] for case in response.json["items"]}


def test_one_officer_at_a_time(vetting: Vetting):
    app_id = vetting.submit()
    vetting.work()
    case_id = vetting.case(app_id)["id"]
    assert vetting.case(app_id)["assigned_to"] is None
    assert case_id in _queue(vetting, "officer", "nobody")
    # Working days beside the seconds (0 or 1 here: the run may straddle a London midnight).
    fresh = vetting.case(app_id)
    assert fresh["age_working_days"] in (0, 1) and fresh["waiting_working_days"] in (0, 1)

    taken = _assignment(vetting, case_id, "POST")
    assert taken.status_code == 200, taken.json
    assert taken.json["assigned_to"] == "officer-ann" and taken.json["assigned_at"]
    again = _assignment(vetting, case_id, "POST")
    assert again.status_code == 200
    assert again.json["assigned_at"] == taken.json["assigned_at"]  # idempotent

    for who in ("officer2", "manager"):
        refused = _assignment(vetting, case_id, "POST", who)
        assert refused.status_code == 409, refused.json
        assert "officer-ann" in refused.json["message"]
        assert refused.json["errors"]["assigned_to"] == ["officer-ann"]
    not_theirs = _assignment(vetting, case_id, "DELETE", "officer2")
    assert not_theirs.status_code == 409 and "officer-ann" in not_theirs.json["message"]

    assert case_id in _queue(vetting, "officer", "me")
    assert case_id not in _queue(vetting, "officer2", "me")
    assert case_id in _queue(vetting, "officer2", "officer-ann")
    assert case_id not in _queue(vetting, "officer", "nobody")

    released = _assignment(vetting, case_id, "DELETE")
    assert released.status_code == 200
    assert (released.json["assigned_to"], released.json["assigned_at"]) == (None, None)
    assert _assignment(vetting, case_id, "DELETE").status_code == 200  # nobody holds it

    assert _assignment(vetting, case_id, "POST", "officer2").status_code == 200
    freed = _assignment(vetting, case_id, "DELETE", "manager")  # a manager frees it
    assert freed.status_code == 200 and freed.json["assigned_to"] is None

    trail = vetting.call("GET", f"/cases/{case_id}/audit").json
    actions = [(e["action"], e["actor"]) for e in trail if e["action"].startswith("case.")]
    assert ("case.taken", "officer-ann") in actions
    assert ("case.released", "officer-ann") in actions
    assert ("case.taken", "officer-bob") in actions
    assert ("case.released", "manager-cat") in actions


def test_deciding_a_case_releases_it_and_a_decided_case_is_not_taken(vetting: Vetting):
    app_id = vetting.submit()
    vetting.work()
    case_id = vetting.case(app_id)["id"]
    assert _assignment(vetting, case_id, "POST").status_code == 200
    cleared = vetting.call("POST", f"/cases/{case_id}/clearance", json={"reason": "Fine."})
    assert cleared.status_code == 201, cleared.json
    assert vetting.case(app_id)["assigned_to"] is None
    refused = _assignment(vetting, case_id, "POST", "officer2")
    assert refused.status_code == 409 and refused.json["errors"]["status"]


def test_unknown_case_and_wrong_roles(vetting: Vetting):
    assert _assignment(vetting, "no-such-case", "POST").status_code == 404
    assert _assignment(vetting, "no-such-case", "DELETE").status_code == 404
    app_id = vetting.submit()
    case_id = vetting.case(app_id)["id"]
    for who in ("security", "auditor"):
        assert _assignment(vetting, case_id, "POST", who).status_code == 403
        assert _assignment(vetting, case_id, "DELETE", who).status_code == 403
    assert _assignment(vetting, case_id, "POST", None).status_code == 401


@pytest.mark.unmigrated
def test_the_migration_adds_and_removes_the_columns(backend_env):
    from vetting.service import definition

    settings = load_settings("vetting", backend_env["vetting"])
    config = alembic_config(settings, definition().migrations_dir)
    engine = sa.create_engine(settings.database_url)

    def columns() -> set[str]:
        return {c["name"] for c in sa.inspect(engine).get_columns("vetting_cases")}

    command.upgrade(config, "head")
    assert {"assigned_to", "assigned_at"} <= columns()
    command.downgrade(config, "0016")
    assert not {"assigned_to", "assigned_at"} & columns()
    command.upgrade(config, "head")
    assert {"assigned_to", "assigned_at"} <= columns()
    engine.dispose()
