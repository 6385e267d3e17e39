"""`python -m <service> keys generate | rotate`: the data encryption keys, for operators.

Rotating: put a new key first in DATA_ENCRYPTION_KEYS (keep the old ones after it), restart the
processes, run `keys rotate`; once it reports nothing left to rotate, drop the old keys.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from shared.audit import seal
from shared.crypto import at_rest
from shared.crypto.rotation import count_rows, rotate


def keys_group() -> click.Group:
    @click.group("keys", help="Data encryption keys (special-category fields).")
    def keys() -> None:
        pass

    @keys.command("generate", help="Print a new Fernet key (put it first in DATA_ENCRYPTION_KEYS).")
    def generate() -> None:
        click.echo(at_rest.Keyring.generate_key())

    @keys.command(
        "rotate",
        help="Re-encrypt every encrypted value under the first key, in "
        "batches; safe to interrupt and run again.",
    )
    @click.option("--batch-size", default=500, show_default=True, type=click.IntRange(min=1))
    @click.pass_obj
    def rotate_command(state: Any, batch_size: int) -> None:
        platform = state.platform
        # The service's own columns, and the audit log's sealing keys (every service has them).
        tables = at_rest.encrypted_columns(state.definition.metadata) + at_rest.encrypted_columns(
            seal.audit_subject_keys_table.metadata
        )
        keyring = at_rest.keyring_from_settings(platform.settings)
        total = count_rows(platform.engine, tables)
        with click.progressbar(length=total, label="re-encrypting", file=sys.stderr) as bar:
            report = rotate(
                platform.engine, tables, keyring, batch_size=batch_size, progress=bar.update
            )
        click.echo(json.dumps({"tables": [table.name for table, _ in tables], **report.as_dict()}))
        if report.unreadable:
            click.echo(f"{report.unreadable} value(s) no configured key opens", err=True)
            sys.exit(1)

    return keys
