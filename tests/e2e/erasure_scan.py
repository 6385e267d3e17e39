"""Searching a running system's every store for values that erasure must have removed.

Databases: every row of every table of each service, as text, and every Fernet token in them
opened with every key the service still holds — its data encryption keys and the audit log's
remaining per-subject sealing keys — so that an encrypted copy counts as a copy. The broker:
every message waiting in each service's queues (inbox, retry, dead-letter), body and headers,
read without acknowledging (they go back when the channel closes).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from cryptography.fernet import InvalidToken
from kombu import Connection
from sqlalchemy import create_engine, inspect, text

from shared.config import load_settings
from shared.crypto import Keyring, keyring_from_settings
from shared.devstack import Stack
from shared.messaging.topology import SERVICES, Topology


def _found(where: str, value: str, needles: Mapping[str, str]) -> list[str]:
    lowered = value.lower()
    return [f"- {name} ({needle!r}) in {where}" for name, needle in needles.items()
            if needle in lowered]


def _opened(value: str, keys: list[Keyring]) -> Iterable[str]:
    if not value.startswith("gAAAA"):
        return
    for key in keys:
        try:
            yield key.decrypt(value)
            return
        except (InvalidToken, ValueError):
            continue


def database_hits(stack: Stack, needles: Mapping[str, str]) -> list[str]:
    hits: list[str] = []
    for service in SERVICES:
        settings = load_settings(service, stack.env_for(service))
        keyring = keyring_from_settings(settings)
        engine = create_engine(settings.database_url)
        try:
            with engine.connect() as conn:
                keys = [keyring, *(Keyring([keyring.decrypt(sealed)]) for (sealed,) in
                                   conn.execute(text("SELECT key FROM audit_subject_keys")))]
                for table in inspect(conn).get_table_names():
                    for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                        for column, value in row._mapping.items():
                            if value is None:
                                continue
                            raw = value if isinstance(value, str) else json.dumps(
                                value, default=str)
                            where = f"{service}.{table}.{column}"
                            hits += _found(where, raw, needles)
                            for plain in _opened(raw, keys):
                                hits += _found(f"{where} (decrypted)", plain, needles)
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
                for queue in (topology.inbox_queue(service), topology.retry_queue(service),
                              topology.dead_letter_queue(service)):
                    bound = queue(channel)
                    while (message := bound.get(no_ack=False)) is not None:
                        body = message.body if isinstance(message.body, str) \
                            else message.body.decode(errors="replace")
                        where = f"broker queue {queue.name}"
                        hits += _found(where, body + json.dumps(message.headers, default=str),
                                       needles)
            finally:
                channel.close()  # unacknowledged messages go back to their queues
    return hits
