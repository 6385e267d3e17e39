"""Seed the establishments reference data from the packaged CSV.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from shared.reference import load_establishments

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

establishments = sa.table(
    "establishments",
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("nation", sa.String),
    sa.column("high_security", sa.Boolean),
    sa.column("womens_estate", sa.Boolean),
)


def upgrade() -> None:
    op.bulk_insert(establishments, [
        {"code": e.code, "name": e.name, "nation": e.nation, "high_security": e.high_security,
         "womens_estate": e.womens_estate}
        for e in load_establishments().values()
    ])


def downgrade() -> None:
    op.execute(establishments.delete())
