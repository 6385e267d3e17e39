"""Erasure reaches the copies outside the rows: the log channel's file (`var/messages.jsonl`)
is rewritten without the erased person's messages, on both run modes, even for a send that
crossed the erasure; and on SQLite neither the write-ahead log nor the database file keeps the
erased text (their bytes are searched)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from notifications.adapters.channels.log import FILE_NAME, LogChannel, forget_messages
from notifications.workers.sender import Sender
from tests.support.clock import now
from tests.support.erasure import person_erased, report
from tests.support.erasure_scan import sqlite_file_hits
from tests.support.notifications_harness import Notifications
from tests.support.sentinel_scan import sentinel


def harness(env: dict[str, str]) -> Notifications:
    return Notifications(env, NOTIFICATIONS_QUIET_HOURS="")


@pytest.fixture
def notes(backend_env):  # type: ignore[no-untyped-def]
    made = harness(backend_env["notifications"])
    yield made
    made.platform.engine.dispose()


def log_sender(notes: Notifications) -> tuple[Sender, Path]:
    channel = LogChannel.under(notes.platform.settings.var_dir, notes.platform.clock)
    return Sender(notes.platform, channels={"EMAIL": channel, "SMS": channel}), channel.path


def volunteer(notes: Notifications) -> tuple[str, list[str]]:
    """An application of a volunteer texted by preference, their messages queued; the values
    that name them (names, mobile, email, their coordinator's email)."""
    words = [sentinel() for _ in range(4)]
    mobile = f"07{uuid.uuid4().int % 10**9:09d}"
    application_id = notes.submitted(
        channel="SMS",
        mobile=mobile,
        forenames=words[0],
        surname=words[1],
        email=f"{words[2]}@example.org",
        coordinator=f"{words[3]}@example.org",
    )
    notes.case_opened(application_id)
    return application_id, [*words, mobile]


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_erasure_rewrites_the_log_file_without_the_persons_messages(notes):
    erased_id, erased = volunteer(notes)
    kept_id, kept = volunteer(notes)
    sender, path = log_sender(notes)
    while sender.send_due():
        pass
    text = path.read_text("utf-8")
    # Texted, so the volunteer's email is in no message; the rest is.
    assert [value for value in erased + kept if value not in text] == [erased[2], kept[2]]
    kept_lines = [
        line
        for line in lines(path)
        if any(value in json.dumps(line, ensure_ascii=False) for value in kept)
    ]

    erasure_id = person_erased(notes, str(uuid.uuid4()), [erased_id])

    text = path.read_text("utf-8")
    assert [value for value in erased if value in text] == []
    assert lines(path) == kept_lines and len(kept_lines) == 3  # received: 2, started: 1
    assert report(notes, "notification.person_erased", erasure_id)["counts"]["log_lines"] == 3
    assert not [p for p in path.parent.iterdir() if p.name.startswith(f".{FILE_NAME}.")]
    # A second request finds nothing left in the file and leaves the rest alone.
    again = person_erased(notes, str(uuid.uuid4()), [erased_id])
    assert report(notes, "notification.person_erased", again)["counts"]["log_lines"] == 0
    assert lines(path) == kept_lines and kept_id


def test_a_send_that_crosses_the_erasure_leaves_no_line(notes):
    application_id, erased = volunteer(notes)
    sender, path = log_sender(notes)
    claimed = sender._claim(now())  # handed to the channel before the erasure commits...
    assert claimed
    person_erased(notes, str(uuid.uuid4()), [application_id])
    for notification in claimed:  # ...written to the file after it
        sender._deliver(notification, sender.channels[notification.channel])
    assert path.exists()
    assert [value for value in erased if value in path.read_text("utf-8")] == []


def test_the_rewrite_keeps_lines_it_cannot_read_and_a_missing_file_is_nothing(tmp_path):
    path = tmp_path / FILE_NAME
    assert forget_messages(path, ["a"]) == 0 and not path.exists()
    path.write_text('{"id": "a", "to": "x"}\nnot json\n{"id": "b"}\n', "utf-8")
    path.chmod(0o640)
    assert forget_messages(path, ["a"]) == 1
    assert path.read_text("utf-8") == 'not json\n{"id": "b"}\n'
    assert path.stat().st_mode & 0o777 == 0o640


def test_on_sqlite_neither_the_write_ahead_log_nor_the_file_keeps_the_erased_text(embedded):
    notes = harness(embedded["notifications"])
    try:
        application_id, erased = volunteer(notes)
        _other, kept = volunteer(notes)
        url = notes.platform.settings.database_url
        # The scan sees what is there: both people, before the erasure.
        assert {hit.split(": ")[1] for hit in sqlite_file_hits(url, erased + kept)} >= {
            erased[0],
            kept[0],
        }
        person_erased(notes, str(uuid.uuid4()), [application_id])
        assert sqlite_file_hits(url, erased) == []
        assert Path(url.split("///", 1)[-1] + "-wal").stat().st_size == 0
    finally:
        notes.platform.engine.dispose()
