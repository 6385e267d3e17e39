"""Special-category fields are encrypted at rest on PostgreSQL: the raw rows hold no plaintext,
the APIs still show it, existing rows are encrypted by the migration, and `keys rotate` moves
every value to a new key, resumably."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime

import psycopg
import pytest
from alembic import command
from click.testing import CliRunner
from cryptography.fernet import Fernet
from sqlalchemy import select

from applications.examples import sample_application
from applications.models import Application, Organisation
from applications.service import definition as applications_definition
from applications.service_layer import organisations
from shared import crypto
from shared.cli import make_cli
from shared.config import load_settings
from shared.keys import rotate
from shared.migrations import alembic_config, upgrade
from shared.web import create_web_app
from tests.integration.helpers import platform_for
from tests.integration.vetting_harness import Vetting
from vetting.models import Check
from vetting.service import definition as vetting_definition

OFFENCE, CONNECTION, FELLOWSHIP = "Sentinel-Offence-XQ7", "Sentinel-Connection-ZK9", "NA"
KEY_A, KEY_B = Fernet.generate_key().decode(), Fernet.generate_key().decode()
# Event bodies (outbox, dead letters) are not encrypted yet: see the README.
NOT_YET_ENCRYPTED = {"outbox", "dead_letters"}


def raw_text(database_url: str) -> str:
    """Every row of every table but the event tables, as plain SQL returns it."""
    rows = []
    with psycopg.connect(database_url) as conn:
        tables = [t for (t,) in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        for table in set(tables) - NOT_YET_ENCRYPTED:
            rows += conn.execute(f'SELECT * FROM "{table}"').fetchall()
    return repr(rows)


def sentinel_details() -> dict:
    return {"declarations": {"convictions": [{"kind": "CONVICTION", "offence": OFFENCE,
                                              "date": "2010-01-01", "disposal": "FINE"}],
                             "on_licence": False, "release_date": None},
            "connections": [{"name": CONNECTION, "relationship": "Brother",
                             "establishment": "WWI"}]}


def test_no_plaintext_in_the_applications_database(real_env):
    env = real_env["applications"]
    platform = platform_for("applications", env)
    client = create_web_app(applications_definition(), platform).test_client()
    with platform.unit_of_work() as uow:
        org = organisations.create_organisation(uow, "Org A", FELLOWSHIP, "c@example.org")
    with platform.unit_of_work() as uow:
        key = organisations.issue_api_key(uow, org.id, platform.settings.api_key_pepper)
    body = sample_application("s@example.org")
    body["applicant"].update(sentinel_details())
    auth = {"Authorization": f"Bearer {key}"}
    created = client.post("/applications", json=body, headers=auth)
    assert created.status_code == 201, created.json
    shown = client.get(f"/applications/{created.json['id']}", headers=auth).json
    assert OFFENCE in json.dumps(shown) and CONNECTION in json.dumps(shown)
    with platform.session_factory() as session:
        assert session.get(Organisation, org.id).fellowship == FELLOWSHIP
    raw = raw_text(env["DATABASE_URL"])
    assert "Org A" in raw  # the raw read works; what is special category is not there:
    for secret in (OFFENCE, CONNECTION, "'NA'", "Canal Street", "Hughes"):
        assert secret not in raw
    platform.engine.dispose()


def seed_vetting(env: dict) -> tuple[Vetting, str]:
    vetting = Vetting(env)
    application_id = vetting.submit(details=sentinel_details())
    vetting.work()
    return vetting, application_id


def test_no_plaintext_in_the_vetting_database(real_env):
    env = real_env["vetting"]
    vetting, application_id = seed_vetting(env)
    case = vetting.case(application_id)
    assert OFFENCE in json.dumps(case) and CONNECTION in json.dumps(case)
    with vetting.platform.session_factory() as session:
        results = json.dumps(session.execute(select(Check.result)).scalars().all())
    assert OFFENCE in results and CONNECTION in results  # check result details
    raw = raw_text(env["DATABASE_URL"])
    assert application_id in raw
    for secret in (OFFENCE, CONNECTION, "Canal Street", "Hughes"):
        assert secret not in raw
    vetting.platform.engine.dispose()


def test_the_migration_encrypts_existing_rows_and_the_downgrade_decrypts_them(real_env):
    env = real_env["applications"]
    settings = load_settings("applications", env)
    migrations = applications_definition().migrations_dir
    upgrade(settings, migrations, "0005")
    now = datetime.now(UTC)
    with psycopg.connect(env["DATABASE_URL"]) as conn:
        for n in range(3):
            conn.execute("INSERT INTO organisations VALUES (%s, %s, %s, %s, %s)",
                         (f"org-{n}", f"Org {n}", FELLOWSHIP, "c@example.org", now))
            conn.execute(
                "INSERT INTO applications (id, organisation_id, status, applicant, "
                "establishments, created_at, updated_at) VALUES (%s, %s, 'DRAFT', %s, '[]', "
                "%s, %s)", (f"app-{n}", f"org-{n}", json.dumps({"n": n, "o": OFFENCE}), now,
                            now))
    upgrade(settings, migrations)
    assert OFFENCE not in raw_text(env["DATABASE_URL"])
    platform = platform_for("applications", env)
    with platform.session_factory() as session:
        assert session.get(Organisation, "org-2").fellowship == FELLOWSHIP
        assert session.get(Application, "app-1").applicant == {"n": 1, "o": OFFENCE}
    platform.engine.dispose()
    upgrade(settings, migrations)  # at head already: nothing to do
    command.downgrade(alembic_config(settings, migrations), "0005")
    with psycopg.connect(env["DATABASE_URL"]) as conn:
        assert conn.execute("SELECT applicant->>'o', fellowship FROM applications JOIN "
                            "organisations o ON o.id = organisation_id WHERE applications.id "
                            "= 'app-0'").fetchone() == (OFFENCE, FELLOWSHIP)


def raw_tokens(database_url: str) -> list[str]:
    tables = crypto.encrypted_columns(vetting_definition().metadata)
    tokens = []
    with psycopg.connect(database_url) as conn:
        for table, names in tables:
            for row in conn.execute(f"SELECT {', '.join(names)} FROM {table.name}"):
                tokens += [value for value in row if value is not None]
    return tokens


def test_keys_rotate_moves_everything_to_the_new_key_and_resumes_after_interruption(real_env):
    env_a = {**real_env["vetting"], "DATA_ENCRYPTION_KEYS": KEY_A}
    vetting, application_id = seed_vetting(env_a)
    vetting.submit(details=sentinel_details())
    before = vetting.case(application_id)
    vetting.platform.engine.dispose()
    tokens = raw_tokens(env_a["DATABASE_URL"])
    assert len(tokens) > 4 and all(Fernet(KEY_A).decrypt(t.encode()) for t in tokens)

    # Interrupted: B is the new primary, A still opens the old values; it stops after batch 3.
    env_ba = {**env_a, "DATA_ENCRYPTION_KEYS": f"{KEY_B},{KEY_A}"}
    platform = platform_for("vetting", env_ba)
    tables = crypto.encrypted_columns(vetting_definition().metadata)
    batches = []

    def interrupt(table: str, rows: int) -> None:
        batches.append(table)
        if len(batches) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rotate(platform.engine, tables, crypto.keyring_from_settings(platform.settings),
               batch_size=1, after_batch=interrupt)
    platform.engine.dispose()
    moved = [t for t in raw_tokens(env_a["DATABASE_URL"]) if _opens(KEY_B, t)]
    assert 0 < len(moved) < len(tokens)

    # Run again from the command line: it finishes, skipping what the first run did.
    cli, runner = make_cli(vetting_definition(), "x"), CliRunner()
    result = runner.invoke(cli, ["keys", "rotate", "--batch-size", "2"], env=env_ba)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["rotated"] == len(tokens) - len(moved)
    assert report["already_current"] == len(moved) and report["unreadable"] == 0
    again = runner.invoke(cli, ["keys", "rotate"], env=env_ba).stdout.splitlines()[-1]
    again = json.loads(again)
    assert again["rotated"] == 0 and again["already_current"] == len(tokens)

    # B alone now reads everything, and each value is encrypted once (no token in a token).
    for token in raw_tokens(env_a["DATABASE_URL"]):
        plaintext = Fernet(KEY_B).decrypt(token.encode()).decode()
        assert not _opens(KEY_B, plaintext) and not _opens(KEY_A, plaintext)
    only_b = Vetting({**env_a, "DATA_ENCRYPTION_KEYS": KEY_B})
    assert without_clock(only_b.case(application_id)) == without_clock(before)
    only_b.platform.engine.dispose()


def without_clock(case: dict) -> dict:
    return {k: v for k, v in case.items() if k not in ("age_s", "waited_s")}


def test_keys_generate_prints_a_usable_key():
    cli = make_cli(vetting_definition(), "x")
    key = CliRunner().invoke(cli, ["keys", "generate"]).stdout.strip()
    assert Fernet(key).decrypt(Fernet(key).encrypt(b"x")) == b"x"


def _opens(key: str, token: str) -> bool:
    try:
        Fernet(key).decrypt(token.encode())
    except Exception:  # noqa: BLE001 - any failure: not a token of this key
        return False
    return True


def test_the_migration_encrypts_existing_rows_on_sqlite_too(embedded):
    env = embedded["applications"]
    settings = load_settings("applications", env)
    migrations = applications_definition().migrations_dir
    upgrade(settings, migrations, "0005")
    path = settings.database_url.split("///", 1)[1]
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO organisations VALUES ('o', 'Org', ?, 'c@x', "
                     "'2026-01-01 00:00:00+00:00')", (FELLOWSHIP,))
        conn.execute("INSERT INTO applications (id, organisation_id, status, applicant, "
                     "establishments, created_at, updated_at) VALUES ('a', 'o', 'DRAFT', ?, "
                     "'[]', '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00')",
                     (json.dumps({"o": OFFENCE}),))
    upgrade(settings, migrations)
    with sqlite3.connect(path) as conn:
        raw = repr(conn.execute("SELECT * FROM applications JOIN organisations").fetchall())
    assert OFFENCE not in raw and f"'{FELLOWSHIP}'" not in raw
    platform = platform_for("applications", env)
    with platform.session_factory() as session:
        assert session.get(Application, "a").applicant == {"o": OFFENCE}
        assert session.get(Organisation, "o").fellowship == FELLOWSHIP
    platform.engine.dispose()
    command.downgrade(alembic_config(settings, migrations), "0005")
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT applicant FROM applications").fetchone() == (
            json.dumps({"o": OFFENCE}, separators=(",", ":")),)
