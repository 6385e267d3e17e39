"""Searching a service's whole database for sentinel values, the way an auditor of an erasure
would: every table, every column, encrypted values decrypted with the service's key set, and the
audit log's sealed parts opened with whatever subject keys are left (a forgotten key means that
part is unreadable: no hit)."""

from __future__ import annotations

import json
import secrets
import string
from collections.abc import Iterable, Iterator
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import Engine, MetaData

from shared.crypto.at_rest import Keyring, keyring_from_settings
from shared.platform import Platform

TOKEN_PREFIX = "gAAAAA"  # every Fernet token starts so (version byte and timestamp)


def sentinel(prefix: str = "Snt") -> str:
    """A unique word of letters only (names are validated as names)."""
    return prefix + "".join(secrets.choice(string.ascii_lowercase) for _ in range(12))


def hits(platform: Platform, sentinels: Iterable[str]) -> list[str]:
    """ "table.column: sentinel" for every place a sentinel is found (case-insensitively:
    vetting's recognition key is case-folded)."""
    return database_hits(platform.engine, keyring_from_settings(platform.settings), sentinels)


def database_hits(engine: Engine, keyring: Keyring, sentinels: Iterable[str]) -> list[str]:
    """`hits` for any service database, given its engine and key set."""
    wanted = [s.casefold() for s in sentinels]
    metadata = MetaData()
    metadata.reflect(bind=engine)
    found: list[str] = []
    with engine.connect() as connection:
        subject_keys = [
            Fernet(keyring.decrypt(key).encode())
            for (key,) in connection.exec_driver_sql("SELECT key FROM audit_subject_keys")
        ]
        for table in metadata.sorted_tables:
            # As stored (the driver's values, not the model's types): what a copy of the
            # database would show.
            for row in connection.exec_driver_sql(f'SELECT * FROM "{table.name}"'):
                for column, value in row._mapping.items():
                    for text in _readings(value, keyring, subject_keys):
                        found += [
                            f"{table.name}.{column}: {s}" for s in wanted if s in text.casefold()
                        ]
    return sorted(set(found))


def found(platform: Platform, sentinels: Iterable[str]) -> set[str]:
    """The sentinels (case-folded) found anywhere in the database."""
    return {hit.rsplit(": ", 1)[1] for hit in hits(platform, sentinels)}


def _readings(value: Any, keyring: Any, subject_keys: list[Fernet]) -> Iterator[str]:
    if value is None:
        return
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    yield text
    if isinstance(value, str) and value.startswith(TOKEN_PREFIX):
        try:
            yield keyring.decrypt(value)
        except Exception:  # noqa: BLE001 - not under the service's keys: a sealed part?
            for key in subject_keys:
                try:
                    yield key.decrypt(value.encode()).decode()
                except Exception:  # noqa: BLE001 - another subject's key
                    continue
