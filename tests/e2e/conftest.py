"""Fixtures that run the real processes: a local SMTP server and a whole stack."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from shared.devstack import Stack
from shared.messaging.topology import SERVICES


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps every message it is handed."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.lock = threading.Lock()
        self.refuse = False

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        if self.refuse:
            return "451 4.3.0 try again later"
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]


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
               smtp_port=smtp_port, base_env={"CONSUMER_RETRY_BASE_S": "0.1"}) as running:
        running.migrate()
        running.start()
        running.wait_ready()
        yield running
