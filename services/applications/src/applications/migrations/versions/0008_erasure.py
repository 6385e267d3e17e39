"""erasure

The erasure tombstones every service keeps (shared.erasure), and the erasure requests with each service's progress.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 18:20:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from shared.audit.migrations import create_erased_subjects, drop_erased_subjects


# revision identifiers, used by Alembic.
revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    create_erased_subjects()
    op.create_table(
        "erasure_requests",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=True),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=True),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure_requests")),
    )
    op.create_index(op.f("ix_erasure_requests_application_id"), "erasure_requests",
                    ["application_id"], unique=False)
    op.create_index(op.f("ix_erasure_requests_organisation_id"), "erasure_requests",
                    ["organisation_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_erasure_requests_organisation_id"), table_name="erasure_requests")
    op.drop_index(op.f("ix_erasure_requests_application_id"), table_name="erasure_requests")
    op.drop_table("erasure_requests")
    drop_erased_subjects()
