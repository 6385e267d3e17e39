"""encrypt special-category fields: the applicant document, the fellowship, answers

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 10:00:00.000000

The columns become TEXT holding Fernet tokens, and existing rows are encrypted in batches with
the configured key set (DATA_ENCRYPTION_KEYS); see shared.crypto.migrations.
"""
from typing import Sequence, Union

import sqlalchemy as sa

from shared.crypto.migrations import decrypt_columns, encrypt_columns

# revision identifiers, used by Alembic.
revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# table -> (primary key, {column: its plaintext type})
ENCRYPTED = {
    'applications': ('id', {'applicant': sa.JSON()}),
    'information_requests': ('id', {'answers': sa.JSON()}),
    'organisations': ('id', {'fellowship': sa.String(length=20)}),
}


def upgrade() -> None:
    """Upgrade schema."""
    for table, (pk, columns) in ENCRYPTED.items():
        encrypt_columns(table, pk, columns)


def downgrade() -> None:
    """Downgrade schema."""
    for table, (pk, columns) in ENCRYPTED.items():
        decrypt_columns(table, pk, columns)
