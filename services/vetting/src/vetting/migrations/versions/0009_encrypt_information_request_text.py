"""encrypt information requests' questions and reason

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 10:00:00.000000

The officer's questions and reason, in their words, may speak of offences, health or
connections. The columns become TEXT holding Fernet tokens, and existing rows are encrypted in
batches with the configured key set (DATA_ENCRYPTION_KEYS); see shared.crypto.migrations.
"""
from typing import Sequence, Union

import sqlalchemy as sa

from shared.crypto.migrations import decrypt_columns, encrypt_columns

# revision identifiers, used by Alembic.
revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# table -> (primary key, {column: its plaintext type})
ENCRYPTED = {
    'information_requests': ('id', {'items': sa.JSON(), 'reason': sa.Text()}),
}


def upgrade() -> None:
    """Upgrade schema."""
    for table, (pk, columns) in ENCRYPTED.items():
        encrypt_columns(table, pk, columns)


def downgrade() -> None:
    """Downgrade schema."""
    for table, (pk, columns) in ENCRYPTED.items():
        decrypt_columns(table, pk, columns)
