"""the volunteer's confirmed channels, and when the contacts were last recorded

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 07:00:00.000000

Messages meant for the volunteer go only to a channel the volunteer confirmed (learnt from
application.contacts_recorded); until then they are held. The email may be missing (a volunteer
reached by text only). Recipients learnt before this revision confirmed nothing: their messages
are held until the volunteer confirms.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("recipients") as batch:
        batch.add_column(sa.Column("email_confirmed", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("mobile_confirmed", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("contacts_recorded_at", UTCDateTime(), nullable=True))
        batch.alter_column("email", existing_type=sa.String(254), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE recipients SET email = '' WHERE email IS NULL")
    with op.batch_alter_table("recipients") as batch:
        batch.alter_column("email", existing_type=sa.String(254), nullable=False)
        batch.drop_column("contacts_recorded_at")
        batch.drop_column("mobile_confirmed")
        batch.drop_column("email_confirmed")
