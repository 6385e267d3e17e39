"""Doors that hold: rate limits on every service, with flask-limiter.

- Per source address, refused credentials (every 401): past `RATE_LIMIT_UNAUTHENTICATED` the
  source gets 429 for everything until its window moves on (a flood of guessed keys stops
  there; another source is untouched).
- Per organisation API key and per staff subject, every authenticated call
  (`RATE_LIMIT_API_KEY`, `RATE_LIMIT_STAFF`), counted once the credential is proven, so
  nobody can spend someone else's allowance by naming them.
- Sign-in (`SignInThrottle`): failed attempts per source and account name, and per source,
  in tiers that slow a guesser down further and further; the account itself is never locked.

A 429 carries `Retry-After` (seconds) and the JSON error body of shared.web.errors. Counters
live in Redis when `RATE_LIMIT_STORAGE_URL` is set (shared by every process), else in each
process's memory. If Redis is unreachable the limiter falls back to memory and logs it: the
gate keeps working.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, jsonify, request
from flask_limiter import ApplicationLimit, Limiter, RateLimitExceeded, RequestLimit
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from werkzeug.exceptions import TooManyRequests

from shared.audit import log as audit
from shared.clock import Clock
from shared.limits_config import RateLimitSettings
from shared.platform import Platform
from shared.web.errors import error_body
from shared.web.refusals import record_refusal, safe_actor

log = logging.getLogger(__name__)

# Never limited: load balancers and Prometheus ask these all the time.
EXEMPT_PATHS = ("/health", "/metrics", "/info")
MESSAGE = "Too many requests. Wait for the time in the Retry-After header, then try again."


class RateLimited(TooManyRequests):
    """429 for a caller over one of the limits checked by hand (API key, staff, sign-in)."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(MESSAGE, retry_after=retry_after_s)
        self.retry_after_s = retry_after_s


