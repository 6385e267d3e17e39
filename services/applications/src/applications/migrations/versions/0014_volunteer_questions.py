"""a sensitive information request's questions, kept for the volunteer alone

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 19:40:00.000000

Vetting asks the volunteer, not the organisation, what touches its checks' findings; the
volunteer answers on their own pages in the portal. The questions are kept encrypted (TEXT
holding a Fernet token), apart from `items`, which the organisation sees.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = '0014'
down_revision: Union[str, Sequence[str], None] = '0013'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('information_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('volunteer_items', sa.Text(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('information_requests', schema=None) as batch_op:
        batch_op.drop_column('volunteer_items')
