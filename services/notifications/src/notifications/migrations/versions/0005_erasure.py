"""erasure

The erasure tombstones every service keeps (shared.erasure).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 18:20:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from shared.audit.migrations import create_erased_subjects, drop_erased_subjects


# revision identifiers, used by Alembic.
revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    create_erased_subjects()


def downgrade() -> None:
    """Downgrade schema."""
    drop_erased_subjects()
