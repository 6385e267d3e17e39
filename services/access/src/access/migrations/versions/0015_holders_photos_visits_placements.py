"""a prison's daily work: names to search, badges as typed, photos, the on-site register,
what each application asks the volunteer to do, and exclusion reviews announced once

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 04:40:00.000000

Grants keep their name folded for search (accents and case dropped) and badge numbers in one
form (upper case, no surrounding spaces), so a badge typed in lower case at the gate is found.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from access.domain.people import normalise_badge, search_name
from shared.db import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = '0015'
down_revision: Union[str, Sequence[str], None] = '0014'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

OPEN = "signed_out_at IS NULL"


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('grants') as batch:
        batch.add_column(sa.Column('search_name', sa.String(length=400), nullable=True))
        batch.add_column(sa.Column('review_due_announced_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('declared_connection', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    op.create_index('ix_grants_search_name', 'grants', ['establishment_code', 'search_name'])
    op.create_index('ix_grants_valid_until', 'grants', ['establishment_code', 'valid_until'])
    _fold_names_and_badges()
    op.create_table(
        'photos',
        sa.Column('grant_id', sa.String(length=36), nullable=False),
        sa.Column('person_id', sa.String(length=36), nullable=False),
        sa.Column('establishment_code', sa.String(length=4), nullable=False),
        sa.Column('image', sa.Text(), nullable=False),
        sa.Column('content_type', sa.String(length=20), nullable=False),
        sa.Column('taken_at', UTCDateTime(), nullable=False),
        sa.Column('taken_by', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['grant_id'], ['grants.id'],
                                name=op.f('fk_photos_grant_id_grants')),
        sa.PrimaryKeyConstraint('grant_id', name=op.f('pk_photos')),
    )
    op.create_index(op.f('ix_photos_person_id'), 'photos', ['person_id'])
    op.create_table(
        'visits',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('establishment_code', sa.String(length=4), nullable=False),
        sa.Column('person_id', sa.String(length=36), nullable=False),
        sa.Column('grant_id', sa.String(length=36), nullable=False),
        sa.Column('signed_in_at', UTCDateTime(), nullable=False),
        sa.Column('signed_in_by', sa.String(length=200), nullable=False),
        sa.Column('signed_out_at', UTCDateTime(), nullable=True),
        sa.Column('signed_out_by', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(['grant_id'], ['grants.id'],
                                name=op.f('fk_visits_grant_id_grants')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_visits')),
    )
    op.create_index('uq_visits_open_person', 'visits', ['establishment_code', 'person_id'],
                    unique=True, sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
    op.create_index('ix_visits_establishment_in', 'visits',
                    ['establishment_code', 'signed_in_at'])
    op.create_index(op.f('ix_visits_person_id'), 'visits', ['person_id'])
    op.create_index(op.f('ix_visits_grant_id'), 'visits', ['grant_id'])
    op.create_table(
        'application_placements',
        sa.Column('application_id', sa.String(length=36), nullable=False),
        sa.Column('organisation_id', sa.String(length=36), nullable=False),
        sa.Column('organisation_name', sa.Text(), nullable=False),
        sa.Column('role', sa.String(length=30), nullable=False),
        sa.Column('group_name', sa.Text(), nullable=True),
        sa.Column('area', sa.Text(), nullable=True),
        sa.Column('recorded_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('application_id', name=op.f('pk_application_placements')),
    )
    op.create_index(op.f('ix_application_placements_organisation_id'),
                    'application_placements', ['organisation_id'])


def _fold_names_and_badges() -> None:
    connection = op.get_bind()
    grants = sa.table('grants', sa.column('id'), sa.column('forenames'), sa.column('surname'),
                      sa.column('badge_number'), sa.column('search_name'))
    rows = connection.execute(sa.select(grants.c.id, grants.c.forenames, grants.c.surname,
                                        grants.c.badge_number)).all()
    for grant_id, forenames, surname, badge in rows:
        connection.execute(grants.update().where(grants.c.id == grant_id).values(
            search_name=search_name(forenames, surname), badge_number=normalise_badge(badge)))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f('ix_application_placements_organisation_id'),
                  table_name='application_placements')
    op.drop_table('application_placements')
    op.drop_index(op.f('ix_visits_grant_id'), table_name='visits')
    op.drop_index(op.f('ix_visits_person_id'), table_name='visits')
    op.drop_index('ix_visits_establishment_in', table_name='visits')
    op.drop_index('uq_visits_open_person', table_name='visits')
    op.drop_table('visits')
    op.drop_index(op.f('ix_photos_person_id'), table_name='photos')
    op.drop_table('photos')
    op.drop_index('ix_grants_valid_until', table_name='grants')
    op.drop_index('ix_grants_search_name', table_name='grants')
    with op.batch_alter_table('grants') as batch:
        batch.drop_column('declared_connection')
        batch.drop_column('review_due_announced_on')
        batch.drop_column('search_name')
