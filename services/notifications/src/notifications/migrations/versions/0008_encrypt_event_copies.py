"""encrypt the outbox's and dead letters' event copies

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 17:00:00.000000

Outbox and dead-letter bodies are copies of events, which may carry special-category data (an
application.submitted carries the applicant's declarations): they become Fernet tokens, with the
ids each mentions kept beside it in the clear for erasure; see shared.crypto.migrations.
"""
from typing import Sequence, Union

from shared.crypto.migrations import decrypt_event_copies, encrypt_event_copies

# revision identifiers, used by Alembic.
revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    encrypt_event_copies()


def downgrade() -> None:
    """Downgrade schema."""
    decrypt_event_copies()
