"""Key rotation: every encrypted value of a service's database, re-encrypted under the primary key.

Batch by batch, keyset-paged by primary key, each batch in its own transaction; a value the
primary key already opens is skipped, so an interrupted rotation simply runs again. A row the
application changed between our read and our write keeps the application's value (the update is
conditional on the token we read).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import sqlalchemy as sa
from sqlalchemy import Engine, Table

from shared.crypto.at_rest import InvalidToken, Keyring


@dataclass
class RotationReport:
    rows: int = 0
    rotated: int = 0
    already_current: int = 0
    changed_meanwhile: int = 0
    unreadable: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def count_rows(engine: Engine, tables: Sequence[tuple[Table, list[str]]]) -> int:
    with engine.connect() as conn:
        return sum(
            conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for table, _ in tables
        )


def rotate(
    engine: Engine,
    tables: Sequence[tuple[Table, list[str]]],
    keyring: Keyring,
    *,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
    after_batch: Callable[[str, int], None] | None = None,
) -> RotationReport:
    """`tables`: as `shared.crypto.at_rest.encrypted_columns` gives them. `progress(n)` after each
    batch of n rows; `after_batch(table, rows)` too (tests interrupt a rotation with it)."""
    report = RotationReport()
    for table, names in tables:
        (pk,) = table.primary_key.columns  # every encrypted table has a one-column key
        raw = sa.table(
            table.name, sa.column(pk.name), *(sa.column(name, sa.Text()) for name in names)
        )
        last = None
        while True:
            with engine.begin() as conn:
                query = sa.select(raw.c[pk.name], *(raw.c[n] for n in names))
                if last is not None:
                    query = query.where(raw.c[pk.name] > last)
                rows = conn.execute(query.order_by(raw.c[pk.name]).limit(batch_size)).all()
                for row in rows:
                    _rotate_row(conn, raw, pk.name, names, row, keyring, report)
            if not rows:
                break
            last = rows[-1][0]
            report.rows += len(rows)
            if progress:
                progress(len(rows))
            if after_batch:
                after_batch(table.name, len(rows))
    return report


def _rotate_row(
    conn: sa.Connection,
    raw: sa.TableClause,
    pk: str,
    names: list[str],
    row: sa.Row,
    keyring: Keyring,
    report: RotationReport,
) -> None:
    for name in names:
        token = row._mapping[name]
        if token is None:
            continue
        if keyring.is_current(token):
            report.already_current += 1
            continue
        try:
            new = keyring.rotate(token)
        except InvalidToken:
            report.unreadable += 1
            continue
        result = conn.execute(
            raw.update().where(raw.c[pk] == row[0], raw.c[name] == token).values({name: new})
        )
        if result.rowcount:
            report.rotated += 1
        else:
            report.changed_meanwhile += 1
