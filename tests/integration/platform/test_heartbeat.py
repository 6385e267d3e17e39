"""The liveness signal of the processes without a port: the consumer and the relay refresh a
heartbeat file while their loop turns, and a consumer stuck in a handler stops refreshing it (so
the probe's `find <file> -mmin -2` finds nothing and the process is restarted)."""

from __future__ import annotations

import os
import threading

from shared.heartbeat import Heartbeat
from shared.outbox import OutboxRelay
from tests.support import wait_for
from tests.support.platforms import (
    ConsumerThread,
    platform_for,
    publish_raw,
    submitted_envelope,
)

LONG_AGO = 1_000_000_000  # 2001: a heartbeat file set back to it is stale to any probe


def _set_back(path) -> None:
    os.utime(path, (LONG_AGO, LONG_AGO))


def _fresh(path) -> bool:
    return path.exists() and path.stat().st_mtime > LONG_AGO


def test_beats_are_spaced_and_survive_an_unwritable_place(tmp_path):
    heartbeat = Heartbeat(tmp_path / "hb" / "consume", every_s=3600)
    heartbeat.beat()
    assert _fresh(heartbeat.path)
    _set_back(heartbeat.path)
    heartbeat.beat()  # within the spacing: no write
    assert not _fresh(heartbeat.path)
    (tmp_path / "file").write_text("")
    Heartbeat(tmp_path / "file" / "consume", every_s=0).beat()  # a file as its folder: logged


def test_the_consumer_beats_while_idle_and_not_while_stuck_in_a_handler(real_env, tmp_path):
    vetting = platform_for("vetting", real_env["vetting"])
    heartbeat = Heartbeat(tmp_path / "heartbeat" / "consume", every_s=0)
    entered, release = threading.Event(), threading.Event()

    def stuck(_uow, _event):
        entered.set()
        release.wait(30)

    with ConsumerThread(vetting, {"application.submitted": [stuck]}, heartbeat):
        wait_for(lambda: _fresh(heartbeat.path), message="first beat")
        publish_raw(vetting, [submitted_envelope()])
        assert entered.wait(15)
        _set_back(heartbeat.path)
        # Three of kombu's one-second turns would each have beaten, had the loop been free.
        assert not release.wait(3)
        assert not _fresh(heartbeat.path)
        release.set()
        wait_for(lambda: _fresh(heartbeat.path), message="beats again once free")


def test_the_relay_beats_while_it_runs(real_env, tmp_path):
    access = platform_for("access", real_env["access"])
    heartbeat = Heartbeat(tmp_path / "heartbeat" / "relay", every_s=0)
    with access.connection() as connection:
        relay = OutboxRelay(
            access.engine,
            access.publisher(connection),
            clock=access.clock,
            heartbeat=heartbeat,
        )
        thread = threading.Thread(target=relay.run, daemon=True)
        thread.start()
        try:
            wait_for(lambda: _fresh(heartbeat.path), message="first beat")
            _set_back(heartbeat.path)
            wait_for(lambda: _fresh(heartbeat.path), message="beats again")
        finally:
            relay.stop()
            thread.join(timeout=15)
    assert not thread.is_alive()
