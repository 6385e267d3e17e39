"""Doors that hold, on the real Redis (each test under a key prefix of its own): a flood of bad
API keys from one source gets 429 with Retry-After while another source gets in; each API key
and each staff member has an allowance of their own that nobody else can spend; refusals are
audited once per source per window (the platform's clock), keeping only a short, safe prefix of
what the caller sent; 30 wrong console passwords from one address get 429s while the owner signs
in from another; without RATE_LIMIT_STORAGE_URL the counters live in the process's memory.

Sources are the test client's REMOTE_ADDR: 127.0.0.1 and 127.0.0.2, never X-Forwarded-For
(which is not trusted unless RATE_LIMIT_TRUSTED_PROXIES says so). Limits here are per hour, so
no assertion depends on how fast the machine is."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from limits.storage import MemoryStorage, RedisStorage

from shared.audit import log as audit
from shared.clock import ManualClock
from shared.platform import Platform
from shared.web import create_web_app
from tests.support.clock import now
from tests.support.platforms import platform_for
from tests.support.redis_limits import keys_under, limits_in_redis
from tests.support.vetting_harness import Vetting

ATTACKER = "maak_" + "<script>alert(1)</script>" + "A" * 300 + "_secret"


@pytest.fixture
def redis_limits(redis_url: str) -> Iterator[dict[str, str]]:
    yield from limits_in_redis(redis_url)


class Applications:
    """The applications API for organisations A and B, on the platform's manual clock."""

    def __init__(
        self, env: dict[str, str], clock: ManualClock | None = None, **settings: str
    ) -> None:
        from applications.service import definition
        from applications.service_layer import organisations

        self.platform: Platform = platform_for("applications", {**env, **settings}, clock)
        self.app = create_web_app(definition(), self.platform)
        self.keys: dict[str, str] = {}
        for name in ("A", "B"):
            with self.platform.unit_of_work() as uow:
                org = organisations.create_organisation(uow, f"Org {name}", "NA", "c@x.org")
                uow.commit()
            with self.platform.unit_of_work() as uow:
                self.keys[name] = organisations.issue_api_key(
                    uow, org.id, self.platform.settings.api_key_pepper
                )
                uow.commit()

    def get(self, key: str | None, source: str = "127.0.0.1") -> Any:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return self.app.test_client().get(
            "/applications", headers=headers, environ_base={"REMOTE_ADDR": source}
        )

    def refusals(self) -> list[dict[str, Any]]:
        with self.platform.session_factory() as session:
            return audit.entries(session, action="auth.denied")


def assert_throttled(response: Any, at_most_s: int) -> None:
    assert response.status_code == 429, response.text
    assert 0 < int(response.headers["Retry-After"]) <= at_most_s
    assert response.json["status"] == 429 and "Retry-After" in response.json["message"]


def test_300_bad_keys_from_one_source_get_429s_while_another_source_gets_in(embedded, redis_limits):
    api = Applications(
        embedded["applications"], **redis_limits, RATE_LIMIT_UNAUTHENTICATED="100 per hour"
    )
    statuses = [api.get(f"{ATTACKER}{i}") for i in range(300)]
    assert [r.status_code for r in statuses[:100]] == [401] * 100
    for response in statuses[100:]:
        assert_throttled(response, 3600)
    assert api.get(api.keys["A"], source="127.0.0.2").status_code == 200
    assert api.get(api.keys["A"]).status_code == 429  # the flooding address, whatever it sends
    # One entry for the whole flood, holding only a short, harmless prefix of its text.
    [entry] = api.refusals()
    assert (entry["subject_type"], entry["subject_id"], entry["actor"]) == (
        "source",
        "127.0.0.1",
        "api-key:scriptalert1scri…",
    )
    assert entry["detail"]["why"] == "invalid" and entry["detail"]["aggregated"] is True
    assert "<script>" not in repr(entry) and "A" * 20 not in repr(entry)
    assert keys_under(redis_limits["RATE_LIMIT_KEY_PREFIX"])  # counted in Redis


def test_each_api_key_has_its_own_allowance_shared_by_every_process(embedded, redis_limits):
    env = embedded["applications"]
    api = Applications(env, **redis_limits, RATE_LIMIT_API_KEY="5 per hour")
    forged_b = "maak_" + api.keys["B"].split("_")[1] + "_not-the-secret"
    assert [api.get(forged_b).status_code for _ in range(3)] == [401] * 3  # spends nothing
    assert [api.get(api.keys["A"]).status_code for _ in range(5)] == [200] * 5
    assert_throttled(api.get(api.keys["A"]), 3600)
    assert_throttled(api.get(api.keys["A"], source="127.0.0.2"), 3600)  # the key, anywhere
    assert [api.get(api.keys["B"]).status_code for _ in range(5)] == [200] * 5
    # A second web process (another app on the same Redis) sees the same counts.
    from applications.service import definition

    other = create_web_app(definition(), api.platform)
    assert isinstance(other.extensions["rate_limits"].limiter.storage, RedisStorage)
    response = other.test_client().get(
        "/applications", headers={"Authorization": f"Bearer {api.keys['A']}"}
    )
    assert_throttled(response, 3600)
    throttled = [e for e in api.refusals() if e["detail"]["why"] == "api-key throttled"]
    assert len(throttled) == 1 and throttled[0]["actor_kind"] == "ORGANISATION"


