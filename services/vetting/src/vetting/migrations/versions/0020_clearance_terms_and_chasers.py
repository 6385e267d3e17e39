"""an officer's terms on a clearance; information requests chased and lapsed

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 14:10:00.000000

clearances.custom_conditions: the conditions an officer picked from the policy's list or wrote
(encrypted: "other" is in their words and may name someone in custody); clearances.review_on:
an earlier review than the expiry. information_requests.chased_at / lapsed_at: when the sweep
chased a request past its "by when" date, and when it lapsed to the officer as overdue. All
NULL for what came before (nothing set, nothing chased).
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = '0020'
down_revision: Union[str, Sequence[str], None] = '0019'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('clearances') as batch:
        batch.add_column(sa.Column('custom_conditions', sa.Text(), nullable=True))
        batch.add_column(sa.Column('review_on', sa.Date(), nullable=True))
    with op.batch_alter_table('information_requests') as batch:
        batch.add_column(sa.Column('chased_at', UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('lapsed_at', UTCDateTime(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    # Not batches: on SQLite that copies the tables, and tables referring to them refuse it.
    op.drop_column('information_requests', 'lapsed_at')
    op.drop_column('information_requests', 'chased_at')
    op.drop_column('clearances', 'review_on')
    op.drop_column('clearances', 'custom_conditions')
