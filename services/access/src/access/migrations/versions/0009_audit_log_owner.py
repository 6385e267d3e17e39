"""the audit log belongs to an owner role of its own

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 17:10:00.000000

On PostgreSQL, audit_log and its trigger function pass to <database>_audit_owner, and nobody
else keeps a privilege on the table: the service's runtime role gets INSERT and SELECT from
`migrate` (shared.audit.owner.grant_runtime), so it can neither rewrite nor unprotect it.
Nothing changes on SQLite.
"""
from typing import Sequence, Union

from alembic import op

from shared.audit.owner import hand_audit_log_to_owner, return_audit_log_to_current_user

# revision identifiers, used by Alembic.
revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    hand_audit_log_to_owner(op.get_bind())


def downgrade() -> None:
    """Downgrade schema."""
    return_audit_log_to_current_user(op.get_bind())
