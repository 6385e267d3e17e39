"""What probes read from every service's web process: liveness, readiness that depends on the
process's own database only (the broker away is a degraded detail, never "not ready": the gate
check must keep answering), and what build is running."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from shared.web import create_web_app, health
from tests.support.network import free_port
from tests.support.platforms import platform_for

SERVICES = ("applications", "vetting", "access", "notifications")


def _client(service: str, env: dict[str, str]):
    module = __import__(f"{service}.service", fromlist=["definition"])
    platform = platform_for(service, env)
    return create_web_app(module.definition(), platform).test_client(), platform


@pytest.mark.parametrize("service", SERVICES)
def test_alive_ready_and_which_build(service, embedded, monkeypatch):
    monkeypatch.setenv("APP_GIT_SHA", "0123abc")
    monkeypatch.delenv("APP_BUILD_TIME", raising=False)
    client, platform = _client(service, embedded[service])
    try:
        assert client.get("/health/liveness").json == {"status": "ok", "service": service}
        ready = client.get("/health/readiness")
        assert ready.status_code == 200
        assert ready.json["status"] == "ok"
        assert ready.json["checks"] == {"database": "ok", "broker": "ok"}
        info = client.get("/info").json
        assert info == {
            "service": service,
            "version": "0.1.0",
            "git_sha": "0123abc",
            "build_time": "unknown",
        }
    finally:
        platform.engine.dispose()


@pytest.mark.parametrize("service", ["access", "vetting"])
def test_the_broker_away_is_degraded_but_still_ready(service, real_env):
    env = dict(real_env[service])
    env["BROKER_URL"] = env["BROKER_URL"].replace(":5672/", f":{free_port()}/")
    client, platform = _client(service, env)
    try:
        ready = client.get("/health/readiness")
        assert ready.status_code == 200
        assert ready.json["status"] == "degraded"
        assert ready.json["checks"] == {"database": "ok", "broker": "unavailable"}
    finally:
        platform.engine.dispose()


def test_its_own_database_away_is_not_ready(embedded, monkeypatch):
    client, platform = _client("access", embedded["access"])

    def unreachable(_engine):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(health, "ping", unreachable)
    try:
        ready = client.get("/health/readiness")
        assert ready.status_code == 503
        assert ready.headers["Retry-After"] == "1"
        assert ready.json["status"] == "unavailable"
        assert ready.json["checks"]["database"] == "unavailable"
        assert client.get("/health/liveness").status_code == 200
    finally:
        platform.engine.dispose()
