"""Every service, every operation its OpenAPI document says reads a JSON body: a body of another
type is a 415 naming application/json, before its guards or its view run (so before anything
is written); the operations reading no JSON body are left alone."""

from __future__ import annotations

import re
import uuid

import pytest

from shared.messaging.topology import SERVICES
from shared.web.app import create_web_app
from tests.support.backends import embedded_env
from tests.support.platforms import platform_for

METHODS = {"post", "put", "patch", "delete"}


def json_operations(document: dict) -> list[tuple[str, str]]:
    return sorted(
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if method in METHODS
        and "application/json" in operation.get("requestBody", {}).get("content", {})
    )


@pytest.mark.parametrize("service", SERVICES)
def test_every_json_operation_refuses_other_bodies_with_a_documented_415(service, tmp_path):
    platform = platform_for(service, embedded_env(tmp_path / "var"))
    try:
        module = __import__(f"{service}.service", fromlist=["definition"])
        client = create_web_app(module.definition(), platform).test_client()
        document = client.get("/openapi.json").json
        operations = json_operations(document)
        assert operations, f"{service} documents no JSON body"
        wrong = []
        for method, path in operations:
            url = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
            response = client.open(url, method=method, data="{}", content_type="text/plain")
            documented = document["paths"][path][method.lower()]["responses"]
            if response.status_code != 415 or "415" not in documented:
                wrong.append(f"{method} {path}: {response.status_code}")
            elif "application/json" not in response.json["message"]:
                wrong.append(f"{method} {path}: {response.json['message']}")
        assert not wrong, "\n".join(wrong)
    finally:
        platform.engine.dispose()
