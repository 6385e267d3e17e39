"""The rate limiter's Redis in tests: the shared server at TEST_REDIS_URL, each test under a
key prefix of its own, deleted afterwards (no test touches another's counters)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import redis

from tests.support.backends import unavailable

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_reachable() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        unavailable(f"Redis unreachable: {exc}")
    return REDIS_URL


def keys_under(prefix: str) -> list[bytes]:
    return list(redis.Redis.from_url(REDIS_URL).scan_iter(match=f"{prefix}*", count=1000))


def limits_in_redis(redis_url: str) -> Iterator[dict[str, str]]:
    """The settings that put a service's rate limits in Redis under a prefix of its own; its
    keys are deleted afterwards (a fixture's body)."""
    prefix = f"test-limits-{uuid.uuid4().hex[:12]}"
    yield {"RATE_LIMIT_STORAGE_URL": redis_url, "RATE_LIMIT_KEY_PREFIX": prefix}
    found = keys_under(prefix)
    if found:
        redis.Redis.from_url(redis_url).delete(*found)
