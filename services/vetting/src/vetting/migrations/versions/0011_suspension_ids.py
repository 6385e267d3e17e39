"""each suspension of a clearance has an id

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 16:50:00.000000

vetting.clearance_suspended carries it and vetting.clearance_reinstated names it, so a
consumer lifts only the suspension a reinstatement is about. A clearance suspended now gets the
id every service's migration gives such a suspension (legacy_suspension_id).
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from shared.events.contracts.vetting import legacy_suspension_id

# revision identifiers, used by Alembic.
revision: str = '0011'
down_revision: Union[str, Sequence[str], None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('clearances') as batch:
        batch.add_column(sa.Column('suspension_id', sa.String(length=36), nullable=True))
    connection = op.get_bind()
    clearances = sa.table('clearances', sa.column('id'), sa.column('status'),
                          sa.column('suspension_id'))
    for (clearance_id,) in connection.execute(
            sa.select(clearances.c.id).where(clearances.c.status == 'SUSPENDED')).all():
        connection.execute(clearances.update().where(clearances.c.id == clearance_id).values(
            suspension_id=legacy_suspension_id(clearance_id)))


def downgrade() -> None:
    """Downgrade schema."""
    # Not a batch: on SQLite that copies the table, and tables referring to it refuse the drop.
    op.drop_column('clearances', 'suspension_id')
