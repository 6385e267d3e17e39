"""Every service's web app, before any view runs: deeply nested JSON is a 400 (never a 500 from
recursion, and before authentication), JSON answers are not cached or sniffed, `/docs` is
self-hosted, and `/metrics` is for allowed networks or the metrics token. Embedded mode."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from shared.audit.log import audit_log_table
from shared.config import SettingsError
from shared.web import create_web_app
from shared.web.hardening import MAX_JSON_DEPTH, too_deep_at
from tests.support.platforms import platform_for

SERVICES = ("applications", "vetting", "access", "notifications")
# An unauthenticated POST per service: the guard would refuse it (401) if it were reached.
GUARDED_POST = {
    "applications": "/applications",
    "vetting": "/clearances/x/suspension",
    "access": "/grants/x/suspension",
    "notifications": "/notifications/x/resend",
}


def _app(service: str, env: dict[str, str], **overrides):
    module = __import__(f"{service}.service", fromlist=["definition"])
    platform = platform_for(service, env, **overrides)
    return create_web_app(module.definition(), platform), platform


@pytest.fixture(params=SERVICES)
def service_app(request, embedded):
    app, platform = _app(request.param, embedded[request.param])
    yield request.param, app.test_client(), platform
    platform.engine.dispose()


def _audit_rows(platform) -> int:
    with platform.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(audit_log_table)).scalar_one()


def test_a_10000_deep_body_is_a_400_naming_where_before_authentication(service_app):
    service, client, platform = service_app
    before = _audit_rows(platform)
    body = '{"applicant": {"addresses": ' + "[" * 10_000 + "]" * 10_000 + "}}"
    response = client.post(GUARDED_POST[service], data=body, content_type="application/json")
    assert response.status_code == 400
    where = "applicant.addresses" + ".0" * (MAX_JSON_DEPTH - 2)
    assert response.json == {
        "status": 400,
        "message": "The JSON body is nested too deeply.",
        "errors": {where: [f"Nested deeper than {MAX_JSON_DEPTH} levels."]},
    }
    # Refused before the credential check: no `auth.denied` entry was written for it.
    assert _audit_rows(platform) == before
    at_the_limit = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert (
        client.post(
            GUARDED_POST[service], data=at_the_limit, content_type="application/json"
        ).status_code
        == 401
    )


@pytest.mark.parametrize(
    ("body", "depth", "where"),
    [
        (b'[1, 2, {"a": [[["x"]]]}]', 5, "2.a.0.0"),
        (b'{"b": "[[[[[[", "c": {"d": [0, [[["\\"]]]"]]]}}', 6, "c.d.1.0"),
        (b'{"a": {}, "b": [[{}], [[{}]]]}', 5, "b.1.0.0"),
    ],
)
def test_the_depth_is_counted_outside_strings_and_the_path_names_the_field(body, depth, where):
    assert too_deep_at(body, limit=4) == where
    assert too_deep_at(body, limit=depth - 1) is not None
    assert too_deep_at(body, limit=depth) is None


def test_json_answers_are_not_stored_or_sniffed(service_app):
    _service, client, _platform = service_app
    for path in ("/health/liveness", "/audit", "/openapi.json"):
        response = client.get(path)
        assert response.is_json, path
        assert response.headers["Cache-Control"] == "no-store", path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path


def test_docs_load_only_from_this_origin(service_app):
    _service, client, _platform = service_app
    page = client.get("/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    html = page.get_data(as_text=True)
    urls = re.findall(r'(?:src|href|data-spec-url)="([^"]*)"', html)
    assert len(urls) == 5, urls  # the stylesheet, three scripts and the document
    kinds = {"text/css": 0, "text/javascript": 0, "application/json": 0}
    for url in urls:
        # Same origin: a path on this service, never a scheme, a host or `//host`.
        assert url.startswith("/") and not url.startswith("//"), url
        loaded = client.get(url)
        assert loaded.status_code == 200, url
        kinds[loaded.mimetype] = kinds.get(loaded.mimetype, 0) + 1
        loaded.close()
    assert kinds == {"text/css": 1, "text/javascript": 3, "application/json": 1}
    assert "<script>" not in html  # no inline script: the policy allows none


ELSEWHERE = {"REMOTE_ADDR": "10.1.2.3"}


def test_metrics_are_served_to_loopback_by_default_and_hidden_from_elsewhere(embedded):
    app, platform = _app("access", embedded["access"])
    client = app.test_client()
    assert client.get("/metrics").status_code == 200  # the test client calls from 127.0.0.1
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
    refused = client.get("/metrics", environ_base=ELSEWHERE)
    assert refused.status_code == 404 and b"http_requests_total" not in refused.data
    platform.engine.dispose()


def test_metrics_follow_the_allowed_networks_setting(embedded):
    env = dict(embedded["access"], METRICS_ALLOWED_NETWORKS="10.0.0.0/8, 192.168.0.0/16")
    app, platform = _app("access", env)
    client = app.test_client()
    assert client.get("/metrics", environ_base=ELSEWHERE).status_code == 200
    assert client.get("/metrics").status_code == 404  # loopback is no longer on the list
    platform.engine.dispose()


def test_metrics_are_served_anywhere_with_the_token_and_only_with_it(embedded):
    env = dict(embedded["access"], METRICS_TOKEN="a-long-random-metrics-token-0123456789")
    app, platform = _app("access", env)
    client = app.test_client()
    good = {"Authorization": "Bearer a-long-random-metrics-token-0123456789"}
    served = client.get("/metrics", headers=good, environ_base=ELSEWHERE)
    assert served.status_code == 200 and b"http_requests_total" in served.data
    for wrong in (
        {"Authorization": "Bearer a-long-random-metrics-token-012345678"},
        {"Authorization": "Basic a-long-random-metrics-token-0123456789"},
        {},
    ):
        assert client.get("/metrics", headers=wrong, environ_base=ELSEWHERE).status_code == 404
    platform.engine.dispose()


def test_a_network_that_is_not_one_stops_the_app(embedded):
    env = dict(embedded["access"], METRICS_ALLOWED_NETWORKS="10.0.0.0/8,10.0.0.300/32")
    with pytest.raises(SettingsError, match=r"10\.0\.0\.300/32"):
        _app("access", env)
