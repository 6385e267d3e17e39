"""The sender losing the database while recording an outcome (bench/chaos.py found the same
in vetting's check runner): the email sent is recorded SENT once the database is back, so it is
never sent again, and the rest of the claimed batch is still sent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import exc as sa_exc

from tests.support.delivery_harness import NOON, Delivery, SmtpServer
from tests.support.network import free_port


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpServer, int]]:
    handler, port = SmtpServer(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def test_a_lost_connection_while_recording_a_send_neither_resends_nor_strands(
    backend_env, smtp, monkeypatch
):
    server, port = smtp
    d = Delivery({**backend_env["notifications"], "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port)})
    try:
        ids = [d.add(to=f"jo{i}@example.org") for i in range(3)]
        real_record = d.sender._record_once
        failures = iter([True, False, True])  # the first and third outcomes meet a dead line

        def flaky(*args: Any) -> None:
            if next(failures, False):
                raise sa_exc.OperationalError(
                    "UPDATE notifications", {}, Exception("server closed the connection")
                )
            real_record(*args)

        monkeypatch.setattr(d.sender, "_record_once", flaky)
        monkeypatch.setattr(d.sender._stop, "wait", lambda _s=None: False)  # no real pauses
        assert d.send_at(NOON) == 3
        assert [d.row(i).status for i in ids] == ["SENT"] * 3
        assert sorted(m["X-Notification-ID"] for m in server.messages) == sorted(ids)
        # Long after any lease: nothing is due, nothing is sent twice.
        assert d.send_at(NOON.replace(year=NOON.year + 1)) == 0
        assert len(server.messages) == 3
    finally:
        d.platform.engine.dispose()
