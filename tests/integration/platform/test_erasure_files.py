"""The shared erasure mechanics on embedded SQLite, for each of the four services: once an
erasure commits, the erased text is in no byte of the database file or its write-ahead log
(the log is checkpointed and truncated; deleted rows are zeroed where they lay)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import insert

from shared import erasure
from shared.db import dead_letters_table
from shared.messaging.topology import SERVICES
from tests.support.clock import now
from tests.support.erasure_scan import sqlite_file_hits
from tests.support.platforms import platform_for
from tests.support.sentinel_scan import sentinel


@pytest.mark.parametrize("service", SERVICES)
def test_an_erasure_leaves_nothing_in_the_sqlite_files(embedded, service):
    platform = platform_for(service, embedded[service])
    try:
        erased_id, kept_id = str(uuid.uuid4()), str(uuid.uuid4())
        erased, kept = sentinel(), sentinel()
        with platform.engine.begin() as connection:
            for subject, word in ((erased_id, erased), (kept_id, kept)):
                # The handler column is plain text: what a copy of a name looks like on disk.
                connection.execute(
                    insert(dead_letters_table),
                    {
                        "event_id": str(uuid.uuid4()),
                        "event_type": "application.info_provided",
                        "handler": word * 10,
                        "body": "{}",
                        "error": "boom",
                        "mentions": subject,
                        "attempts": 1,
                        "created_at": now(),
                    },
                )
        url = platform.settings.database_url
        assert {hit.split(": ")[1] for hit in sqlite_file_hits(url, [erased, kept])} == {
            erased,
            kept,
        }

        with platform.unit_of_work() as uow:
            assert erasure.purge_copies(uow.session, [erased_id])["dead_letters"] == 1
            erasure.remember_erased(uow.session, [erased_id], str(uuid.uuid4()), uow.now())
            uow.commit()

        assert sqlite_file_hits(url, [erased]) == []
        assert [hit.split(": ")[1] for hit in sqlite_file_hits(url, [kept])] == [kept]
        assert Path(url.split("///", 1)[-1] + "-wal").stat().st_size == 0
    finally:
        platform.engine.dispose()


def test_a_rolled_back_erasure_checkpoints_nothing(embedded):
    platform = platform_for("vetting", embedded["vetting"])
    try:
        with platform.unit_of_work() as uow:
            erasure.remember_erased(uow.session, [str(uuid.uuid4())], str(uuid.uuid4()), uow.now())
        url = platform.settings.database_url
        # Nothing committed, nothing to move: the log is as it was (not forced empty).
        assert Path(url.split("///", 1)[-1] + "-wal").exists()
    finally:
        platform.engine.dispose()
