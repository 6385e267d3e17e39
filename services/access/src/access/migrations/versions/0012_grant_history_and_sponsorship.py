"""closed grants kept as history; when a clearance was issued; sponsorships that ended

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 06:40:00.000000

A closed grant (refused, revoked, excluded, ended) is no longer reopened by a later clearance:
it is marked superseded and a new row opens beside it. So a person has one *current* grant per
establishment (and a badge one current holder): the unique constraints become partial unique
indexes over rows not superseded. Grants remember when their clearance was issued (news of an
older clearance is ignored), and an application's link to a grant when its organisation ended
its sponsorship. A grant's copy of the clearance's conditions keeps an exclusion only if it
names the grant's own establishment (others are withheld: "other conditions apply").
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = '0012'
down_revision: Union[str, Sequence[str], None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

CURRENT = "superseded_at IS NULL"
EXCLUDE = "EXCLUDE_ESTABLISHMENT:"


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('grants') as batch:
        batch.add_column(sa.Column('clearance_issued_at', UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('superseded_at', UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('clearance_conditions_withheld', sa.Boolean(),
                                   nullable=False, server_default=sa.false()))
        batch.drop_constraint('uq_grants_person', type_='unique')
        batch.drop_constraint('uq_grants_badge', type_='unique')
    op.create_index('uq_grants_current_person', 'grants', ['establishment_code', 'person_id'],
                    unique=True, sqlite_where=sa.text(CURRENT),
                    postgresql_where=sa.text(CURRENT))
    op.create_index('uq_grants_current_badge', 'grants', ['establishment_code', 'badge_number'],
                    unique=True, sqlite_where=sa.text(CURRENT),
                    postgresql_where=sa.text(CURRENT))
    with op.batch_alter_table('grant_applications') as batch:
        batch.add_column(sa.Column('sponsorship_ended_at', UTCDateTime(), nullable=True))
    _withhold_other_establishments_exclusions()


def _withhold_other_establishments_exclusions() -> None:
    """An exclusion naming another establishment is that one's business alone: copies made
    before this revision lose it (and say that other conditions apply)."""
    connection = op.get_bind()
    grants = sa.table('grants', sa.column('id'), sa.column('establishment_code'),
                      sa.column('clearance_conditions', sa.JSON()),
                      sa.column('clearance_conditions_withheld', sa.Boolean()))
    for grant_id, code, conditions in connection.execute(sa.select(
            grants.c.id, grants.c.establishment_code, grants.c.clearance_conditions)).all():
        shown = [c for c in conditions or [] if not c.startswith(EXCLUDE)
                 or c.removeprefix(EXCLUDE) == code]
        if len(shown) != len(conditions or []):
            connection.execute(grants.update().where(grants.c.id == grant_id).values(
                clearance_conditions=shown, clearance_conditions_withheld=True))


def downgrade() -> None:
    """Downgrade schema: the history rows go (only the current grant fits the old shape)."""
    with op.batch_alter_table('grant_applications') as batch:
        batch.drop_column('sponsorship_ended_at')
    connection = op.get_bind()
    grants = sa.table('grants', sa.column('id'), sa.column('superseded_at'))
    old = sa.select(grants.c.id).where(grants.c.superseded_at.is_not(None))
    for table in ('grant_applications', 'review_items'):
        linked = sa.table(table, sa.column('grant_id'))
        connection.execute(linked.delete().where(linked.c.grant_id.in_(old)))
    connection.execute(grants.delete().where(grants.c.superseded_at.is_not(None)))
    op.drop_index('uq_grants_current_badge', table_name='grants')
    op.drop_index('uq_grants_current_person', table_name='grants')
    with op.batch_alter_table('grants') as batch:
        batch.create_unique_constraint('uq_grants_person', ['establishment_code', 'person_id'])
        batch.create_unique_constraint('uq_grants_badge', ['establishment_code', 'badge_number'])
        batch.drop_column('clearance_conditions_withheld')
        batch.drop_column('superseded_at')
        batch.drop_column('clearance_issued_at')
