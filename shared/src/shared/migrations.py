"""Alembic, once: each service keeps its own migration scripts and calls these."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData

from shared.config import Settings
from shared.db import PLATFORM_METADATA, UTCDateTime, make_engine


def alembic_config(settings: Settings, migrations_dir: Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", settings.database_url.replace("%", "%%"))
    config.attributes["database_url"] = settings.database_url
    return config


def upgrade(settings: Settings, migrations_dir: Path, revision: str = "head") -> None:
    command.upgrade(alembic_config(settings, migrations_dir), revision)


def run_env(service_metadata: MetaData) -> None:
    """The body of every service's `env.py` (online mode only: we always have a database)."""
    url = context.config.attributes.get("database_url") or context.config.get_main_option(
        "sqlalchemy.url"
    )
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=[service_metadata, PLATFORM_METADATA],
            render_as_batch=True,  # SQLite alters tables by copy
            compare_type=True,
            render_item=_render_item,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def _render_item(type_: str, obj: Any, _autogen_context: Any) -> str | bool:
    # Migrations stay plain SQLAlchemy: the UTC handling is Python-side only.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False
