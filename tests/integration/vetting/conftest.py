"""The vetting service in process on each backend, for the tests of this folder that need no
other arrangement (a module's own `vetting` fixture takes precedence)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.vetting_harness import Vetting


@pytest.fixture
def vetting(backend_env: dict[str, dict[str, str]]) -> Iterator[Vetting]:
    harness = Vetting(backend_env["vetting"])
    yield harness
    harness.platform.engine.dispose()
