"""Each service's migrations build exactly what its models describe, and undo cleanly."""

from __future__ import annotations

import pytest
from alembic import command

from shared.config import load_settings
from shared.messaging.topology import SERVICES
from shared.migrations import alembic_config, upgrade


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.unmigrated
def test_migrations_match_the_models_and_downgrade(service, backend_env):
    definition = __import__(f"{service}.service", fromlist=["definition"]).definition()
    settings = load_settings(service, backend_env[service])
    config = alembic_config(settings, definition.migrations_dir)
    upgrade(settings, definition.migrations_dir)
    command.check(config)  # raises if the models and the migrated schema differ
    command.downgrade(config, "base")
    upgrade(settings, definition.migrations_dir)
