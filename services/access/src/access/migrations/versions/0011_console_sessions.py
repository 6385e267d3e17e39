"""console sessions held on the server; local console accounts go

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 17:00:00.000000

Staff sign in to the console at the identity provider (OpenID Connect): the console keeps a
session row per sign-in (signing out deletes it) and no longer has accounts or passwords of
its own. A downgrade brings back an empty accounts table.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = '0011'
down_revision: Union[str, Sequence[str], None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('console_sessions',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('roles', sa.JSON(), nullable=False),
    sa.Column('establishments', sa.JSON(), nullable=False),
    sa.Column('access_token', sa.Text(), nullable=False),
    sa.Column('refresh_token', sa.Text(), nullable=True),
    sa.Column('access_expires_at', UTCDateTime(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('seen_at', UTCDateTime(), nullable=False),
    sa.Column('checked_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_console_sessions')),
    )
    op.create_index(op.f('ix_console_sessions_subject'), 'console_sessions', ['subject'])
    op.drop_table('staff_accounts')


def downgrade() -> None:
    """Downgrade schema."""
    op.create_table('staff_accounts',
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=300), nullable=False),
    sa.Column('roles', sa.JSON(), nullable=False),
    sa.Column('establishments', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('username', name=op.f('pk_staff_accounts'))
    )
    op.drop_index(op.f('ix_console_sessions_subject'), table_name='console_sessions')
    op.drop_table('console_sessions')
