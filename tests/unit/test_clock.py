"""The one clock: a shifted run agrees across processes started whenever, London time and its
clock changes are read right, and production refuses to be shifted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest

from shared.clock import (
    LONDON,
    TEST_CLOCK_AT,
    TEST_CLOCK_OFFSET_S,
    ClockSettingError,
    ManualClock,
    SystemClock,
    clock_offset,
    parse_clock_at,
    pin_test_clock,
    today,
)
from shared.config import SettingsError, load_settings
from shared.platform import build_platform

WINTER = datetime(2027, 1, 14, 13, 0, tzinfo=UTC)  # GMT: London = UTC
SUMMER = datetime(2027, 7, 14, 13, 0, tzinfo=UTC)  # BST: London = UTC + 1


@pytest.mark.parametrize(
    ("real_now", "expected_utc"),
    [
        (WINTER, datetime(2027, 1, 14, 3, 30, tzinfo=UTC)),
        (SUMMER, datetime(2027, 7, 14, 2, 30, tzinfo=UTC)),
    ],
)
def test_a_time_of_day_is_that_time_today_in_london(real_now, expected_utc):
    assert parse_clock_at("03:30", real_now) == expected_utc
    assert parse_clock_at("03:30", real_now).astimezone(LONDON).hour == 3


def test_a_london_date_and_time_either_side_of_the_clock_change():
    # 28 March 2027, 01:00 GMT the clocks go forward to 02:00 BST.
    assert parse_clock_at("2027-03-28T00:30", WINTER) == datetime(2027, 3, 28, 0, 30, tzinfo=UTC)
    assert parse_clock_at("2027-03-28T03:30", WINTER) == datetime(2027, 3, 28, 2, 30, tzinfo=UTC)
    assert parse_clock_at("2027-03-28T03:30+00:00", WINTER) == datetime(
        2027, 3, 28, 3, 30, tzinfo=UTC
    )


@pytest.mark.parametrize("text", ["25:00", "3pm", "yesterday", "12:60"])
def test_an_unreadable_setting_is_refused(text):
    with pytest.raises(ClockSettingError, match=TEST_CLOCK_AT):
        parse_clock_at(text, WINTER)


def test_pinning_fixes_one_offset_and_a_second_pin_keeps_it():
    environ = {TEST_CLOCK_AT: "03:30"}
    pin_test_clock(environ)
    first = environ[TEST_CLOCK_OFFSET_S]
    shifted = datetime.now(UTC) + timedelta(seconds=float(first))
    assert shifted.astimezone(LONDON).strftime("%H:%M") in ("03:30", "03:31")
    environ[TEST_CLOCK_AT] = "22:30"  # too late: the run's processes already agreed
    pin_test_clock(environ)
    assert environ[TEST_CLOCK_OFFSET_S] == first
    assert clock_offset(environ) == timedelta(seconds=float(first))


def test_no_setting_no_shift():
    assert clock_offset({}) == timedelta(0)


@pytest.mark.slow  # starts Python processes: `make test`, not the quick loop
def test_processes_started_at_different_times_agree_on_now():
    environ = {**os.environ, TEST_CLOCK_AT: "22:30"}
    environ.pop(TEST_CLOCK_OFFSET_S, None)
    pin_test_clock(environ)
    program = (
        "import json, time; from shared.config import load_settings; "
        "from shared.platform import build_platform; "
        "p = build_platform(load_settings('access')); "
        "print(json.dumps([p.clock.now().timestamp(), time.time()]))"
    )

    def ask() -> float:
        out = subprocess.run(
            [sys.executable, "-c", program],
            env=environ,
            text=True,
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout
        shifted, real = json.loads(out)
        return shifted - real  # this process's shift

    first = ask()
    time.sleep(1.0)
    second = ask()
    assert abs(first - second) < 0.05  # the same offset, not "22:30 when each started"
    assert abs(first - float(environ[TEST_CLOCK_OFFSET_S])) < 0.05


def test_a_production_deployment_refuses_a_shifted_clock():
    for shift in ({TEST_CLOCK_AT: "03:30"}, {TEST_CLOCK_OFFSET_S: "-3600"}):
        with pytest.raises(SettingsError, match="production"):
            load_settings("access", {"DEPLOYMENT_ENVIRONMENT": "production", **shift})


@pytest.mark.slow  # starts Python processes: `make test`, not the quick loop
def test_the_cli_says_why_it_will_not_start_in_one_line():
    environ = {
        **os.environ,
        "DEPLOYMENT_ENVIRONMENT": "production",
        TEST_CLOCK_AT: "03:30",
        TEST_CLOCK_OFFSET_S: "-100",
    }
    result = subprocess.run(
        [sys.executable, "-m", "vetting", "dead-letters", "list"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "production" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_the_platform_takes_the_shift_and_tests_can_hand_it_a_clock():
    settings = load_settings("access", {TEST_CLOCK_OFFSET_S: "-7200"})
    platform = build_platform(settings)
    assert isinstance(platform.clock, SystemClock)
    assert platform.clock.offset == timedelta(hours=-2)
    manual = ManualClock(SUMMER)
    assert build_platform(settings, manual).clock.now() == SUMMER


def test_a_manual_clock_moves_only_when_told_and_knows_londons_date():
    clock = ManualClock(datetime(2027, 10, 30, 23, 30, tzinfo=UTC))  # 00:30 BST on the 31st
    assert today(clock).isoformat() == "2027-10-31"
    clock.advance(hours=2)  # 01:30 GMT, after the clocks went back
    assert today(clock).isoformat() == "2027-10-31" and clock.now().hour == 1
    with pytest.raises(ValueError):
        ManualClock(datetime(2027, 1, 1))  # naive: refused
