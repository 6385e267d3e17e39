"""audit log

The shared, append-only audit log (shared.audit.log): the table, its indexes, and the triggers
that reject UPDATE and DELETE.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 10:00:00.000000

"""
from typing import Sequence, Union

from shared.migrations import create_audit_log_v1, drop_audit_log_v1


# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    create_audit_log_v1()


def downgrade() -> None:
    """Downgrade schema."""
    drop_audit_log_v1()
