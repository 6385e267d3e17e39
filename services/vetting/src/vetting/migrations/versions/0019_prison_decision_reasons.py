"""an establishment's reason for excluding or revoking a person, and an exclusion's review date

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 14:10:00.000000

From access.decision_evidence: shown as evidence on the person's clearance and on any later
case of theirs. The reason is encrypted (TEXT holding a Fernet token).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = '0019'
down_revision: Union[str, Sequence[str], None] = '0018'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('prison_decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('review_on', sa.Date(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('prison_decisions', schema=None) as batch_op:
        batch_op.drop_column('review_on')
        batch_op.drop_column('reason')
