"""Searching a running system's every store for values that erasure must have removed.

Databases: each service's, searched as `tests/integration/sentinel_scan.py` searches one (every
row as stored, Fernet tokens opened with the service's keys and the audit log's remaining
subject keys, so that an encrypted copy counts as a copy). The broker:
every message waiting in each service's queues (inbox, retry, dead-letter), body and headers,
read without acknowledging (they go back when the channel closes).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from kombu import Connection
from sqlalchemy import create_engine

from devstack.stack import Stack
from shared.config import load_settings
from shared.crypto.at_rest import keyring_from_settings
from shared.messaging.topology import SERVICES, Topology
from tests.support import sentinel_scan


def _found(where: str, value: str, needles: Mapping[str, str]) -> list[str]:
    lowered = value.lower()
    return [
        f"- {name} ({needle!r}) in {where}" for name, needle in needles.items() if needle in lowered
    ]


def database_hits(stack: Stack, needles: Mapping[str, str]) -> list[str]:
    names = {needle.casefold(): name for name, needle in needles.items()}
    hits: list[str] = []
    for service in SERVICES:
        settings = load_settings(service, stack.env_for(service))
        engine = create_engine(settings.database_url)
        try:
            for hit in sentinel_scan.database_hits(
                engine, keyring_from_settings(settings), needles.values()
            ):
                where, needle = hit.rsplit(": ", 1)
                hits.append(f"- {names.get(needle, needle)} ({needle!r}) in {service}.{where}")
        finally:
            engine.dispose()
    return hits


def broker_hits(stack: Stack, needles: Mapping[str, str]) -> list[str]:
    hits: list[str] = []
    for service in SERVICES:
        settings = load_settings(service, stack.env_for(service))
        topology = Topology(settings)
        with Connection(settings.broker_url) as connection:
            channel = connection.channel()
            try:
                for queue in (
                    topology.inbox_queue(service),
                    topology.retry_queue(service),
                    topology.dead_letter_queue(service),
                ):
                    bound = queue(channel)
                    while (message := bound.get(no_ack=False)) is not None:
                        body = (
                            message.body
                            if isinstance(message.body, str)
                            else message.body.decode(errors="replace")
                        )
                        where = f"broker queue {queue.name}"
                        hits += _found(
                            where, body + json.dumps(message.headers, default=str), needles
                        )
            finally:
                channel.close()  # unacknowledged messages go back to their queues
    return hits


def sqlite_file_hits(database_url: str, needles: Iterable[str]) -> list[str]:
    """ "<file>: needle" for each needle found in the bytes of an SQLite database, its
    write-ahead log or its rollback journal, as anyone with the files would find it (UTF-8,
    any case). An erased value must be in none of them, not only absent from the rows."""
    path = Path(database_url.split("///", 1)[-1])
    found: list[str] = []
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-journal")):
        if not file.exists():
            continue
        content = file.read_bytes().lower()
        found += [
            f"{file.name}: {needle}" for needle in needles if needle.lower().encode() in content
        ]
    return found
