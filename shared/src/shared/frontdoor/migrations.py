"""Alembic helpers for the front doors' session table: each service with a door calls these
from a revision of its own (and its env.py compares FRONT_DOOR_METADATA too)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def create_staff_sessions() -> None:
    stamp = sa.DateTime(timezone=True)
    op.create_table(
        "staff_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("door", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("establishments", sa.JSON(), nullable=False),
        # Fernet tokens (EncryptedText).
        sa.Column("access_token", sa.Text(), nullable=False),
        sa.Column("refresh_token", sa.Text(), nullable=True),
        sa.Column("access_expires_at", stamp, nullable=False),
        sa.Column("created_at", stamp, nullable=False),
        sa.Column("seen_at", stamp, nullable=False),
        sa.Column("checked_at", stamp, nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_staff_sessions")),
    )
    op.create_index("ix_staff_sessions_subject", "staff_sessions", ["subject"])


def drop_staff_sessions() -> None:
    op.drop_index("ix_staff_sessions_subject", table_name="staff_sessions")
    op.drop_table("staff_sessions")
