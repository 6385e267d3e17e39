"""Fixtures that run the real processes: a local SMTP server, and a whole stack per run mode that
the scenarios share (each uses people of its own)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller

from devstack.stack import Stack
from tests.support.backends import SqliteTemplates
from tests.support.network import free_port
from tests.support.running_stacks import running_stack
from tests.support.smtp import Inbox


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


# One stack per run mode for the scenarios that each use people of their own (the journeys,
# identity and lifecycle scenarios): starting a stack costs more than most scenarios. Their
# tests are grouped on one test process per mode (tests/conftest.py), so each mode starts once.
@pytest.fixture(scope="session")
def embedded_stack(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_templates: SqliteTemplates,
) -> Iterator[tuple[Stack, Inbox]]:
    with running_stack(request, "embedded", tmp_path_factory, sqlite_templates) as running:
        yield running


@pytest.fixture(scope="session")
def real_stack(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_templates: SqliteTemplates,
) -> Iterator[tuple[Stack, Inbox]]:
    with running_stack(request, "real", tmp_path_factory, sqlite_templates) as running:
        yield running


@pytest.fixture(scope="module")
def module_stack(request: pytest.FixtureRequest, stack_mode: str) -> tuple[Stack, Inbox]:
    """The shared stack of the run mode the module's `stack_mode` fixture names (parametrize
    it): "embedded" or "real"."""
    return request.getfixturevalue(f"{stack_mode}_stack")
