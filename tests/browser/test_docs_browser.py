"""`/docs` in a real Chromium: Swagger UI renders every service's operations from files this
service serves, and the page asks no other origin for anything (so it works offline), with no
Content-Security-Policy violation. The app runs in process on the embedded mode."""

from __future__ import annotations

import threading
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from shared.web import create_web_app
from tests.support.platforms import platform_for


@pytest.fixture
def docs_url(embedded):
    from access.service import definition

    platform = platform_for("access", embedded["access"])
    server = make_server("127.0.0.1", 0, create_web_app(definition(), platform), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/docs"
    server.shutdown()
    thread.join(timeout=10)
    platform.engine.dispose()


def test_swagger_ui_renders_from_this_origin_only(chromium, docs_url):
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(docs_url))
    context = chromium.new_context()
    page = context.new_page()
    asked: list[str] = []
    refused: list[str] = []

    def only_this_origin(route, request):
        asked.append(request.url)
        if request.url.startswith(origin + "/") or request.url.startswith("data:"):
            route.continue_()
        else:  # offline: nothing elsewhere answers
            refused.append(request.url)
            route.abort()

    page.route("**/*", only_this_origin)
    problems: list[str] = []
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.goto(docs_url)
    page.wait_for_selector(".opblock-summary-path", timeout=20_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/establishments/{code}/review-items" in path for path in paths), paths
    assert refused == [], refused
    assert f"{origin}/openapi.json" in asked
    assert any(url.endswith("swagger-ui-bundle.js") for url in asked)
    assert not [p for p in problems if "Content Security Policy" in p], problems
    context.close()
