"""applications whose sponsorship ended, remembered even before a grant rests on them

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 11:30:00.000000

An organisation's ending of its sponsorship can reach access before the clearance it crossed
(a retried delivery): remembered by application, it keeps that late clearance from opening a
request a prison could approve.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = '0013'
down_revision: Union[str, Sequence[str], None] = '0012'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'ended_sponsorships',
        sa.Column('application_id', sa.String(length=36), nullable=False),
        sa.Column('ended_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('application_id', name=op.f('pk_ended_sponsorships')),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('ended_sponsorships')
