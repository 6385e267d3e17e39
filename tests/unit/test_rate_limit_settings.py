"""The RATE_LIMIT_ settings: sensible defaults, every one known to the compose check, a limit
that cannot be read stops the process naming the variable, and what is kept of a caller's
text in the audit log is short and harmless."""

from __future__ import annotations

import pytest

from shared.config import KNOWN_ENV_VARS, SettingsError, load_settings
from shared.limits_config import ENV_NAMES
from shared.safe_text import safe_prefix
from shared.web.refusals import safe_actor, safe_source


def test_the_defaults_need_no_redis_and_slow_sign_in_in_tiers():
    limits = load_settings("access", {}).rate_limits
    assert limits.storage_url == "" and limits.trusted_proxies == 0
    assert limits.sign_in == "5 per minute; 20 per hour; 50 per day"
    assert set(ENV_NAMES.values()) <= KNOWN_ENV_VARS


def test_settings_come_from_the_environment():
    limits = load_settings(
        "vetting",
        {
            "RATE_LIMIT_STORAGE_URL": "redis://127.0.0.1:6379/0",
            "RATE_LIMIT_STAFF": "",
            "RATE_LIMIT_API_KEY": "10 per second",
            "RATE_LIMIT_AUDIT_WINDOW_S": "60",
            "RATE_LIMIT_TRUSTED_PROXIES": "1",
        },
    ).rate_limits
    assert (limits.storage_url, limits.staff, limits.api_key) == (
        "redis://127.0.0.1:6379/0",
        "",
        "10 per second",
    )
    assert (limits.audit_window_s, limits.trusted_proxies) == (60, 1)


@pytest.mark.parametrize(
    "name, value",
    [
        ("RATE_LIMIT_SIGN_IN", "lots"),
        ("RATE_LIMIT_API_KEY", "5 per fortnight"),
        ("RATE_LIMIT_STRATEGY", "leaky"),
        ("RATE_LIMIT_AUDIT_WINDOW_S", "0"),
        ("RATE_LIMIT_TRUSTED_PROXIES", "one"),
    ],
)
def test_a_setting_that_cannot_be_used_stops_the_process(name, value):
    with pytest.raises(SettingsError, match=name):
        load_settings("applications", {name: value})


@pytest.mark.parametrize(
    "text, kept",
    [
        ("0123456789abcdef", "0123456789abcdef"),
        ("ann", "ann"),
        ("x" * 300, "x" * 16 + "…"),
        ("<script>", "script…"),
        ("a b", "ab…"),
        ("", ""),
    ],
)
def test_a_callers_text_is_cut_to_a_short_harmless_prefix(text, kept):
    assert safe_prefix(text) == kept


def test_actors_and_sources_in_the_audit_log_are_bounded():
    assert safe_actor("api-key:" + "<b>" * 100) == "api-key:bbbbbbbbbbbbbbbb…"
    assert safe_actor("anonymous") == "anonymous"
    assert safe_source("2001:db8::1") == "2001:db8::1"
    assert safe_source("<img>") == "unknown"
    assert set(safe_source("<img src=x>" * 100)) <= set("0123456789abcdefABCDEF.:")
    assert len(safe_source("1" * 100)) == 45
