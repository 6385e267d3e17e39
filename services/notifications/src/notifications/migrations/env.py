"""Alembic's environment for the notifications database (its tables: notifications.models)."""

from notifications.models import Base
from shared.migrations import run_env

run_env(Base.metadata)
