"""The web access log, as a real gunicorn writes it: one JSON line per request, carrying the
correlation id the app echoed (so a request can be followed into the app's own lines), the
service, method, status and time taken, with query values cut down to ids and numbers."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import requests

from tests.support import wait_for
from tests.support.network import free_port

EMAIL = "someone.private@example.org"


@pytest.mark.slow  # starts a process
def test_each_request_is_one_json_line_with_its_correlation_id(embedded):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "access", "web", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **embedded["access"]},
    )
    url = f"http://127.0.0.1:{port}"
    try:

        def answers() -> bool:
            try:
                return requests.get(url + "/health/liveness", timeout=2).ok
            except requests.ConnectionError:
                return False

        wait_for(answers, timeout=60, message="the web process answers")
        response = requests.get(
            f"{url}/health/liveness?recipient={EMAIL}&limit=5",
            headers={"X-Correlation-ID": "trace-7f3a"},
            timeout=5,
        )
        assert response.ok
        requests.get(url + "/nowhere", timeout=5)
    finally:
        process.terminate()
        stdout, _stderr = process.communicate(timeout=30)
    lines = [json.loads(line) for line in stdout.splitlines() if line.strip()]
    assert lines, "no access log lines"
    (traced,) = [line for line in lines if line.get("correlation_id") == "trace-7f3a"]
    assert traced["logger"] == "gunicorn.access" and traced["service"] == "access"
    assert traced["method"] == "GET" and traced["status"] == 200
    assert traced["path"] == "/health/liveness?recipient=<redacted>&limit=5"
    assert traced["duration_ms"] >= 0 and traced["time"]
    (missing,) = [line for line in lines if line.get("path") == "/nowhere"]
    assert missing["status"] == 404 and missing["correlation_id"]  # the app made one up
    assert EMAIL not in stdout
