"""Retention in access, on both run modes: its `retention run` purges what is past its
period and nothing else, keeps what statistics and what still lives need, audits each purge,
changes nothing on a dry run and purges nothing the second time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from access.models import Grant
from access.service_layer import retention as access_retention
from shared import retention
from shared.db import dead_letters_table, outbox_table
from tests.support.access_harness import Access
from tests.support.clock import now, today
from tests.support.retention_world import (
    GRANT_REASON,
    TWELVE_MONTHS_ON,
    add_dead_letter,
    audited,
    cli_run,
    count,
    dump,
    env_of,
    failing_on,
    later,
    purge,
    raw,
    with_env,
    zeros,
)


@pytest.fixture
def access(backend_env):
    harness = Access(backend_env["access"])
    yield harness
    harness.platform.engine.dispose()


def closed_grant(access: Access, how: str, surname: str) -> str:
    data = access.grant_clearance(surname=surname)
    grant_id = access.grant_id(data["person_id"])
    if how == "refusal":
        access.decide(grant_id, "refusal", {"reason": GRANT_REASON})
        return grant_id
    access.activate(grant_id, badge=f"BADGE-{surname}".upper())  # as issued: upper case
    if how == "exclusion":
        review = (today() + timedelta(days=400)).isoformat()
        access.decide(
            grant_id, "exclusion", {"reason": GRANT_REASON, "review_on": review}, who="head"
        )
    elif how:
        access.decide(grant_id, how, {"reason": GRANT_REASON}, who="head")
    return grant_id


def grant_row(access: Access, grant_id: str) -> Grant:
    with access.platform.session_factory() as session:
        return session.get(Grant, grant_id)


def test_access_forgets_closed_grants_but_an_exclusion_stands_until_its_review(access):
    grants = {
        how: closed_grant(access, how, f"Retention-{how or 'active'}-G")
        for how in ("refusal", "revocation", "ending", "exclusion", "")
    }
    before = {how: access.grant(grant_id, who="head") for how, grant_id in grants.items()}
    platform = access.platform
    assert "Retention-refusal-G" in raw(platform) and "BADGE-RETENTION-REVOCATION-G" in raw(
        platform
    )
    assert zeros(
        retention.run(
            platform.session_factory,
            with_env(platform, RETENTION_OUTBOX_DAYS="900"),
            access_retention.PURGES,
            later(11 * 30),
            clock=platform.clock,
        )
    )
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
        for key in (
            "status",
            "establishment_code",
            "person_id",
            "clearance",
            "access_type",
            "opened_at",
            "decided_at",
            "decided_by",
            "updated_at",
        ):
            assert grant[key] == before[how][key], (how, key)
    # The exclusion keeps what the gate needs until its review date; the active grant, all.
    for how in ("exclusion", ""):
        assert access.grant(grants[how], who="head") == before[how]
    gate = access.gate(badge="BADGE-Retention-exclusion-G")
    assert gate["reason"] == "EXCLUDED" and gate["surname"] == "Retention-exclusion-G"
    assert gate["allowed"] is False
    assert "Retention-refusal-G" not in raw(platform) and GRANT_REASON in raw(platform)
    assert "BADGE-RETENTION-REVOCATION-G" not in raw(platform)
    assert cli_run("access", env, "--at", twelve) == {
        "closed_grants": 0,
        "outbox": 0,
        "dead_letters": 0,
    }
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
        conn.execute(
            update(outbox_table)
            .where(outbox_table.c.id.in_(ids[:2]))
            .values(published_at=now() - timedelta(days=31))
        )
        conn.execute(
            update(outbox_table)
            .where(outbox_table.c.id == ids[2])
            .values(published_at=now() - timedelta(days=29))
        )
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
