"""audit outcome and sealed reasons

The audit log gains an outcome column and sealed reasons with their per-subject keys
(shared.audit.migrations); reasons written before are sealed in place.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 18:10:00.000000

"""
from typing import Sequence, Union

from shared.audit.migrations import downgrade_audit_log_v2, upgrade_audit_log_v2


# revision identifiers, used by Alembic.
revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    upgrade_audit_log_v2()


def downgrade() -> None:
    """Downgrade schema."""
    downgrade_audit_log_v2()
