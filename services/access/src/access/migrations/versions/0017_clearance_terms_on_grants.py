"""the vetting officer's conditions and review date on a grant's copy of the clearance

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 14:30:00.000000

grants.clearance_custom_conditions: the conditions a vetting officer set (from vetting's list,
or in the officer's words: encrypted, they may name someone in custody);
grants.clearance_review_on: the clearance's earlier review date. NULL for grants from before
(vetting sent none).
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0017'
down_revision: Union[str, Sequence[str], None] = '0016'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('grants') as batch:
        batch.add_column(sa.Column('clearance_custom_conditions', sa.Text(), nullable=True))
        batch.add_column(sa.Column('clearance_review_on', sa.Date(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    # Not a batch: on SQLite that copies the table, and tables referring to it refuse the drop.
    op.drop_column('grants', 'clearance_review_on')
    op.drop_column('grants', 'clearance_custom_conditions')
