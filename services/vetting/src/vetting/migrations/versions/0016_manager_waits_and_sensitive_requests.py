"""a manager is a party the queue waits on; information requests say whether they are sensitive

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 10:45:00.000000

vetting_cases.waiting_on: a case waiting for a countersignature (REFUSAL_PENDING,
CLEARANCE_PENDING), or a decision waiting for a manager to acknowledge the person's history,
waited on OFFICER; it waits on MANAGER now. The spell in progress keeps its start: it was a
manager's wait all along. information_requests.sensitive: whether the request went to the
volunteer alone; NULL for requests made before this was kept (not known).
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0016'
down_revision: Union[str, Sequence[str], None] = '0015'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

COUNTERSIGNATURE = ('REFUSAL_PENDING', 'CLEARANCE_PENDING')
DECIDABLE = ('AWAITING_DECISION', 'RECONSIDERATION')

cases = sa.table('vetting_cases', sa.column('id', sa.String), sa.column('status', sa.String),
                 sa.column('waiting_on', sa.String), sa.column('identity_status', sa.String),
                 sa.column('history', sa.JSON), sa.column('history_acknowledged', sa.JSON),
                 sa.column('waited_s', sa.JSON))


def _history_pending(history, acknowledged) -> bool:
    # As vetting.service_layer.case_moves.history_pending (a copy: migrations do not import the
    # code that may change after them).
    seen = set((acknowledged or {}).get('keys') or ())
    return any(f"{flag['kind']}:{flag['ref']}" not in seen for flag in history or ())


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('information_requests') as batch:
        batch.add_column(sa.Column('sensitive', sa.Boolean(), nullable=True))
    op.execute(cases.update().where(cases.c.status.in_(COUNTERSIGNATURE),
                                    cases.c.waiting_on == 'OFFICER')
               .values(waiting_on='MANAGER'))
    connection = op.get_bind()
    flagged = [row.id for row in connection.execute(
        sa.select(cases.c.id, cases.c.identity_status, cases.c.history,
                  cases.c.history_acknowledged).where(
            cases.c.status.in_(DECIDABLE), cases.c.waiting_on == 'OFFICER'))
        if row.identity_status != 'POSSIBLE_MATCH'
        and _history_pending(row.history, row.history_acknowledged)]
    for start in range(0, len(flagged), 500):
        op.execute(cases.update().where(cases.c.id.in_(flagged[start:start + 500]))
                   .values(waiting_on='MANAGER'))


def downgrade() -> None:
    """Downgrade schema."""
    op.execute(cases.update().where(cases.c.waiting_on == 'MANAGER')
               .values(waiting_on='OFFICER'))
    # The older code refuses totals naming a party it does not know: a manager's seconds
    # count as an officer's there, as they did before.
    connection = op.get_bind()
    for row in list(connection.execute(sa.select(cases.c.id, cases.c.waited_s))):
        totals = dict(row.waited_s or {})
        if 'MANAGER' in totals:
            totals['OFFICER'] = totals.get('OFFICER', 0.0) + totals.pop('MANAGER')
            op.execute(cases.update().where(cases.c.id == row.id).values(waited_s=totals))
    # Not a batch: on SQLite that copies the table, and tables referring to it refuse the drop.
    op.drop_column('information_requests', 'sensitive')
