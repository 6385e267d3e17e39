"""Benchmarks drive one API key or one officer's token far past what production allows them
(RATE_LIMIT_API_KEY, RATE_LIMIT_STAFF) and count refused calls too: they raise those limits,
so the limiter still does its work on every request but never answers 429. Every process a
benchmark starts inherits this environment; a value already set is kept."""

from __future__ import annotations

import os

UNLIMITED = "1000000000 per minute"
BENCH_RATE_LIMITS = {
    "RATE_LIMIT_API_KEY": UNLIMITED,
    "RATE_LIMIT_STAFF": UNLIMITED,
    "RATE_LIMIT_UNAUTHENTICATED": UNLIMITED,
}


def raise_rate_limits() -> None:
    for name, value in BENCH_RATE_LIMITS.items():
        os.environ.setdefault(name, value)
