"""Decisions that stick, across the services, as real processes on both run modes: each
scenario uses people of its own on one stack per run mode (the module's), so a scenario costs
API calls, not a stack."""

from __future__ import annotations

from typing import Any

import pytest

from shared.devstack import Stack
from tests.support.stack_world import people_of


@pytest.fixture(scope="module", params=["embedded", "real"])
def stack_mode(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def world(module_stack: tuple[Stack, Any]) -> dict[str, Any]:
    return people_of(module_stack)
