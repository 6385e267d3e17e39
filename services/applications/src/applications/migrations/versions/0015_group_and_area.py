"""the group the volunteer will run and its area, for the prison deciding access

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 14:00:00.000000

Both optional and encrypted (TEXT holding a Fernet token): a group's name can say which
fellowship it belongs to.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = '0015'
down_revision: Union[str, Sequence[str], None] = '0014'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('group_name', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('area', sa.Text(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_column('area')
        batch_op.drop_column('group_name')
