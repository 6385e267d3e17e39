"""The applications service's fixtures: its API, migrated, on both run modes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.applications_api import REVOCATION_DELAY_S, organisations_api


@pytest.fixture
def api(backend_env: dict[str, dict[str, str]]) -> Iterator[Any]:
    client, platform = organisations_api(
        backend_env["applications"], api_key_cache_s=REVOCATION_DELAY_S
    )
    yield client, platform
    platform.engine.dispose()
