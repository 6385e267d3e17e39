"""the applications each grant rests on

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 15:10:00.000000

A grant (one person at one establishment) may be asked for by several organisations'
applications; an organisation's erasure ends it only when none of the others asks for it.
Existing grants start with the application that opened them.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('grant_applications',
    sa.Column('grant_id', sa.String(length=36), nullable=False),
    sa.Column('application_id', sa.String(length=36), nullable=False),
    sa.Column('added_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['grant_id'], ['grants.id'], name=op.f('fk_grant_applications_grant_id_grants')),
    sa.PrimaryKeyConstraint('grant_id', 'application_id', name=op.f('pk_grant_applications')),
    )
    op.create_index(op.f('ix_grant_applications_application_id'), 'grant_applications', ['application_id'])
    op.execute("INSERT INTO grant_applications (grant_id, application_id, added_at) "
               "SELECT id, application_id, opened_at FROM grants")


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f('ix_grant_applications_application_id'), table_name='grant_applications')
    op.drop_table('grant_applications')