def test_each_staff_member_has_their_own_allowance(embedded, redis_limits):
    vetting = Vetting(embedded["vetting"], **redis_limits, RATE_LIMIT_STAFF="5 per hour")
    try:
        assert [vetting.call("GET", "/cases").status_code for _ in range(5)] == [200] * 5
        assert_throttled(vetting.call("GET", "/cases"), 3600)
        assert vetting.call("GET", "/cases", who="manager").status_code == 200
        [entry] = [
            e
            for e in _entries(vetting.platform, "auth.denied")
            if e["detail"]["why"] == "staff throttled"
        ]
        assert (entry["actor"], entry["actor_kind"]) == ("officer-ann", "STAFF")
        # A role refused over and over: one entry per person, endpoint and window.
        assert {vetting.call("GET", "/cases", who="security").status_code for _ in range(4)} == {
            403
        }
        assert vetting.call("GET", "/clearances", who="security").status_code == 403
        roles = [
            (e["actor"], e["subject_id"])
            for e in _entries(vetting.platform, "auth.denied")
            if e["detail"]["why"] == "role"
        ]
        assert roles == [("sec-eve", "GET /clearances"), ("sec-eve", "GET /cases")]
    finally:
        vetting.platform.engine.dispose()


def test_refusals_are_audited_once_per_source_per_window_of_the_clock(embedded, redis_limits):
    clock = ManualClock(now())
    api = Applications(
        embedded["applications"], clock, **redis_limits, RATE_LIMIT_AUDIT_WINDOW_S="900"
    )
    for _ in range(3):
        assert api.get("maak_0123456789abcdef_wrong").status_code == 401
    assert api.get(None, source="127.0.0.2").status_code == 401
    assert [(e["subject_id"], e["detail"]["why"]) for e in api.refusals()] == [
        ("127.0.0.2", "missing"),
        ("127.0.0.1", "invalid"),
    ]
    clock.advance(minutes=15)  # the next window: the same source is written once more
    assert api.get(None).status_code == 401
    assert api.get(None).status_code == 401
    entries = api.refusals()
    assert [e["subject_id"] for e in entries] == ["127.0.0.1", "127.0.0.2", "127.0.0.1"]
    assert entries[0]["detail"]["window_start"] != entries[-1]["detail"]["window_start"]
    assert entries[-1]["actor"] == "api-key:0123456789abcdef"  # a real-looking id stays whole


def test_without_a_storage_url_the_counters_live_in_memory(embedded):
    api = Applications(embedded["applications"], RATE_LIMIT_UNAUTHENTICATED="3 per hour")
    try:
        assert isinstance(api.app.extensions["rate_limits"].limiter.storage, MemoryStorage)
        assert [api.get(None).status_code for _ in range(4)] == [401, 401, 401, 429]
        assert api.get(api.keys["A"], source="127.0.0.2").status_code == 200
    finally:
        api.platform.engine.dispose()


def _entries(platform: Platform, action: str) -> list[dict[str, Any]]:
    with platform.session_factory() as session:
        return audit.entries(session, action=action)


@pytest.mark.parametrize("proxies, separate", [("0", False), ("1", True)])
def test_x_forwarded_for_counts_only_behind_a_trusted_proxy(embedded, proxies, separate):
    api = Applications(
        embedded["applications"],
        RATE_LIMIT_UNAUTHENTICATED="2 per hour",
        RATE_LIMIT_TRUSTED_PROXIES=proxies,
    )
    client = api.app.test_client()

    def refused(forwarded_for: str) -> int:
        return client.get("/applications", headers={"X-Forwarded-For": forwarded_for}).status_code

    try:
        assert [refused("203.0.113.9"), refused("203.0.113.9")] == [401, 401]
        # Another address claimed in the header: a new source only if a proxy wrote it.
        assert refused("198.51.100.7") == (401 if separate else 429)
    finally:
        api.platform.engine.dispose()


def test_an_unreachable_redis_never_closes_the_door(embedded):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    api = Applications(
        embedded["applications"],
        RATE_LIMIT_UNAUTHENTICATED="2 per hour",
        RATE_LIMIT_STORAGE_URL=f"redis://127.0.0.1:{port}/0",
    )
    try:
        assert api.get(api.keys["A"]).status_code == 200
        # Counted in memory meanwhile: the flood is still stopped.
        assert [api.get(None).status_code for _ in range(3)] == [401, 401, 429]
    finally:
        api.platform.engine.dispose()
