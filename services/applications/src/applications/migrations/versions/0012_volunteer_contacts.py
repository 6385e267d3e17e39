"""the volunteer's confirmed channels and opt-outs, and the confirmations sent to them

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 07:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = '0012'
down_revision: Union[str, Sequence[str], None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_status', sa.JSON(), nullable=True))
    op.create_table(
        "contact_confirmations",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("channel", sa.String(length=5), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"],
                                name=op.f("fk_contact_confirmations_application_id_applications")),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_contact_confirmations")),
    )
    op.create_index(op.f("ix_contact_confirmations_application_id"), "contact_confirmations",
                    ["application_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_contact_confirmations_application_id"),
                  table_name="contact_confirmations")
    op.drop_table("contact_confirmations")
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_column('contact_status')
