"""The rate limits' settings (RATE_LIMIT_...), read with the rest of `shared.config`.

A limit is a string in flask-limiter's notation: one or more "N per period" joined by ";"
("5 per minute; 20 per hour"); each part is enforced, so a longer period with a smaller rate
makes a caller that keeps failing slow down further (the sign-in limits). An empty string
turns that limit off. A string that cannot be read stops the process at start-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from limits import parse_many
from limits.strategies import STRATEGIES

# What each setting is read from; the KNOWN_ENV_VARS of shared.config lists them too.
ENV_NAMES = {
    "storage_url": "RATE_LIMIT_STORAGE_URL",
    "key_prefix": "RATE_LIMIT_KEY_PREFIX",
    "strategy": "RATE_LIMIT_STRATEGY",
    "unauthenticated": "RATE_LIMIT_UNAUTHENTICATED",
    "api_key": "RATE_LIMIT_API_KEY",
    "staff": "RATE_LIMIT_STAFF",
    "sign_in": "RATE_LIMIT_SIGN_IN",
    "sign_in_source": "RATE_LIMIT_SIGN_IN_SOURCE",
    "audit_window_s": "RATE_LIMIT_AUDIT_WINDOW_S",
    "trusted_proxies": "RATE_LIMIT_TRUSTED_PROXIES",
}
LIMIT_FIELDS = ("unauthenticated", "api_key", "staff", "sign_in", "sign_in_source")


class RateLimitSettingError(ValueError):
    """A RATE_LIMIT_ variable that cannot be used."""


@dataclass(frozen=True)
class RateLimitSettings:
    # Where the counters live: a redis:// URL shared by every process, or empty for each
    # process's memory (counts are then per worker: fine for one machine, not for a fleet).
    storage_url: str = ""
    key_prefix: str = "ma-limits"
    strategy: str = "fixed-window"
    # Per source address: refused credentials (401). A broken integration or a guesser gets
    # 429s; a shared NAT (a prison's network) has room for many people's expired tokens.
    unauthenticated: str = "200 per minute; 2000 per hour"
    # Per organisation API key, every authenticated call: a bulk sync at 20 a second.
    api_key: str = "1200 per minute"
    # Per staff subject, every authenticated call: far above a gate officer's busiest minute.
    staff: str = "1200 per minute"
    # Failed sign-ins per source and account name, and per source whatever the name: slower
    # and slower, never locking the account itself (anyone could lock anyone out).
    sign_in: str = "5 per minute; 20 per hour; 50 per day"
    sign_in_source: str = "20 per minute; 100 per hour; 300 per day"
    # Refusals from one source are audited once per window of this many seconds.
    audit_window_s: int = 900
    # Proxies in front of the web process that append to X-Forwarded-For (0: trust none,
    # the source is the connection's address).
    trusted_proxies: int = 0


def load_rate_limits(env: Mapping[str, str]) -> RateLimitSettings:
    defaults = RateLimitSettings()
    values: dict[str, Any] = {}
    for item in fields(RateLimitSettings):
        raw = env.get(ENV_NAMES[item.name])
        if raw is None:
            continue
        name, raw = ENV_NAMES[item.name], raw.strip()
        if isinstance(getattr(defaults, item.name), int):
            try:
                values[item.name] = int(raw)
            except ValueError:
                raise RateLimitSettingError(f"{name}={raw!r}: expected a whole number") from None
        else:
            values[item.name] = raw
    settings = RateLimitSettings(**values)
    for name in LIMIT_FIELDS:
        text = getattr(settings, name)
        try:
            if text:
                parse_many(text)
        except ValueError:
            raise RateLimitSettingError(
                f"{ENV_NAMES[name]}={text!r}: expected e.g. "
                "'5 per minute; 20 per hour', or empty for none"
            ) from None
    if settings.strategy not in STRATEGIES:
        raise RateLimitSettingError(
            f"RATE_LIMIT_STRATEGY={settings.strategy!r}: expected one "
            f"of {', '.join(sorted(STRATEGIES))}"
        )
    if settings.audit_window_s <= 0 or settings.trusted_proxies < 0:
        raise RateLimitSettingError(
            "RATE_LIMIT_AUDIT_WINDOW_S must be positive and RATE_LIMIT_TRUSTED_PROXIES not negative"
        )
    return settings
