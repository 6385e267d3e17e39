"""an officer takes a case to work it: who holds it and since when

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 16:30:00.000000

vetting_cases.assigned_to (the staff subject working the case) and assigned_at: NULL for every
existing case (nobody holds one yet). Closing a case releases it.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = '0017'
down_revision: Union[str, Sequence[str], None] = '0016'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('vetting_cases') as batch:
        batch.add_column(sa.Column('assigned_to', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('assigned_at', UTCDateTime(), nullable=True))
        batch.create_index(batch.f('ix_vetting_cases_assigned_to'), ['assigned_to'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f('ix_vetting_cases_assigned_to'), table_name='vetting_cases')
    # Not a batch: on SQLite that copies the table, and tables referring to it refuse the drop.
    op.drop_column('vetting_cases', 'assigned_at')
    op.drop_column('vetting_cases', 'assigned_to')
