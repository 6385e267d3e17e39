"""next_send_time: SMS waits for the end of quiet hours in London time, across the clocks'
changes; email never waits. Plus the backoff and the delivery settings it is configured by."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifications.adapters.channels.config import ConfigError, load_config
from notifications.domain.lifecycle import RETRY_CAP, retry_delay
from notifications.domain.quiet_hours import (
    LONDON,
    QuietHours,
    QuietHoursError,
    next_send_time,
    parse_quiet_hours,
)
from tests.support.properties import property_settings

NIGHT = parse_quiet_hours("21:00-08:00")


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        # summer (BST, UTC+1): 22:30 → 08:00 next morning
        (london(2026, 6, 10, 22, 30), london(2026, 6, 11, 8, 0)),
        # after midnight, same morning
        (london(2026, 6, 11, 3, 15), london(2026, 6, 11, 8, 0)),
        # the window's edges: 21:00 is quiet, 08:00 is not, 20:59 is not
        (london(2026, 6, 10, 21, 0), london(2026, 6, 11, 8, 0)),
        (london(2026, 6, 11, 8, 0), london(2026, 6, 11, 8, 0)),
        (london(2026, 6, 10, 20, 59), london(2026, 6, 10, 20, 59)),
        # spring forward (29 March 2026): 22:30 GMT → 08:00 BST, only 8.5 hours later
        (london(2026, 3, 28, 22, 30), london(2026, 3, 29, 8, 0)),
        # fall back (25 October 2026): 22:30 BST → 08:00 GMT, 10.5 hours later
        (london(2026, 10, 24, 22, 30), london(2026, 10, 25, 8, 0)),
        # New Year's Eve: across a year's end
        (london(2026, 12, 31, 23, 0), london(2027, 1, 1, 8, 0)),
    ],
)
def test_sms_due_in_quiet_hours_waits_for_the_morning(due, expected):
    assert next_send_time("SMS", due, NIGHT) == expected
    assert next_send_time("SMS", due, NIGHT).tzinfo == UTC


def test_the_clock_changes_are_respected_in_utc():
    assert next_send_time("SMS", datetime(2026, 3, 28, 22, 30, tzinfo=UTC), NIGHT) == datetime(
        2026, 3, 29, 7, 0, tzinfo=UTC
    )
    assert next_send_time("SMS", datetime(2026, 10, 24, 21, 30, tzinfo=UTC), NIGHT) == datetime(
        2026, 10, 25, 8, 0, tzinfo=UTC
    )


def test_email_and_no_quiet_hours_are_never_held():
    late = london(2026, 6, 10, 23, 0)
    assert next_send_time("EMAIL", late, NIGHT) == late
    assert next_send_time("SMS", late, None) == late
    assert next_send_time("SMS", late, "") == late
    assert next_send_time("SMS", late, "21:00-08:00") == london(2026, 6, 11, 8, 0)


def test_a_window_within_one_day():
    lunch = parse_quiet_hours("12:00-14:00")
    assert next_send_time("SMS", london(2026, 6, 10, 13, 0), lunch) == london(2026, 6, 10, 14, 0)
    assert next_send_time("SMS", london(2026, 6, 10, 11, 0), lunch) == london(2026, 6, 10, 11, 0)


def test_an_end_the_autumn_change_repeats():
    # 00:30-01:30 ends twice on 25 October 2026; a moment in the repeat waits for the second.
    window = parse_quiet_hours("00:30-01:30")
    repeat = datetime(2026, 10, 25, 1, 10, tzinfo=UTC)  # 01:10 GMT, after 01:30 BST has passed
    assert next_send_time("SMS", repeat, window) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize("text", ["late", "21:00", "24:00-08:00", "21:00-08:60", "08:00-08:00"])
def test_unreadable_quiet_hours_are_refused(text):
    with pytest.raises(QuietHoursError):
        parse_quiet_hours(text)


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError):
        next_send_time("SMS", datetime(2026, 6, 10, 23, 0), NIGHT)


moments = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
)
windows = (
    st.tuples(st.times(), st.times())
    .filter(
        lambda pair: (
            pair[0].replace(second=0, microsecond=0) != pair[1].replace(second=0, microsecond=0)
        )
    )
    .map(
        lambda pair: QuietHours(
            pair[0].replace(second=0, microsecond=0), pair[1].replace(second=0, microsecond=0)
        )
    )
)


@property_settings(500)
@given(moment=moments, window=windows)
def test_the_send_time_is_never_early_never_quiet_and_never_a_day_late(moment, window):
    chosen = next_send_time("SMS", moment, window)
    assert chosen >= moment
    assert chosen - moment <= timedelta(hours=25)  # a day, and a clock change at most
    assert not window.contains(chosen.astimezone(LONDON).time())
    if not window.contains(moment.astimezone(LONDON).time()):
        assert chosen == moment
    else:  # the window's end on the wall clock (unless that fell in the spring-forward gap)
        local = chosen.astimezone(LONDON).time()
        assert local == window.end or (local > window.end and chosen.month == 3)
    assert next_send_time("SMS", chosen, window) == chosen  # idempotent
    assert next_send_time("EMAIL", moment, window) == moment


@given(base=st.floats(min_value=0.1, max_value=600), attempts=st.integers(1, 30))
def test_retry_delays_grow_until_the_cap(base, attempts):
    rng = random.Random(attempts)
    delay = retry_delay(attempts, base, rng)
    assert delay <= RETRY_CAP * 1.1
    uncapped = base * 2 ** (attempts - 1)
    if uncapped * 2 <= RETRY_CAP.total_seconds():
        assert delay < retry_delay(attempts + 1, base, rng)
    assert delay.total_seconds() >= min(uncapped, RETRY_CAP.total_seconds())


def test_delivery_settings_defaults_and_errors():
    config = load_config({})
    assert (config.sms_channel, config.email_channel, config.max_attempts, config.retry_base_s) == (
        "log",
        "smtp",
        8,
        30.0,
    )
    assert config.quiet_hours == QuietHours(time(21), time(8))
    assert load_config({"NOTIFICATIONS_QUIET_HOURS": ""}).quiet_hours is None
    with pytest.raises(ConfigError, match="NOTIFY_API_KEY is not a Notify API key"):
        load_config(
            {
                "NOTIFICATIONS_EMAIL_CHANNEL": "notify",
                "NOTIFICATIONS_NOTIFY_API_KEY": "secret",
                "NOTIFICATIONS_NOTIFY_EMAIL_TEMPLATE_ID": "f" * 32,
            }
        )
    with pytest.raises(ConfigError, match="SMS_CHANNEL must be one of log, notify"):
        load_config({"NOTIFICATIONS_SMS_CHANNEL": "pigeon"})
