"""who holds access here, by name: an index in the list's own order; names searched by trigram

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 14:15:00.000000

An establishment's current grants by surname, forenames and id (the list's default order, its
ties broken by id): the first page is read from the index in order, at any size, never sorted.

Finding a person by name asks for each word at the start of a word of the folded name
(`LIKE 'zoe%' OR LIKE '% zoe%'`), which no b-tree can answer: on PostgreSQL a trigram index
(pg_trgm, a trusted extension: the database's owner may create it) finds the few names that
can match without reading every grant of the establishment. SQLite gets a plain index of the
same name (its embedded mode is for development, at development sizes).
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0016'
down_revision: Union[str, Sequence[str], None] = '0015'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

CURRENT = "superseded_at IS NULL"


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index('ix_grants_current_by_name', 'grants',
                    ['establishment_code', 'surname', 'forenames', 'id'],
                    sqlite_where=sa.text(CURRENT), postgresql_where=sa.text(CURRENT))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    op.create_index('ix_grants_search_name_trgm', 'grants', ['search_name'],
                    postgresql_using='gin', postgresql_ops={'search_name': 'gin_trgm_ops'})


def downgrade() -> None:
    """Downgrade schema."""
    # pg_trgm stays: dropping an extension is the database owner's decision, not a service's.
    op.drop_index('ix_grants_search_name_trgm', table_name='grants')
    op.drop_index('ix_grants_current_by_name', table_name='grants')
