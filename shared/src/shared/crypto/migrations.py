"""Alembic helpers: turn plaintext columns into encrypted ones (and back, for downgrades).

Called from a service's migration scripts. The key set is the one the migrating process is
configured with (`alembic_config` passes its settings; else the environment). Rows are rewritten
in batches, keyset-paged by primary key, and a value that is already a token the key set opens
is left alone, so a migration interrupted (and rolled back) or re-run is safe.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

import sqlalchemy as sa
from alembic import context, op

from shared.config import load_settings
from shared.crypto.at_rest import InvalidToken, Keyring, keyring_from_settings


def migration_keyring() -> Keyring:
    settings = context.config.attributes.get("settings") or load_settings("migration")
    return keyring_from_settings(settings)


def encrypt_columns(
    table: str, pk: str, columns: Mapping[str, sa.types.TypeEngine], batch_size: int = 500
) -> None:
    """`columns`: name -> the plaintext type it had (sa.JSON() or a string type).

    SQLite keeps the declared types: any of them stores a token as TEXT, and changing one
    would copy the table, which its foreign keys forbid (`run_env` does not compare them)."""
    if not _is_sqlite():
        with op.batch_alter_table(table) as batch:
            for name, old in columns.items():
                batch.alter_column(
                    name, existing_type=old, type_=sa.Text(), postgresql_using=f"{name}::text"
                )
    keyring = migration_keyring()

    def encrypt(raw: str, is_json: bool) -> str | None:
        if _opens(keyring, raw):
            return raw
        if is_json:
            value = json.loads(raw)
            if value is None:
                return None
            raw = json.dumps(value, separators=(",", ":"), sort_keys=True)
        return keyring.encrypt(raw)

    _rewrite(table, pk, columns, encrypt, batch_size)


def decrypt_columns(
    table: str, pk: str, columns: Mapping[str, sa.types.TypeEngine], batch_size: int = 500
) -> None:
    """The reverse of `encrypt_columns`: plaintext again, in the types `columns` gives."""
    keyring = migration_keyring()

    def decrypt(raw: str, _is_json: bool) -> str | None:
        return keyring.decrypt(raw) if _opens(keyring, raw) else raw

    _rewrite(table, pk, columns, decrypt, batch_size)
    if _is_sqlite():
        return
    with op.batch_alter_table(table) as batch:
        for name, old in columns.items():
            using = f"{name}::json" if isinstance(old, sa.JSON) else f"{name}::text"
            batch.alter_column(name, existing_type=sa.Text(), type_=old, postgresql_using=using)


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _opens(keyring: Keyring, raw: str) -> bool:
    try:
        keyring.decrypt(raw)
    except (InvalidToken, UnicodeError):
        return False
    return True


def _rewrite(
    table: str,
    pk: str,
    columns: Mapping[str, sa.types.TypeEngine],
    change: Callable[[str, bool], str | None],
    batch_size: int,
) -> None:
    bind = op.get_bind()
    t = sa.table(table, sa.column(pk), *(sa.column(name, sa.Text()) for name in columns))
    last = None
    while True:
        query = sa.select(t.c[pk], *(t.c[name] for name in columns)).order_by(t.c[pk])
        if last is not None:
            query = query.where(t.c[pk] > last)
        rows = bind.execute(query.limit(batch_size)).all()
        if not rows:
            return
        for row in rows:
            values = {}
            for name, old in columns.items():
                raw = row._mapping[name]
                if raw is not None:
                    new = change(raw, isinstance(old, sa.JSON))
                    if new != raw:
                        values[name] = new
            if values:
                bind.execute(t.update().where(t.c[pk] == row[0]).values(**values))
        last = rows[-1][0]


# The platform's event copies: outbox and dead-letter bodies (and errors, which may echo them).
EVENT_COPIES = {
    "outbox": ("id", {"body": sa.Text()}),
    "dead_letters": ("id", {"body": sa.Text(), "error": sa.Text()}),
}


def encrypt_event_copies(batch_size: int = 500) -> None:
    """Every service's migration for its outbox and dead letters: the ids each body mentions
    go beside it in the clear (shared.event_copies), then the bodies are encrypted."""
    from shared.event_copies import mentions

    keyring = migration_keyring()
    for table, (pk, columns) in EVENT_COPIES.items():
        op.add_column(table, sa.Column("mentions", sa.Text(), nullable=True))
        t = sa.table(
            table, sa.column(pk), sa.column("body", sa.Text()), sa.column("mentions", sa.Text())
        )
        last = None
        while True:  # the ids of the plaintext bodies (a token already encrypted mentions none)
            query = sa.select(t.c[pk], t.c.body).order_by(t.c[pk]).limit(batch_size)
            rows = (
                op.get_bind().execute(query if last is None else query.where(t.c[pk] > last)).all()
            )
            if not rows:
                break
            for row in rows:
                body = keyring.decrypt(row.body) if _opens(keyring, row.body) else row.body
                op.get_bind().execute(
                    t.update().where(t.c[pk] == row[0]).values(mentions=mentions(body))
                )
            last = rows[-1][0]
        encrypt_columns(table, pk, columns, batch_size)


def decrypt_event_copies(batch_size: int = 500) -> None:
    for table, (pk, columns) in EVENT_COPIES.items():
        decrypt_columns(table, pk, columns, batch_size)
        op.drop_column(table, "mentions")
