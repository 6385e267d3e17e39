"""What the retention tests of every service share: the recognisable values seeded, the
run itself (by the use case or the CLI) and ways to look at what is left."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from click.testing import CliRunner
from sqlalchemy import func, insert, inspect, select, text, update

from shared import retention
from shared.audit.log import audit_log_table
from shared.cli import make_cli
from shared.crypto.at_rest import Keyring, keyring_from_settings
from shared.db import dead_letters_table, outbox_table
from shared.platform import Platform
from tests.support.clock import iso_now, now
from tests.support.deployment_secrets import secrets_of

OFFENCE = "Retention-Offence-QX4"
CONNECTION = "Retention-Connection-ZP8"
QUESTION = "Retention-Question-KW2: tell us about the caution"
ANSWER = "Retention-Answer-MN5"
REASON = "Retention-Refusal-Reason-JH3"
NOTE = "Retention-Countersign-Note-VB7"
GROUNDS = "Retention-Grounds-LC6"
UPHELD = "Retention-Upheld-Reason-RT9"
WITHDRAWAL = "Retention-Withdrawal-TT1"
GRANT_REASON = "Retention-Grant-Reason-HY5"
CHECK_SENTINELS = (OFFENCE, CONNECTION, QUESTION, ANSWER, REASON, NOTE, GROUNDS, UPHELD)


def later(days: int) -> datetime:
    return now() + timedelta(days=days)


SIX_MONTHS_ON = 7 * 31  # days: past the 6-month cutoff, short of the 12-month one
TWELVE_MONTHS_ON = 13 * 31


def purge(platform: Platform, purges: Any, at: datetime, **kwargs: Any) -> dict[str, int]:
    return retention.run(
        platform.session_factory, platform.settings, purges, at, clock=platform.clock, **kwargs
    )


def with_env(platform: Platform, **extra: str) -> Any:
    """The platform's settings with more RETENTION_* settings."""
    return platform.settings.with_overrides(extra={**platform.settings.extra, **extra})


def zeros(counts: dict[str, int]) -> bool:
    return not any(counts.values())


def cli_run(service: str, env: dict[str, str], *args: str) -> dict[str, int]:
    module = __import__(f"{service}.service", fromlist=["definition"])
    result = CliRunner().invoke(
        make_cli(module.definition(), "x"), ["retention", "run", *args], env=env
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


def raw(platform: Platform) -> str:
    """Every row of every table (bar the audit log's), as plain SQL returns it, with encrypted
    values opened with the service's keys: what a search of the database with the keys finds,
    so a purged value must be gone, not merely encrypted."""
    keyring = keyring_from_settings(platform.settings)
    with platform.engine.connect() as conn:
        names = [t for t in inspect(conn).get_table_names() if not t.startswith("audit")]
        return repr(
            [
                [
                    tuple(_opened(value, keyring) for value in row)
                    for row in conn.execute(text(f'SELECT * FROM "{t}"'))
                ]
                for t in names
            ]
        )


def _opened(value: Any, keyring: Keyring) -> Any:
    if isinstance(value, str) and value.startswith("gAAAAA"):  # a Fernet token
        return keyring.decrypt(value)
    return value


def publish_outbox(platform: Platform, at: datetime | None = None) -> int:
    """What the relay does: mark every outbox row published."""
    with platform.engine.begin() as conn:
        return conn.execute(
            update(outbox_table)
            .where(outbox_table.c.published_at.is_(None))
            .values(published_at=at or now())
        ).rowcount


def count(platform: Platform, table: Any, *where: Any) -> int:
    with platform.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def audited(platform: Platform, action: str) -> list[dict[str, Any]]:
    with platform.engine.connect() as conn:
        rows = conn.execute(
            select(audit_log_table)
            .where(audit_log_table.c.action == action)
            .order_by(audit_log_table.c.id)
        ).all()
    return [dict(row._mapping) for row in rows]


def add_dead_letter(platform: Platform, replayed_at: datetime | None, body: str) -> None:
    with platform.engine.begin() as conn:
        conn.execute(
            insert(dead_letters_table).values(
                event_id=str(uuid.uuid4()),
                event_type="application.submitted",
                handler="h",
                body=body,
                error="boom",
                attempts=5,
                created_at=now() - timedelta(days=90),
                replayed_at=replayed_at,
            )
        )


def failing_on(call: int, purge_: retention.Purge) -> retention.Purge:
    """The purge, failing (as a killed process would stop) on its `call`th subject."""
    calls = []

    def purge_or_stop(session: Any, row: Any) -> dict[str, Any]:
        calls.append(row.id)
        if len(calls) == call:
            raise KeyboardInterrupt
        return purge_.purge(session, row)

    return dataclasses.replace(purge_, purge=purge_or_stop)


def dump(view: Any) -> str:
    return json.dumps(view, default=str)


def env_of(platform: Platform, **more: str) -> dict[str, str]:
    """The environment a `python -m <service>` process would need for this platform."""
    return {
        **platform.settings.extra,
        **secrets_of(platform.settings),
        "DATABASE_URL": platform.settings.database_url,
        "VAR_DIR": str(platform.settings.var_dir),
        **more,
    }


def now_iso() -> str:
    return iso_now()
