"""An exclusion's review date coming: announced once per review date by the sweep (the person
and their coordinator hear of it through notifications), from the day it comes in London; and
access.activated carrying the terms the volunteer is told."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from access.service_layer.exclusion_reviews import announce_due_reviews
from shared.audit.log import audit_log_table
from tests.support.access_harness import Access
from tests.support.clock import now, today

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def access(backend_env):
    return Access(backend_env["access"])


def excluded(access: Access, review_on: date) -> str:
    grant_id = access.grant_id(access.grant_clearance()["person_id"])
    access.activate(grant_id)
    body = {"reason": "Governor's decision", "review_on": review_on.isoformat()}
    access.decide(grant_id, "exclusion", body, who="head")
    return grant_id


def sweep(access: Access, at: datetime) -> int:
    with access.platform.unit_of_work() as uow:
        announced = announce_due_reviews(uow, at)
        uow.commit()
    return announced


def test_a_review_date_is_announced_once_from_the_day_it_comes_in_london(access):
    review_on = today() + timedelta(days=30)
    grant_id = excluded(access, review_on)
    other = excluded(access, review_on + timedelta(days=1))
    the_eve = datetime.combine(review_on, time(0, 0), tzinfo=LONDON) - timedelta(minutes=1)
    assert sweep(access, the_eve) == 0
    assert sweep(access, the_eve + timedelta(minutes=2)) == 1
    assert sweep(access, the_eve + timedelta(hours=12)) == 0  # once
    [due] = access.published("access.exclusion_review_due")
    assert due["grant_id"] == grant_id and due["review_on"] == review_on.isoformat()
    assert due["status"] == "EXCLUDED" and due["establishment_code"] == "WWI"
    assert "reason" not in due and "Governor" not in str(due)
    # A sweep that missed days still announces what came meanwhile, once.
    assert sweep(access, the_eve + timedelta(days=5)) == 1
    assert [e["grant_id"] for e in access.published("access.exclusion_review_due")] == [
        grant_id,
        other,
    ]
    with access.platform.engine.connect() as connection:
        actions = [
            row.action
            for row in connection.execute(
                select(audit_log_table).where(audit_log_table.c.subject_id == grant_id)
            )
        ]
    assert actions.count("grant.exclusion_review_due") == 1


def test_grants_that_are_not_excluded_are_never_announced(access):
    active = access.grant_id(access.grant_clearance()["person_id"])
    access.activate(active)
    assert sweep(access, now() + timedelta(days=400)) == 0
    assert access.published("access.exclusion_review_due") == []


def test_the_activated_event_carries_the_terms(access):
    grant_id = access.grant_id(access.grant_clearance()["person_id"])
    access.activate(
        grant_id,
        access_type="ESCORTED",
        permitted_days=["TUE", "SAT"],
        permitted_areas=["Chapel"],
    )
    [activated] = access.published("access.activated")
    assert activated["access_type"] == "ESCORTED"
    assert activated["permitted_days"] == ["TUE", "SAT"]
    assert activated["permitted_areas"] == ["Chapel"]


@pytest.mark.slow  # starts a process: `make test`, not the quick loop
def test_the_sweep_command_runs_as_an_operator_would(access, backend_env):
    review_on = today() + timedelta(days=10)
    excluded(access, review_on)
    at = datetime.combine(review_on, time(9, 0), tzinfo=LONDON).isoformat()
    result = subprocess.run(
        [sys.executable, "-m", "access", "sweep", "--at", at],
        capture_output=True,
        text=True,
        timeout=60,
        env={**backend_env["access"], "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == '{"reviews_due": 1}'
    assert len(access.published("access.exclusion_review_due")) == 1
