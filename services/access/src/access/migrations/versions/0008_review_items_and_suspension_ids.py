"""review items, and the suspension a grant's clearance is under

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 16:50:00.000000

News from vetting that would change who a grant is for waits in review_items for the security
team. A reinstatement lifts only the suspension it names: grants whose clearance is suspended
now get the id vetting's own migration gives such a suspension (legacy_suspension_id).
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime
from shared.events.contracts.vetting import legacy_suspension_id

# revision identifiers, used by Alembic.
revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('grants') as batch:
        batch.add_column(sa.Column('clearance_suspension_id', sa.String(length=36), nullable=True))
    connection = op.get_bind()
    grants = sa.table('grants', sa.column('id'), sa.column('clearance_id'),
                      sa.column('clearance_status'), sa.column('clearance_suspension_id'))
    for grant_id, clearance_id in connection.execute(
            sa.select(grants.c.id, grants.c.clearance_id)
            .where(grants.c.clearance_status == 'SUSPENDED')).all():
        connection.execute(grants.update().where(grants.c.id == grant_id).values(
            clearance_suspension_id=legacy_suspension_id(clearance_id)))
    op.create_table('review_items',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('establishment_code', sa.String(length=4), nullable=False),
    sa.Column('grant_id', sa.String(length=36), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('event_type', sa.String(length=60), nullable=False),
    sa.Column('recorded', sa.JSON(), nullable=False),
    sa.Column('proposed', sa.JSON(), nullable=False),
    sa.Column('event_data', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('opened_at', UTCDateTime(), nullable=False),
    sa.Column('resolved_at', UTCDateTime(), nullable=True),
    sa.Column('resolved_by', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['grant_id'], ['grants.id'], name=op.f('fk_review_items_grant_id_grants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_items')),
    )
    op.create_index('ix_review_items_open', 'review_items',
                    ['establishment_code', 'status', 'opened_at', 'id'])
    op.create_index(op.f('ix_review_items_grant_id'), 'review_items', ['grant_id'])
    op.create_index(op.f('ix_review_items_person_id'), 'review_items', ['person_id'])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f('ix_review_items_person_id'), table_name='review_items')
    op.drop_index(op.f('ix_review_items_grant_id'), table_name='review_items')
    op.drop_index('ix_review_items_open', table_name='review_items')
    op.drop_table('review_items')
    # Not a batch: on SQLite that copies the table, and tables referring to it refuse the drop.
    op.drop_column('grants', 'clearance_suspension_id')
