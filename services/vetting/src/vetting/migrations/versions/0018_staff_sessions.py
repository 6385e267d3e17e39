"""the front doors' staff_sessions table, for the vetting workbench

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 16:30:00.000000

Staff sign in to the workbench (a shared.frontdoor door) at the identity provider; each sign-in
is a row here until sign-out or time-out.
"""
from typing import Sequence, Union

from shared.frontdoor.migrations import create_staff_sessions, drop_staff_sessions

# revision identifiers, used by Alembic.
revision: str = '0018'
down_revision: Union[str, Sequence[str], None] = '0017'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    create_staff_sessions()


def downgrade() -> None:
    """Downgrade schema."""
    drop_staff_sessions()
