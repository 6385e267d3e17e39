"""checks keep a provider's late answer; a failed-for-good check says so; reports of changes
of circumstances

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 07:00:00.000000

checks.late_answer holds a provider's answer that came after the result was in (a Fernet token,
like the result). A check whose retries were spent was left in ERROR with nothing due; it is
FAILED now, so ERROR means only "failing, retried later". circumstance_reports: each reported
change of circumstances, the officer's review item, and the outcome told to the organisation
that reported it.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = '0015'
down_revision: Union[str, Sequence[str], None] = '0014'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('checks') as batch:
        batch.add_column(sa.Column('late_answer', sa.Text(), nullable=True))
    checks = sa.table('checks', sa.column('status'), sa.column('next_attempt_at'))
    op.execute(checks.update().where(checks.c.status == 'ERROR',
                                     checks.c.next_attempt_at.is_(None))
               .values(status='FAILED'))
    op.create_table(
        'circumstance_reports',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('case_id', sa.String(length=36), nullable=False),
        sa.Column('update_id', sa.Integer(), nullable=True),
        sa.Column('application_id', sa.String(length=36), nullable=False),
        sa.Column('organisation_id', sa.String(length=36), nullable=True),
        sa.Column('clearance_id', sa.String(length=36), nullable=True),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('immediate', sa.Boolean(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('outcome', sa.String(length=30), nullable=False),
        sa.Column('received_at', UTCDateTime(), nullable=False),
        sa.Column('reviewed_at', UTCDateTime(), nullable=True),
        sa.Column('reviewed_by', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['vetting_cases.id'],
                                name=op.f('fk_circumstance_reports_case_id_vetting_cases')),
        sa.ForeignKeyConstraint(['update_id'], ['case_updates.id'],
                                name=op.f('fk_circumstance_reports_update_id_case_updates')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_circumstance_reports')))
    with op.batch_alter_table('circumstance_reports') as batch:
        batch.create_index(batch.f('ix_circumstance_reports_case_id'), ['case_id'])
        batch.create_index(batch.f('ix_circumstance_reports_application_id'),
                           ['application_id'])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('circumstance_reports')
    checks = sa.table('checks', sa.column('status'))
    op.execute(checks.update().where(checks.c.status == 'FAILED').values(status='ERROR'))
    # Not a batch: on SQLite that copies the table, and tables referring to it refuse the drop.
    op.drop_column('checks', 'late_answer')
