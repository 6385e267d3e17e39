import pytest

from tests.support.console_harness import Console


@pytest.fixture
def console(backend_env):
    harness = Console(backend_env["access"])
    yield harness
    harness.access.platform.engine.dispose()
