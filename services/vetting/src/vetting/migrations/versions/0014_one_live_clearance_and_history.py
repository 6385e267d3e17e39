"""one live clearance per person; a case's history and its acknowledgement; prisons' decisions

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 06:40:00.000000

A partial unique index on clearances(person_id) over ACTIVE and SUSPENDED rows. Where a person
already has several live clearances (a renewal that superseded nothing), every one but the
latest issued is marked SUPERSEDED first: the latest is the one the person was last vetted for.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from shared.db import BigId, UTCDateTime

# revision identifiers, used by Alembic.
revision: str = '0014'
down_revision: Union[str, Sequence[str], None] = '0013'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

LIVE = "status IN ('ACTIVE', 'SUSPENDED')"


def _supersede_extra_live_clearances() -> None:
    connection = op.get_bind()
    clearances = sa.table('clearances', sa.column('id'), sa.column('person_id'),
                          sa.column('status'), sa.column('issued_at'))
    rows = connection.execute(sa.select(clearances.c.id, clearances.c.person_id).where(
        clearances.c.status.in_(('ACTIVE', 'SUSPENDED'))).order_by(
        clearances.c.person_id, clearances.c.issued_at.desc(), clearances.c.id)).all()
    seen: set[str] = set()
    for clearance_id, person_id in rows:
        if person_id in seen:
            connection.execute(clearances.update().where(clearances.c.id == clearance_id)
                               .values(status='SUPERSEDED'))
        seen.add(person_id)


def upgrade() -> None:
    """Upgrade schema."""
    _supersede_extra_live_clearances()
    op.create_index('uq_clearances_one_live_per_person', 'clearances', ['person_id'],
                    unique=True, sqlite_where=sa.text(LIVE), postgresql_where=sa.text(LIVE))
    with op.batch_alter_table('vetting_cases') as batch:
        batch.add_column(sa.Column('history', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('history_acknowledged', sa.JSON(), nullable=True))
    op.create_table(
        'prison_decisions',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('person_id', sa.String(length=36), nullable=False),
        sa.Column('grant_id', sa.String(length=36), nullable=False),
        sa.Column('application_id', sa.String(length=36), nullable=False),
        sa.Column('establishment_code', sa.String(length=10), nullable=False),
        sa.Column('decision', sa.String(length=20), nullable=False),
        sa.Column('decided_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_prison_decisions')),
        sa.UniqueConstraint('grant_id', 'decision',
                            name=op.f('uq_prison_decisions_grant_id')))
    op.create_index(op.f('ix_prison_decisions_person_id'), 'prison_decisions', ['person_id'])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f('ix_prison_decisions_person_id'), table_name='prison_decisions')
    op.drop_table('prison_decisions')
    # Not a batch: on SQLite that copies the table, and tables referring to it refuse the drop.
    op.drop_column('vetting_cases', 'history_acknowledged')
    op.drop_column('vetting_cases', 'history')
    op.drop_index('uq_clearances_one_live_per_person', table_name='clearances')
