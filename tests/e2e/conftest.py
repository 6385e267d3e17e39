"""Fixtures that run the real processes: a local SMTP server and a whole stack."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from shared.devstack import Stack
from shared.messaging.topology import SERVICES
from tests.support.network import free_port
from tests.support.smtp import Inbox
from tests.support.stack_client import STACK_ENV


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def stack(backend_env: dict[str, dict[str, str]], smtp: tuple[Inbox, int],
          tmp_path: Path) -> Iterator[Stack]:
    _inbox, smtp_port = smtp
    ports = {service: free_port() for service in SERVICES}
    with Stack(var_dir=tmp_path / "var", service_env=backend_env, ports=ports,
               smtp_port=smtp_port, base_env=STACK_ENV) as running:
        # The databases are copies of the migrated templates: no `migrate` to wait for.
        running.start()
        running.wait_ready()
        yield running