def source_address() -> str:
    """The caller's address: the connection's, or with `trusted_proxies` proxies in front the
    one the outermost of them saw (X-Forwarded-For is anyone's to write, so only those count)."""
    hops = current_app.extensions["rate_limits"].settings.trusted_proxies
    if hops:
        forwarded = [
            part.strip()
            for part in request.headers.get("X-Forwarded-For", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.remote_addr or "unknown"


class RateLimits:
    """One per app (`app.extensions["rate_limits"]`): the flask-limiter extension and the
    limits checked by hand once a caller is known."""

    def __init__(self, app: Flask, settings: RateLimitSettings, service: str, clock: Clock) -> None:
        """Any Flask app may have one (a sign-in page outside the services too): `service`
        names its counters, `clock` its audit windows."""
        self.settings = settings
        self.service = service
        self.clock = clock
        storage_options: dict[str, Any] = {}
        if settings.storage_url.startswith(("redis", "rediss")):
            # A Redis that stops answering must not hold the gate check up for long.
            storage_options = {
                "key_prefix": settings.key_prefix,
                "socket_timeout": 0.5,
                "socket_connect_timeout": 0.5,
            }
        application_limits: list[str | Callable[[], str] | ApplicationLimit] = (
            [
                ApplicationLimit(
                    settings.unauthenticated,
                    key_function=source_address,
                    scope="unauthenticated",
                    deduct_when=lambda response: response.status_code == 401,
                    on_breach=self._source_throttled,
                    error_message=MESSAGE,
                )
            ]
            if settings.unauthenticated
            else []
        )
        self.limiter = Limiter(
            source_address,
            application_limits=application_limits,
            storage_uri=settings.storage_url or "memory://",
            storage_options=storage_options,
            strategy=settings.strategy,
            key_prefix=self.service,
            # Redis down: keep counting in memory rather than fail every request.
            in_memory_fallback_enabled=True,
            swallow_errors=True,
            headers_enabled=False,
        )
        self._local = MemoryStorage()  # where "first in window" is counted if Redis is down
        self.api_key_limits = parse_many(settings.api_key) if settings.api_key else []
        self.staff_limits = parse_many(settings.staff) if settings.staff else []
        self.sign_in_limits = parse_many(settings.sign_in) if settings.sign_in else []
        self.sign_in_source_limits = (
            parse_many(settings.sign_in_source) if settings.sign_in_source else []
        )
        app.extensions["rate_limits"] = self
        self.limiter.init_app(app)
        self.limiter.request_filter(lambda: request.path.startswith(EXEMPT_PATHS))
        app.register_error_handler(TooManyRequests, self._too_many)

    # -- counting -------------------------------------------------------------------------

    def hit(self, items: list[RateLimitItem], *key: str) -> int | None:
        """Count one against every limit in `items` for `key`; the seconds to wait if one is
        exceeded, else None."""
        return self._count(items, key, hit=True)

    def wait_s(self, items: list[RateLimitItem], *key: str) -> int | None:
        """The seconds to wait if a limit in `items` is already used up for `key`, counting
        nothing."""
        return self._count(items, key, hit=False)

    def _count(self, items: list[RateLimitItem], key: tuple[str, ...], *, hit: bool) -> int | None:
        identifiers = (self.service, *key)
        try:
            strategy = self.limiter.limiter
            for item in items:
                allowed = (strategy.hit if hit else strategy.test)(item, *identifiers)
                if not allowed:
                    reset_at = strategy.get_window_stats(item, *identifiers).reset_time
                    return _wait_s(reset_at, item)
        except Exception:  # the limiter's storage failing must not close the door
            log.warning("rate limit storage unavailable; request let through", exc_info=True)
        return None

    def first_in_window(self, key: str, window_s: int) -> bool:
        """True for the first call with `key` (which names its window) across every process
        sharing the storage."""
        full = f"{self.settings.key_prefix}/{self.service}/{key}"
        try:
            return self.limiter.storage.incr(full, window_s) == 1
        except Exception:  # noqa: BLE001 - count locally rather than lose the audit entry
            return self._local.incr(full, window_s) == 1

    # -- what a breach looks like ---------------------------------------------------------

    def _source_throttled(self, breached: RequestLimit) -> None:
        source = source_address()
        record_refusal(
            status=429,
            why="throttled",
            actor="anonymous",
            actor_kind=audit.SYSTEM,
            aggregate_by=source,
            source=source,
            limit=str(breached.limit),
        )

    def _too_many(self, exc: TooManyRequests) -> Response:
        if isinstance(exc, RateLimited):
            wait = exc.retry_after_s
        else:
            wait = 1
            current = self.limiter.current_limit if isinstance(exc, RateLimitExceeded) else None
            if current is not None:
                try:
                    wait = _wait_s(current.reset_at, current.limit)
                except Exception:  # noqa: BLE001 - storage gone: a short wait is still right
                    wait = 1
        response = jsonify(error_body(429, MESSAGE))
        response.status_code = 429
        response.headers["Retry-After"] = str(wait)
        return response


def install_rate_limits(app: Flask, platform: Platform) -> RateLimits:
    return RateLimits(app, platform.settings.rate_limits, platform.settings.service, platform.clock)


def rate_limits() -> RateLimits:
    return current_app.extensions["rate_limits"]


def admit_api_key(key_id: str, organisation_id: str) -> None:
    """After the key is proven: one more call on it, or 429."""
    _admit(rate_limits().api_key_limits, "api-key", key_id, organisation_id, audit.ORGANISATION)


def admit_staff(subject: str) -> None:
    """After the staff token is proven: one more call by this person, or 429."""
    _admit(rate_limits().staff_limits, "staff", subject, subject, audit.STAFF)


def _admit(items: list[RateLimitItem], kind: str, key: str, actor: str, actor_kind: str) -> None:
    wait = rate_limits().hit(items, kind, key)
    if wait is None:
        return
    record_refusal(
        status=429,
        why=f"{kind} throttled",
        actor=actor,
        actor_kind=actor_kind,
        aggregate_by=f"{kind}:{key}",
        source=source_address(),
    )
    raise RateLimited(wait)


def refused_credential(why: str, claimed: str = "anonymous") -> None:
    """A 401 is on its way: audit it once per source per window (the limiter counts it from
    the response). `claimed`: who the caller said they were, e.g. "api-key:<id>"."""
    source = source_address()
    record_refusal(
        status=401,
        why=why,
        actor=safe_actor(claimed),
        actor_kind=audit.SYSTEM,
        aggregate_by=source,
        source=source,
    )


def first_denial_in_window(actor: str) -> bool:
    """A staff member refused a role (403) on this endpoint: the first time in the audit
    window is written, the rest are counted by the per-staff limit only."""
    limits = rate_limits()
    window_s = limits.settings.audit_window_s
    window = int(limits.clock.now().timestamp() // window_s)
    rule = request.url_rule.rule if request.url_rule else "unmatched"
    return limits.first_in_window(f"denied/{actor}/{request.method} {rule}/{window}", window_s)


class SignInThrottle:
    """Failed sign-ins, per source and account name and per source alone. Before checking a
    password ask `wait_s(name)`: a number means refuse now (429, Retry-After) without looking
    at the password; after a wrong one call `failed(name)`, which says whether this is the
    source's first failure in the audit window (audit it then, and only then)."""

    def __init__(self, limits: RateLimits, scope: str = "sign-in") -> None:
        self.limits = limits
        self.scope = scope

    def _keys(self, name: str) -> list[tuple[list[RateLimitItem], tuple[str, ...]]]:
        source = source_address()
        account = name.strip().lower()[:100]
        return [
            (self.limits.sign_in_limits, (self.scope, source, account)),
            (self.limits.sign_in_source_limits, (self.scope, source)),
        ]

    def wait_s(self, name: str) -> int | None:
        waits = [self.limits.wait_s(items, *key) for items, key in self._keys(name)]
        return max((w for w in waits if w is not None), default=None)

    def failed(self, name: str) -> bool:
        for items, key in self._keys(name):
            self.limits.hit(items, *key)
        window_s = self.limits.settings.audit_window_s
        window = int(self.limits.clock.now().timestamp() // window_s)
        return self.limits.first_in_window(f"{self.scope}/{source_address()}/{window}", window_s)


def sign_in_throttle(scope: str = "sign-in") -> SignInThrottle:
    return SignInThrottle(rate_limits(), scope)


def _wait_s(reset_at: float, item: RateLimitItem) -> int:
    """Seconds until the window resets: at least one, and never more than the window itself
    (the storage keeps whole seconds)."""
    return min(item.get_expiry(), max(1, math.ceil(reset_at - time.time())))
