"""Retention's pure parts: calendar months, the periods from the environment, the cutoffs, the
helpers the services' purges share; and that every service schedules its daily run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from devstack.stack import scheduled_jobs
from shared.cli import make_cli
from shared.config import load_settings
from shared.messaging.topology import SERVICES
from shared.retention import (
    CHECK_DETAILS,
    CLOSED_APPLICANT,
    Periods,
    RetentionConfigError,
    empty_information_request,
    months_before,
    only,
    without,
)

ROOT = Path(__file__).resolve().parents[2]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        ("2027-05-20T09:30:00", 6, "2026-11-20T09:30:00"),
        ("2027-01-15T00:00:00", 1, "2026-12-15T00:00:00"),
        ("2027-03-31T12:00:00", 1, "2027-02-28T12:00:00"),  # no 31 February
        ("2028-08-31T23:59:59", 6, "2028-02-29T23:59:59"),  # a leap year's February
        ("2027-08-31T08:00:00", 6, "2027-02-28T08:00:00"),
        ("2027-05-20T09:30:00", 12, "2026-05-20T09:30:00"),
        ("2027-05-20T09:30:00", 29, "2024-12-20T09:30:00"),
        ("2027-05-20T09:30:00", 0, "2027-05-20T09:30:00"),
    ],
)
def test_months_before_counts_calendar_months(moment, months, expected):
    assert months_before(at(moment), months) == at(expected)


def test_months_before_keeps_the_time_zone():
    moment = datetime(2027, 3, 31, 1, 0, tzinfo=timezone(timedelta(hours=1)))
    assert months_before(moment, 1) == datetime(
        2027, 2, 28, 1, 0, tzinfo=timezone(timedelta(hours=1))
    )


@given(
    st.datetimes(
        min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
    ),
    st.integers(min_value=0, max_value=240),
)
def test_months_before_is_never_later_and_lands_in_the_right_month(moment, months):
    earlier = months_before(moment, months)
    assert earlier <= moment
    assert (moment.year * 12 + moment.month) - (earlier.year * 12 + earlier.month) == months
    assert earlier.time() == moment.time() and earlier.day <= moment.day
    # Nothing later in that month is skipped over: the day is the same, or the month's last.
    assert earlier.day == moment.day or (earlier + timedelta(days=1)).month != earlier.month


def test_periods_default_to_the_dbs_code_and_a_year():
    periods = Periods.from_settings(load_settings("vetting", {}))
    assert periods == Periods(check_details_months=6, closed_applicant_months=12, outbox_days=30)


def test_periods_come_from_the_environment_in_every_service():
    env = {
        "RETENTION_CHECK_DETAILS_MONTHS": "3",
        "RETENTION_CLOSED_APPLICANT_MONTHS": "24",
        "RETENTION_OUTBOX_DAYS": " 7 ",
    }
    for service in SERVICES:
        assert Periods.from_settings(load_settings(service, env)) == Periods(3, 24, 7)


@pytest.mark.parametrize("value", ["six", "-1", "1.5"])
def test_a_bad_period_is_refused_with_its_name(value):
    settings = load_settings("access", {"RETENTION_CLOSED_APPLICANT_MONTHS": value})
    with pytest.raises(RetentionConfigError, match="RETENTION_CLOSED_APPLICANT_MONTHS"):
        Periods.from_settings(settings)


def test_a_bad_period_stops_the_command_before_it_touches_anything(tmp_path):
    from access.service import definition

    result = CliRunner().invoke(
        make_cli(definition(), "x"),
        ["retention", "run"],
        env={"VAR_DIR": str(tmp_path), "RETENTION_OUTBOX_DAYS": "a month"},
    )
    assert result.exit_code == 2 and "RETENTION_OUTBOX_DAYS" in result.output
    assert not (tmp_path / "access.db").exists()


def test_cutoffs():
    cutoffs = Periods(6, 12, 30).cutoffs(at("2027-08-31T10:00:00"))
    assert cutoffs.check_details == at("2027-02-28T10:00:00")
    assert cutoffs.for_period(CHECK_DETAILS) == cutoffs.check_details
    assert cutoffs.for_period(CLOSED_APPLICANT) == at("2026-08-31T10:00:00")
    assert cutoffs.outbox == at("2027-08-01T10:00:00")


def test_document_helpers():
    document = {"surname": "X", "declarations": {"convictions": []}, "connections": []}
    assert without(document, ("declarations", "connections")) == {"surname": "X"}
    assert only(document, ("surname", "missing")) == {"surname": "X"}
    assert only(None, ("surname",)) is None


def test_an_information_request_keeps_only_its_field_paths():
    request = SimpleNamespace(
        items=[
            {"question": "Tell us about 2015", "field": "declarations"},
            {"question": "And this?"},
        ],
        reason="A record",
        answers=[{"answer": "It was..."}],
    )
    assert empty_information_request(request) is True
    assert request.items == [{"field": "declarations"}, {"field": None}]
    assert request.reason == "" and request.answers is None
    assert empty_information_request(request) is False


def test_every_service_runs_retention_daily_in_compose_and_make_run():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    for service in SERVICES:
        container = compose[f"{service}-retention"]
        argv = container["command"]
        assert argv[:5] == ["python", "-m", service, "retention", "run"]
        module = __import__(f"{service}.service", fromlist=["definition"])
        command = make_cli(module.definition(), "x").commands["retention"].commands["run"]
        assert command.make_context("run", argv[5:]).params["every_s"] == 86400
        assert (
            container["depends_on"][f"{service}-migrate"]["condition"]
            == "service_completed_successfully"
        )
    jobs = scheduled_jobs({})
    for service in SERVICES:
        assert jobs[f"{service}-retention"] == (service, ("retention", "run"), 86400)
    assert scheduled_jobs({"RETENTION_INTERVAL_S": "60"})["access-retention"][2] == 60
    assert jobs["access-sweep"] == ("access", ("sweep",), 3600)
