"""encrypt messages' subject and body; the subject becomes TEXT (no length limit)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08 10:00:00.000000

Both name the person, and the body may carry an information request's questions and reason.
The columns become TEXT holding Fernet tokens, and existing rows are encrypted in batches with
the configured key set (DATA_ENCRYPTION_KEYS); see shared.crypto.migrations. The subject was
VARCHAR(200), which a subject with two 100-character names overflowed.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from shared.crypto.migrations import decrypt_columns, encrypt_columns

# revision identifiers, used by Alembic.
revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

SUBJECT_LENGTH = 200  # the old VARCHAR's


def upgrade() -> None:
    """Upgrade schema."""
    encrypt_columns('notifications', 'id', {'subject': sa.String(length=SUBJECT_LENGTH),
                                            'body': sa.Text()})


def downgrade() -> None:
    """Downgrade schema."""
    # Decrypted as TEXT first: a subject longer than the old VARCHAR allows (possible only since
    # the upgrade) is cut to fit, or the type change would fail. The body keeps the whole message.
    decrypt_columns('notifications', 'id', {'subject': sa.Text(), 'body': sa.Text()})
    op.execute(sa.text(f"UPDATE notifications SET subject = substr(subject, 1, {SUBJECT_LENGTH})"
                       f" WHERE length(subject) > {SUBJECT_LENGTH}"))
    if op.get_bind().dialect.name != 'sqlite':  # SQLite keeps the declared type throughout
        with op.batch_alter_table('notifications') as batch:
            batch.alter_column('subject', existing_type=sa.Text(),
                               type_=sa.String(length=SUBJECT_LENGTH))
