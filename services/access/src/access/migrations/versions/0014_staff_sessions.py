"""the console's sessions move to the front doors' staff_sessions table

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 16:30:00.000000

The console is a shared.frontdoor door now: its session rows live in staff_sessions (with the
door's name). The old rows are dropped, not copied: everyone signs in again.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from shared.frontdoor.migrations import create_staff_sessions, drop_staff_sessions

# revision identifiers, used by Alembic.
revision: str = '0014'
down_revision: Union[str, Sequence[str], None] = '0013'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    create_staff_sessions()
    op.drop_index(op.f('ix_console_sessions_subject'), table_name='console_sessions')
    op.drop_table('console_sessions')


def downgrade() -> None:
    """Downgrade schema."""
    stamp = sa.DateTime(timezone=True)
    op.create_table('console_sessions',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('roles', sa.JSON(), nullable=False),
    sa.Column('establishments', sa.JSON(), nullable=False),
    sa.Column('access_token', sa.Text(), nullable=False),
    sa.Column('refresh_token', sa.Text(), nullable=True),
    sa.Column('access_expires_at', stamp, nullable=False),
    sa.Column('created_at', stamp, nullable=False),
    sa.Column('seen_at', stamp, nullable=False),
    sa.Column('checked_at', stamp, nullable=False),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_console_sessions')),
    )
    op.create_index(op.f('ix_console_sessions_subject'), 'console_sessions', ['subject'])
    drop_staff_sessions()
